"""The permission matrix: every URL of the project, every role as an insider (unit A, whose
objects the test uses) and as an outsider (bob heads unit B), plus strangers and an
administrator. One table says what each gets; a URL missing from the table fails the test,
so every new URL must be declared here. Pages that answer 200 must not show rows of tasks
the person may not see."""

import datetime
import json
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from directives import services as directives
from directives.services import Item, UnitsAndPeople
from meetings.models import Decision, Meeting
from taskboard.choices import EventKind
from taskboard.models import Attachment, Notification, Task

from .factories import TaskFactory

ANONYMOUS = "anonymous"
# Insiders of unit A: uma (head), lisa (liaison), pat (portfolio leader over A).
# The outsider: bob, head of unit B. Office, leaders, copy recipient and an administrator.
PERSONAS = [
    ANONYMOUS,
    "alice",
    "dirk",
    "dana",
    "uma",
    "lisa",
    "pat",
    "bob",
    "mayor",
    "carl",
    "root",
]
GROUPS = {
    "office": ["alice", "dirk", "dana"],
    "insiders": ["uma", "lisa", "pat"],
    "unit_staff": ["uma", "lisa", "bob"],
    "leaders": ["mayor", "pat"],
    "users": PERSONAS[1:],
    "all": PERSONAS,
}
MISSING = 999_999
# What a task of unit A and one of unit B are called: neither may appear to someone who
# may not see it.
TITLE_A, CODE_A = "甲单位专属督办事项", "2026-7001"
TITLE_B, CODE_B = "乙单位专属督办事项", "2026-8002"


def expect(**statuses) -> dict[str, int]:
    """Statuses by persona; a group name (office, insiders, …) sets all its members, a later
    group overrides an earlier one, and a persona named on its own overrides its groups."""
    result = {}
    for name, status in statuses.items():
        if name in GROUPS:
            for persona in GROUPS[name]:
                result[persona] = status
    for name, status in statuses.items():
        if name not in GROUPS:
            result[name] = status
    missing = set(PERSONAS) - set(result)
    assert not missing, f"no expectation for {missing}"
    return result


@dataclass
class Route:
    expected: dict[str, int]
    kwargs: dict = field(default_factory=dict)  # values may be attribute names of `world`
    method: str = "GET"
    query: dict = field(default_factory=dict)


LOGIN = 302  # a stranger is sent to log in
API_STRANGER = 403  # the API answers a stranger with an error, not a redirect


@pytest.fixture
def world(city):
    """One object of every kind for unit A (and a task for unit B), as the pages see them."""
    from types import SimpleNamespace

    later = datetime.date(2099, 6, 30)  # nothing overdue: the copy recipient sees none
    task_a = TaskFactory(
        code=CODE_A, title=TITLE_A, lead_unit=city.unit_a, lead_leader=city.pat, deadline=later
    )
    task_b = TaskFactory(code=CODE_B, title=TITLE_B, lead_unit=city.unit_b, deadline=later)
    meeting = Meeting.objects.create(
        kind="executive", number=12, date=datetime.date(2026, 9, 29), chair=city.mayor
    )
    decision = Decision.objects.create(meeting=meeting, number=1, text=TITLE_A, task=task_a)
    only_a = UnitsAndPeople(lead_unit=city.unit_a)
    report = directives.work_report_create(
        by=city.alice,
        year=2026,
        title="2026年政府工作报告",
        session_ended_on=datetime.date(2026, 3, 12),
    )
    target = directives.target_create(
        report=report, by=city.alice, text="新增城镇就业5万人", people=only_a
    )
    instruction = directives.instruction_create(
        by=city.alice,
        leader=city.mayor,
        issued_on=datetime.date(2026, 3, 2),
        kind="letter",
        text="请市发改委尽快解决群众反映的供暖问题。",
        people=only_a,
        attachment=SimpleUploadedFile("批示.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
    )
    superior = directives.superior_assignment_create(
        by=city.alice,
        issuing_body="省督查组",
        title="反馈问题整改清单",
        received_on=datetime.date(2026, 4, 1),
        items=[Item(text="整改供暖问题", people=only_a, deadline=later)],
    )
    proposal = directives.proposal_create(
        by=city.alice,
        kind="suggestion",
        year=2026,
        number=108,
        proposer="张代表",
        title="关于加快老旧小区改造的建议",
        text="建议加快老旧小区改造进度。",
        received_on=datetime.date(2026, 3, 20),
        people=only_a,
    )
    notification = Notification.objects.create(
        recipient=city.uma, task=task_a, kind=EventKind.ASSIGNED, created_at=timezone.now()
    )
    attachment = Attachment.objects.create(
        task=task_a,
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n"),
        original_name="a.pdf",
        size=15,
        uploaded_at=timezone.now(),
        uploaded_by=city.uma,
    )
    get_user_model().objects.create_superuser("root", password="x")
    return SimpleNamespace(
        task_a=task_a,
        task_b=task_b,
        meeting=meeting,
        decision=decision,
        report=report,
        target=target,
        instruction=instruction,
        superior=superior,
        superior_item=superior.items.get(),
        proposal=proposal,
        notification=notification,
        attachment=attachment,
    )


def url_names() -> dict[str, list[str]]:
    """Every named URL of the project outside the admin, with its parameters."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or str(pattern.pattern)
                name = f"{namespace}:{name}" if namespace else name
                found[name] = list(pattern.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, None)
    return found


# ---------------------------------------------------------------------------
# Who gets what, by kind of page

PUBLIC = expect(all=200)
EVERYONE = expect(anonymous=LOGIN, users=200)
# A task (or its file) of unit A: its unit and portfolio leader, the office and leaders see
# it; unit B and the copy recipient (it is not overdue) get 404, as if it did not exist.
TASK_A = expect(anonymous=LOGIN, users=200, bob=404, carl=404)
# Sources of work (meetings, reports, instructions, …): the office, leaders, administrators.
SOURCES = expect(anonymous=LOGIN, office=200, root=200, leaders=200, unit_staff=403, carl=403)
# Registering and editing sources, importing ledgers: the office and administrators.
OFFICE = expect(anonymous=LOGIN, office=200, root=200, leaders=403, unit_staff=403, carl=403)


# The same, where the page answers the office with something other than 200.
def office(status: int, method: str = "GET") -> dict:
    return expect(
        anonymous=LOGIN, office=status, root=status, leaders=403, unit_staff=403, carl=403
    )


ADMIN_ONLY = expect(anonymous=LOGIN, users=403, root=200)
MISSING_OBJECT = expect(anonymous=LOGIN, users=404)
API_SOURCES = expect(anonymous=401, office=200, root=200, leaders=200, unit_staff=403, carl=403)
API_TASK_A = expect(anonymous=401, users=200, bob=404, carl=404)
API_EVERYONE = expect(anonymous=401, users=200)


def api_action(**statuses) -> Route:
    """An action on task A through the API, sent with an empty JSON body."""
    return Route(
        expect(anonymous=401, bob=404, carl=404, **statuses), {"pk": "task_a"}, method="POST"
    )


def api_assign(obj: str, status: int) -> Route:
    """Assigning a source's drafts: the office may (status), nobody else."""
    return Route(
        expect(anonymous=401, office=status, root=status, leaders=403, unit_staff=403, carl=403),
        {"pk": obj},
        method="POST",
    )


TABLE: dict[str, Route] = {
    # Accounts and the audit trail
    "login": Route(PUBLIC),
    "logout": Route(expect(all=302), method="POST"),
    "set_language": Route(expect(all=302), method="POST", query={"language": "en"}),
    "healthz": Route(PUBLIC),
    "audit:two_factor_setup": Route(EVERYONE),
    # A session that owes no code is sent on.
    "audit:two_factor_verify": Route(expect(all=302)),
    "audit:record_list": Route(ADMIN_ONLY),
    "audit:record_export": Route(ADMIN_ONLY, {"fmt": "csv"}),
    # The task board
    "taskboard:home": Route(expect(all=302)),
    "taskboard:inbox": Route(expect(all=302, uma=200, lisa=200, bob=200)),
    "taskboard:dashboard": Route(expect(anonymous=LOGIN, users=200, carl=403)),
    "taskboard:task_list": Route(EVERYONE),
    "taskboard:task_detail": Route(TASK_A, {"pk": "task_a"}),
    # Acknowledging with no version: unit A may act and is told the input is wrong; others
    # may not; unit B and the copy recipient do not see the task at all.
    "taskboard:task_action": Route(
        expect(anonymous=LOGIN, users=403, uma=400, lisa=400, bob=404, carl=404),
        {"pk": "task_a", "action": "acknowledge"},
        method="POST",
    ),
    "taskboard:notification_list": Route(EVERYONE),
    "taskboard:notifications_mark_read": Route(expect(all=302), method="POST"),
    # Only its recipient opens a notification (and goes on to the task).
    "taskboard:notification_open": Route(
        expect(anonymous=LOGIN, users=404, uma=302), {"pk": "notification"}
    ),
    "taskboard:picker": Route(EVERYONE, {"kind": "units"}),
    "taskboard:attachment_download": Route(TASK_A, {"pk": "attachment"}),
    "taskboard:ledger_template": Route(EVERYONE),
    "taskboard:ledger_export": Route(EVERYONE),
    "taskboard:ledger_import": Route(OFFICE),
    # Meetings
    "meetings:index": Route(SOURCES),
    "meetings:meeting_create": Route(OFFICE),
    "meetings:meeting_detail": Route(SOURCES, {"pk": "meeting"}),
    "meetings:meeting_update": Route(OFFICE, {"pk": "meeting"}),
    # Reviewing parsed minutes needs the minutes: a bare GET is bad input.
    "meetings:decisions_review": Route(office(400), {"pk": "meeting"}),
    "meetings:decisions_save": Route(office(400), {"pk": "meeting"}, method="POST"),
    "meetings:decisions_assign": Route(office(302), {"pk": "meeting"}, method="POST"),
    # An assigned decision is edited on its task: the office is sent there.
    "meetings:decision_update": Route(office(302), {"pk": "decision"}),
    "meetings:meeting_series": Route(SOURCES, {"kind": "executive", "year": 2026}),
    "meetings:ledger_template": Route(EVERYONE),
    "meetings:ledger_export": Route(SOURCES),
    "meetings:ledger_import": Route(OFFICE),
    # Work reports, instructions, assignments from above, proposals
    "directives:index": Route(SOURCES),
    "directives:work_report_list": Route(SOURCES),
    "directives:work_report_create": Route(OFFICE),
    "directives:work_report_detail": Route(SOURCES, {"pk": "report"}),
    "directives:work_report_edit": Route(OFFICE, {"pk": "report"}),
    "directives:work_report_assign": Route(office(302), {"pk": "report"}, method="POST"),
    "directives:target_create": Route(OFFICE, {"pk": "report"}),
    "directives:target_edit": Route(OFFICE, {"pk": "target"}),
    "directives:target_split": Route(OFFICE, {"pk": "target"}),
    "directives:instruction_list": Route(SOURCES),
    "directives:instruction_create": Route(OFFICE),
    "directives:instruction_detail": Route(SOURCES, {"pk": "instruction"}),
    "directives:instruction_edit": Route(OFFICE, {"pk": "instruction"}),
    "directives:instruction_assign": Route(office(302), {"pk": "instruction"}, method="POST"),
    "directives:instruction_attachment": Route(SOURCES, {"pk": "instruction"}),
    "directives:superior_list": Route(SOURCES),
    "directives:superior_create": Route(OFFICE),
    "directives:superior_detail": Route(SOURCES, {"pk": "superior"}),
    "directives:superior_edit": Route(OFFICE, {"pk": "superior"}),
    "directives:superior_assign": Route(office(302), {"pk": "superior"}, method="POST"),
    "directives:superior_item_create": Route(OFFICE, {"pk": "superior"}),
    "directives:superior_item_edit": Route(OFFICE, {"pk": "superior_item"}),
    "directives:proposal_list": Route(SOURCES),
    "directives:proposal_create": Route(OFFICE),
    "directives:proposal_detail": Route(SOURCES, {"pk": "proposal"}),
    "directives:proposal_edit": Route(OFFICE, {"pk": "proposal"}),
    "directives:proposal_assign": Route(office(302), {"pk": "proposal"}, method="POST"),
    "directives:proposal_reply": Route(office(400), {"pk": "proposal"}, method="POST"),
    "directives:proposal_satisfaction": Route(office(400), {"pk": "proposal"}, method="POST"),
    "directives:proposal_ledger_template": Route(EVERYONE),
    "directives:proposal_ledger_export": Route(SOURCES),
    "directives:proposal_ledger_import": Route(OFFICE),
    "directives:target_ledger_template": Route(EVERYONE),
    "directives:target_ledger_export": Route(SOURCES),
    "directives:target_ledger_import": Route(OFFICE),
    "directives:instruction_ledger_template": Route(EVERYONE),
    "directives:instruction_ledger_export": Route(SOURCES),
    "directives:instruction_ledger_import": Route(OFFICE),
    "directives:superior_ledger_template": Route(EVERYONE),
    "directives:superior_ledger_export": Route(SOURCES),
    "directives:superior_ledger_import": Route(OFFICE),
    # Supervision: notices, warnings, reports. Their rows are other fixtures' business; here
    # an unknown row answers 404 to everyone logged in.
    "supervision:document_css": Route(PUBLIC),
    "supervision:notice_list": Route(EVERYONE),
    "supervision:notice_draft": Route(OFFICE),
    "supervision:notice_detail": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:notice_print": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:notice_docx": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:notice_pdf": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:notice_action": Route(
        MISSING_OBJECT, {"pk": MISSING, "action": "issue"}, method="POST"
    ),
    "supervision:preferences": Route(EVERYONE),
    "supervision:warning_list": Route(EVERYONE),
    "supervision:warnings_mark_read": Route(expect(all=302), method="POST"),
    "supervision:warning_open": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:report_list": Route(EVERYONE),
    "supervision:report_create": Route(
        expect(anonymous=LOGIN, users=403, office=400, root=400), method="POST"
    ),
    "supervision:report_detail": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:report_print": Route(MISSING_OBJECT, {"pk": MISSING}),
    "supervision:report_file": Route(MISSING_OBJECT, {"pk": MISSING, "fmt": "xlsx"}),
    # The API: strangers get 401; the same scoping as the pages.
    "api:schema": Route(PUBLIC),
    "api:docs": Route(PUBLIC),
    "api:task-list": Route(API_EVERYONE),
    "api:task-detail": Route(API_TASK_A, {"pk": "task_a"}),
    "api:task_progress_reports": Route(API_TASK_A, {"pk": "task_a"}),
    "api:task_events": Route(API_TASK_A, {"pk": "task_a"}),
    "api:unit-list": Route(API_EVERYONE),
    "api:unit-detail": Route(API_EVERYONE, {"pk": "unit_a"}),
    "api:meeting-list": Route(API_SOURCES),
    "api:meeting-detail": Route(API_SOURCES, {"pk": "meeting"}),
    "api:meeting_decisions": Route(API_SOURCES, {"pk": "meeting"}),
    "api:meeting-assign": api_assign("meeting", 409),
    "api:work_report-list": Route(API_SOURCES),
    "api:work_report-detail": Route(API_SOURCES, {"pk": "report"}),
    "api:work_report_targets": Route(API_SOURCES, {"pk": "report"}),
    "api:work_report-assign": api_assign("report", 200),
    "api:instruction-list": Route(API_SOURCES),
    "api:instruction-detail": Route(API_SOURCES, {"pk": "instruction"}),
    "api:instruction-assign": api_assign("instruction", 200),
    "api:proposal-list": Route(API_SOURCES),
    "api:proposal-detail": Route(API_SOURCES, {"pk": "proposal"}),
    "api:proposal-assign": api_assign("proposal", 200),
    "api:superior_assignment-list": Route(API_SOURCES),
    "api:superior_assignment-detail": Route(API_SOURCES, {"pk": "superior"}),
    # Writes on sources the office alone makes: 400 for the empty body, 403 to the others.
    "api:proposal_reply": api_assign("proposal", 400),
    "api:proposal_satisfaction": api_assign("proposal", 400),
    "api:target_split": api_assign("target", 400),
    "api:superior_assignment_items": api_assign("superior", 400),
    # (The meeting's one decision is assigned already: nothing to assign, 409.)
    # Lifecycle actions on task A (assigned): who may act gets 400 for the empty body or
    # 409 for the wrong state; who may not, 403; who cannot see it, 404.
    "api:task_assign": api_action(users=403, office=409, root=409),
    "api:task_acknowledge": api_action(users=403, uma=400, lisa=400),
    "api:task_report_progress": api_action(users=403, uma=409, lisa=409),
    "api:task_submit_part": api_action(users=403),
    "api:task_request_extension": api_action(users=403, uma=400, lisa=400),
    "api:task_decide_extension": api_action(users=403, office=400, root=400, leaders=400),
    "api:task_request_coordination": api_action(users=403, uma=400, lisa=400),
    "api:task_answer_coordination": api_action(users=403, root=400, leaders=400),
    "api:task_request_closure": api_action(users=403, uma=409, lisa=409),
    "api:task_close": api_action(users=403, office=409, root=409),
    "api:task_return": api_action(users=403, office=409, root=409),
    "api:task_suspend": api_action(users=403, dirk=400, root=400, leaders=400),
    "api:task_resume": api_action(users=403, dirk=409, root=409, leaders=409),
    "api:task_cancel": api_action(users=403, dirk=400, root=400, leaders=400),
    "api:task_edit": api_action(users=403, office=400, root=400),
    # Notices: scoped as the pages (an unknown notice is 404 to everyone logged in); the
    # dashboard's figures for everyone with a dashboard (the copy recipient has none).
    "api:notice-list": Route(API_EVERYONE),
    "api:notice-detail": Route(expect(anonymous=401, users=404), {"pk": MISSING}),
    **{
        f"api:notice_{step}": Route(
            expect(anonymous=401, users=404), {"pk": MISSING}, method="POST"
        )
        for step in ("edit", "propose", "approve", "sign", "issue", "reject", "withdraw")
    },
    "api:dashboard": Route(expect(anonymous=401, users=200, carl=403)),
}

# Patterns without a name that only answer what no other pattern does (the API's 404).
UNNAMED = {"api:^"}


def test_every_url_of_the_project_has_an_expectation():
    """A new URL fails here until its row is added to TABLE."""
    names = set(url_names()) - UNNAMED
    assert sorted(names - set(TABLE)) == [], "declare these URLs in TABLE"
    assert sorted(set(TABLE) - names) == [], "these URLs no longer exist"


def _url(name: str, route: Route, world, city) -> str:
    kwargs = {}
    for key, value in route.kwargs.items():
        if value == "unit_a":
            value = city.unit_a
        elif isinstance(value, str) and hasattr(world, value):
            value = getattr(world, value)
        kwargs[key] = getattr(value, "pk", value)
    return reverse(name, kwargs=kwargs)


def _text_of(response) -> str:
    """What the person can read in the response: HTML, JSON, CSV, or an Excel sheet's cells."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if content_type.startswith(("text/", "application/json")):
        return body.decode("utf-8", errors="replace")
    return ""


def _request(client, name: str, route: Route, url: str):
    if route.method == "GET":
        return client.get(url, route.query)
    if name.startswith("api:"):
        return client.post(url, json.dumps(route.query), content_type="application/json")
    return client.post(url, route.query)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_gets_what_the_table_says_and_no_foreign_rows(client, world, city, name):
    route = TABLE[name]
    url = _url(name, route, world, city)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PERSONAS)}
    visible = {
        username: set(Task.objects.visible_to(user).values_list("code", flat=True))
        for username, user in users.items()
    }
    found = {}
    leaks = []
    for persona in PERSONAS:
        client.logout()
        if persona != ANONYMOUS:
            client.force_login(users[persona])
        # Each person's request is undone after it, so what one does (an assignment, a
        # notification read) cannot change what the next one gets.
        with transaction.atomic():
            response = _request(client, name, route, url)
            transaction.set_rollback(True)
        found[persona] = response.status_code
        if response.status_code == 200 and persona != ANONYMOUS:
            text = _text_of(response)
            for code, title in [(CODE_A, TITLE_A), (CODE_B, TITLE_B)]:
                if code not in visible[persona] and (code in text or title in text):
                    leaks.append((persona, code))
    assert found == route.expected
    assert leaks == []


def test_lists_show_each_unit_only_its_own_tasks(client, world, city):
    """The matrix's leak check has teeth: the task list shows B's task to bob only."""
    client.force_login(city.bob)
    text = client.get(reverse("taskboard:task_list")).content.decode()
    assert TITLE_B in text and TITLE_A not in text
    client.force_login(city.uma)
    text = client.get(reverse("taskboard:task_list")).content.decode()
    assert TITLE_A in text and TITLE_B not in text
    api = client.get(reverse("api:task-list")).content.decode()
    assert CODE_A in api and CODE_B not in api
