"""The actions of the task page over HTTP: who may take them, from which state, with what
input, and what the person sees when one is refused."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from taskboard import services
from taskboard.actions import ACTIONS
from taskboard.attachments import ALLOWED
from taskboard.choices import EventKind, ExtensionStatus, TaskState
from taskboard.models import (
    Attachment,
    CoordinationRequest,
    CoUnitPart,
    ExtensionRequest,
    Notification,
    ProgressReport,
    TaskEvent,
)

from ..factories import TaskFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 12 October 2026: the factory's tasks are due on 31 October, still ahead.
MONDAY = datetime.datetime(2026, 10, 12, 10, tzinfo=SHANGHAI)

# Django's own form errors, always in Chinese.
REQUIRED = "这个字段是必填项。"
NOT_A_DATE = "输入一个有效的日期。"
OVER_100 = "确保该值小于或等于100。"
NUL = "不允许是用空字符串。"


def too_long(limit: int) -> str:
    return f"确保该变量包含不超过 {limit} 字符 (目前字符数 {limit + 1})。"


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def zh(message: str, **params) -> str:
    """The message as a person reading Chinese sees it on the page (as the catalog has it)."""
    with translation.override("zh-hans"):
        text = str(translation.gettext(str(message)))
        params = {key: str(value) for key, value in params.items()}
    return escape(text % params if params else text)


def state_label(state: str) -> str:
    with translation.override("zh-hans"):
        return str(TaskState(state).label)


def detail(task) -> str:
    return reverse("taskboard:task_detail", args=[task.pk])


def action_url(task, action: str) -> str:
    return reverse("taskboard:task_action", args=[task.pk, action])


def act(client, task, action: str, data=None, *, version=None):
    """POST an action with the version the person saw (the task's own unless given).
    A value of None in `data` leaves that field out."""
    payload = {"version": task.version if version is None else version, **(data or {})}
    payload = {key: value for key, value in payload.items() if value is not None}
    return client.post(action_url(task, action), payload)


def task_in(city, state, **kwargs):
    """A task of unit A in `state`, with dates only when the state needs them."""
    if state in {TaskState.DRAFT, TaskState.CANCELLED}:
        kwargs = {"assigned_on": None, "deadline": None, **kwargs}
    return TaskFactory(lead_unit=city.unit_a, state=state, **kwargs)


def snapshot(task):
    """Everything a refused action must leave as it was."""
    task.refresh_from_db()
    return {
        "state": task.state,
        "version": task.version,
        "deadline": task.deadline,
        "events": TaskEvent.objects.filter(task=task).count(),
        "reports": ProgressReport.objects.filter(task=task).count(),
        "parts": CoUnitPart.objects.filter(task=task).count(),
        "attachments": Attachment.objects.filter(task=task).count(),
        "notifications": Notification.objects.filter(task=task).count(),
        "extensions": list(ExtensionRequest.objects.filter(task=task).values_list("pk", "status")),
        "coordination": list(
            CoordinationRequest.objects.filter(task=task).values_list("pk", "answer")
        ),
    }


def offered(page: str) -> list[str]:
    """The actions whose forms the task page shows, in order."""
    return re.findall(r'<details class="action action-([a-z_]+)"', page)


def action_form(page: str, action: str) -> str:
    return re.search(rf'<details class="action action-{action}".*?</details>', page, re.S).group(0)


# ---------------------------------------------------------------------------
# Preparing tasks


def with_pending_extension(task, city):
    ExtensionRequest.objects.create(
        task=task,
        requested_by=city.uma,
        requested_at=MONDAY,
        reason="拆迁未完成",
        current_deadline=task.deadline,
        proposed_deadline=task.deadline + datetime.timedelta(days=30),
    )


def with_open_coordination(task, city):
    CoordinationRequest.objects.create(
        task=task,
        requested_by=city.uma,
        requested_at=MONDAY,
        tried="与区政府多次协商",
        disagreement="用地指标由谁承担",
        proposal="请分管领导召集专题会",
    )


def with_co_unit_b(task, city):
    task.co_units.add(city.unit_b)


def suspended_from(state):
    def prepare(task, city):
        TaskEvent.objects.create(
            task=task,
            kind=EventKind.SUSPENDED,
            actor=city.pat,
            at=MONDAY - datetime.timedelta(days=3),
            from_state=state,
            to_state=TaskState.SUSPENDED,
        )

    return prepare


def pending_extension_of(task) -> int:
    return ExtensionRequest.objects.get(task=task, status=ExtensionStatus.PENDING).pk


def open_coordination_of(task) -> int:
    return CoordinationRequest.objects.get(task=task, answered_at__isnull=True).pk


@dataclass(frozen=True)
class Case:
    """One action over HTTP: what to post, who may, from where, to where, what it leaves."""

    name: str
    action: str
    data: Callable
    from_state: str
    to_state: str
    event: str
    actor: str
    wrong_actor: str
    wrong_state: str
    made: Callable
    prepare: Callable | None = None

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "assign",
        "assign",
        lambda task: {"assigned_on": "2026-10-12", "deadline": "2026-11-30"},
        TaskState.DRAFT,
        TaskState.ASSIGNED,
        EventKind.ASSIGNED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.ASSIGNED,
        made=lambda task: (
            task.deadline == datetime.date(2026, 11, 30)
            and task.assigned_on == datetime.date(2026, 10, 12)
        ),
    ),
    Case(
        "acknowledge",
        "acknowledge",
        lambda task: {},
        TaskState.ASSIGNED,
        TaskState.ACKNOWLEDGED,
        EventKind.ACKNOWLEDGED,
        actor="uma",
        wrong_actor="alice",
        wrong_state=TaskState.ACKNOWLEDGED,
        made=lambda task: True,
    ),
    Case(
        "report_progress",
        "report_progress",
        lambda task: {"text": "完成选址", "percent": "30"},
        TaskState.ACKNOWLEDGED,
        TaskState.IN_PROGRESS,
        EventKind.PROGRESS_REPORTED,
        actor="lisa",
        wrong_actor="alice",
        wrong_state=TaskState.ASSIGNED,
        made=lambda task: task.progress_reports.filter(text="完成选址", percent=30).count() == 1,
    ),
    Case(
        "submit_part",
        "submit_part",
        lambda task: {"text": "财政资金已落实"},
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.PART_SUBMITTED,
        actor="bob",
        wrong_actor="uma",
        wrong_state=TaskState.CLOSED,
        made=lambda task: task.co_unit_parts.filter(text="财政资金已落实").count() == 1,
        prepare=with_co_unit_b,
    ),
    Case(
        "request_extension",
        "request_extension",
        lambda task: {"proposed_deadline": "2026-11-30", "reason": "拆迁未完成"},
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.EXTENSION_REQUESTED,
        actor="uma",
        wrong_actor="pat",
        wrong_state=TaskState.CLOSURE_REQUESTED,
        made=lambda task: (
            task.extension_requests.filter(
                status=ExtensionStatus.PENDING, proposed_deadline=datetime.date(2026, 11, 30)
            ).count()
            == 1
        ),
    ),
    Case(
        "decide_extension_approve",
        "decide_extension",
        lambda task: {"request": pending_extension_of(task), "approve": "yes"},
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.EXTENSION_APPROVED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.SUSPENDED,
        made=lambda task: (
            task.deadline == datetime.date(2026, 11, 30)
            and task.original_deadline == datetime.date(2026, 10, 31)
        ),
        prepare=with_pending_extension,
    ),
    Case(
        "decide_extension_reject",
        "decide_extension",
        lambda task: {
            "request": pending_extension_of(task),
            "approve": "no",
            "note": "理由不充分",
        },
        TaskState.ACKNOWLEDGED,
        TaskState.ACKNOWLEDGED,
        EventKind.EXTENSION_REJECTED,
        actor="pat",
        wrong_actor="lisa",
        wrong_state=TaskState.CLOSED,
        made=lambda task: (
            task.deadline == datetime.date(2026, 10, 31)
            and task.extension_requests.get().status == ExtensionStatus.REJECTED
        ),
        prepare=with_pending_extension,
    ),
    Case(
        "request_coordination",
        "request_coordination",
        lambda task: {
            "tried": "与区政府多次协商",
            "disagreement": "用地指标由谁承担",
            "proposal": "请分管领导召集专题会",
        },
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.COORDINATION_REQUESTED,
        actor="uma",
        wrong_actor="alice",
        wrong_state=TaskState.CLOSED,
        made=lambda task: (
            task.coordination_requests.filter(
                proposal="请分管领导召集专题会", answered_at__isnull=True
            ).count()
            == 1
        ),
    ),
    Case(
        "answer_coordination",
        "answer_coordination",
        lambda task: {"request": open_coordination_of(task), "answer": "由区政府承担"},
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.COORDINATION_ANSWERED,
        actor="pat",
        wrong_actor="uma",
        wrong_state=TaskState.CLOSED,
        made=lambda task: task.coordination_requests.get().answer == "由区政府承担",
        prepare=with_open_coordination,
    ),
    Case(
        "request_closure",
        "request_closure",
        lambda task: {"summary": "已建成投用"},
        TaskState.IN_PROGRESS,
        TaskState.CLOSURE_REQUESTED,
        EventKind.CLOSURE_REQUESTED,
        actor="uma",
        wrong_actor="alice",
        wrong_state=TaskState.ASSIGNED,
        made=lambda task: task.events.latest("at", "pk").note == "已建成投用",
    ),
    Case(
        "close",
        "close",
        lambda task: {"confirm": "on", "note": "材料齐全"},
        TaskState.CLOSURE_REQUESTED,
        TaskState.CLOSED,
        EventKind.CLOSED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.IN_PROGRESS,
        made=lambda task: task.closed_at is not None,
    ),
    Case(
        "return",
        "return",
        lambda task: {"reason": "佐证材料不全"},
        TaskState.CLOSURE_REQUESTED,
        TaskState.RETURNED,
        EventKind.RETURNED,
        actor="dana",
        wrong_actor="uma",
        wrong_state=TaskState.CLOSED,
        made=lambda task: task.events.latest("at", "pk").note == "佐证材料不全",
    ),
    Case(
        "suspend",
        "suspend",
        lambda task: {"reason": "政策调整"},
        TaskState.IN_PROGRESS,
        TaskState.SUSPENDED,
        EventKind.SUSPENDED,
        actor="pat",
        wrong_actor="alice",
        wrong_state=TaskState.CLOSED,
        made=lambda task: task.events.latest("at", "pk").note == "政策调整",
    ),
    Case(
        "resume",
        "resume",
        lambda task: {"note": "政策已明确"},
        TaskState.SUSPENDED,
        TaskState.ACKNOWLEDGED,
        EventKind.RESUMED,
        actor="dirk",
        wrong_actor="uma",
        wrong_state=TaskState.IN_PROGRESS,
        made=lambda task: True,
        prepare=suspended_from(TaskState.ACKNOWLEDGED),
    ),
    Case(
        "cancel",
        "cancel",
        lambda task: {"confirm": "on", "reason": "上级已撤销"},
        TaskState.ASSIGNED,
        TaskState.CANCELLED,
        EventKind.CANCELLED,
        actor="mayor",
        wrong_actor="dana",
        wrong_state=TaskState.CLOSED,
        made=lambda task: task.events.latest("at", "pk").note == "上级已撤销",
    ),
]
CASE = {case.name: case for case in CASES}


def test_every_action_of_the_table_has_a_case():
    assert {case.action for case in CASES} == set(ACTIONS)


def prepared(city, case, state):
    task = task_in(city, state, version=3)
    if case.prepare:
        case.prepare(task, city)
    return task


# ---------------------------------------------------------------------------
# Every action: allowed, wrong person, wrong state, bad input


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_allowed_person_acts_and_is_sent_back_to_the_task_with_a_message(client, city, case):
    task = prepared(city, case, case.from_state)
    actor = getattr(city, case.actor)
    client.force_login(actor)

    response = act(client, task, case.action, case.data(task))

    assert response.status_code == 302
    assert response["Location"] == detail(task)
    task.refresh_from_db()
    assert (task.state, task.version) == (case.to_state, 4)
    event = task.events.latest("at", "pk")
    assert (event.kind, event.actor, event.to_state) == (case.event, actor, case.to_state)
    assert case.made(task)
    page = client.get(response["Location"]).content.decode()
    assert f'<li class="message success">{zh(ACTIONS[case.action].done)}</li>' in page


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_wrong_person_gets_403_with_a_reason_and_nothing_changes(client, city, case):
    task = prepared(city, case, case.from_state)
    before = snapshot(task)
    client.force_login(getattr(city, case.wrong_actor))

    response = act(client, task, case.action, case.data(task))

    assert response.status_code == 403
    assert zh("You may not do this on this task.") in response.content.decode()
    assert snapshot(task) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_action_from_the_wrong_state_gets_409_and_nothing_changes(client, city, case):
    task = prepared(city, case, case.wrong_state)
    before = snapshot(task)
    client.force_login(getattr(city, case.actor))

    response = act(client, task, case.action, case.data(task))

    assert response.status_code == 409
    message = zh(
        "This cannot be done while the task is “%(state)s”.",
        state=state_label(case.wrong_state),
    )
    assert message in response.content.decode()
    assert snapshot(task) == before


BAD_INPUT = [
    ("assign", {"deadline": "下个月底"}, "deadline", NOT_A_DATE),
    ("assign", {"assigned_on": "2026-02-30"}, "assigned_on", NOT_A_DATE),
    ("report_progress", {"text": None}, "text", REQUIRED),
    ("report_progress", {"text": "   "}, "text", REQUIRED),
    ("report_progress", {"percent": "101"}, "percent", OVER_100),
    ("report_progress", {"text": "完成\x00选址"}, "text", NUL),
    ("report_progress", {"text": "长" * 20_001}, "text", too_long(20_000)),
    ("submit_part", {"text": ""}, "text", REQUIRED),
    ("request_extension", {"proposed_deadline": "明年"}, "proposed_deadline", NOT_A_DATE),
    ("request_extension", {"reason": "长" * 5_001}, "reason", too_long(5_000)),
    ("request_coordination", {"proposal": ""}, "proposal", REQUIRED),
    ("answer_coordination", {"answer": "同意\x00"}, "answer", NUL),
    ("request_closure", {"summary": None}, "summary", REQUIRED),
    ("close", {"confirm": None}, "confirm", REQUIRED),
    ("return", {"reason": ""}, "reason", REQUIRED),
    ("suspend", {"reason": "长" * 5_001}, "reason", too_long(5_000)),
    ("resume", {"note": "已恢复\x00"}, "note", NUL),
    ("cancel", {"confirm": None}, "confirm", REQUIRED),
]


@pytest.mark.parametrize(
    ("name", "change", "field", "error"),
    BAD_INPUT,
    ids=[f"{name}-{field}-{i}" for i, (name, _, field, _) in enumerate(BAD_INPUT)],
)
def test_bad_input_gets_400_with_the_field_error_in_chinese_and_saves_nothing(
    client, city, name, change, field, error
):
    case = CASE[name]
    task = prepared(city, case, case.from_state)
    before = snapshot(task)
    client.force_login(getattr(city, case.actor))

    response = act(client, task, case.action, {**case.data(task), **change})

    assert response.status_code == 400
    page = response.content.decode()
    assert zh("Please correct the errors below; nothing was saved.") in page
    form = action_form(page, case.action)
    assert f'<div class="field field-{field}">' in form
    assert f'<div class="errors">{error}</div>' in form
    assert snapshot(task) == before


def test_rejecting_an_extension_without_a_reason_gets_400_and_decides_nothing(client, city):
    case = CASE["decide_extension_reject"]
    task = prepared(city, case, case.from_state)
    before = snapshot(task)
    client.force_login(city.pat)

    response = act(client, task, "decide_extension", {**case.data(task), "note": ""})

    assert response.status_code == 400
    message = zh("%(label)s is required.", label=zh("Reason for rejection"))
    assert f'<div class="errors">{message}</div>' in action_form(
        response.content.decode(), "decide_extension"
    )
    assert snapshot(task) == before


# ---------------------------------------------------------------------------
# A stale version, unknown actions, people who cannot see the task


def test_a_stale_version_gets_409_keeps_the_text_and_offers_the_new_version(client, city):
    task = task_in(city, TaskState.ACKNOWLEDGED, version=3)
    services.task_report_progress(
        task=task, by=city.lisa, text="完成选址", percent=20, expected_version=3
    )
    client.force_login(city.uma)
    typed = {"text": "完成招标，进入施工", "percent": "45"}

    response = act(client, task, "report_progress", typed, version=3)

    assert response.status_code == 409
    page = response.content.decode()
    changed = zh(
        "This task was changed by someone else in the meantime. It is now “%(state)s” "
        "(version %(version)s). Check the new state and try again.",
        state=state_label(TaskState.IN_PROGRESS),
        version=4,
    )
    assert changed in page
    assert '<span class="state state-in_progress">' in page
    form = action_form(page, "report_progress")
    assert "完成招标，进入施工</textarea>" in form
    assert 'name="percent" value="45"' in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert version == "4"
    assert ProgressReport.objects.filter(task=task).count() == 1

    again = act(client, task, "report_progress", typed, version=int(version))

    assert again.status_code == 302
    assert list(
        ProgressReport.objects.filter(task=task).order_by("pk").values_list("text", flat=True)
    ) == ["完成选址", "完成招标，进入施工"]
    task.refresh_from_db()
    assert task.version == 5


def test_an_unknown_action_is_404(client, city):
    task = task_in(city, TaskState.ASSIGNED)
    client.force_login(city.uma)
    assert act(client, task, "approve_everything").status_code == 404


def test_an_action_url_only_takes_posts(client, city):
    task = task_in(city, TaskState.ASSIGNED)
    client.force_login(city.uma)
    assert client.get(action_url(task, "acknowledge")).status_code == 405
    assert snapshot(task)["version"] == 1


def test_someone_who_cannot_see_the_task_gets_404_for_the_page_and_its_actions(client, city):
    task = task_in(city, TaskState.ASSIGNED)
    before = snapshot(task)
    client.force_login(city.bob)

    assert client.get(detail(task)).status_code == 404
    assert act(client, task, "acknowledge").status_code == 404
    assert snapshot(task) == before


def test_an_action_needs_a_login(client, city):
    task = task_in(city, TaskState.ASSIGNED)
    response = act(client, task, "acknowledge")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(task)["version"] == 1


# ---------------------------------------------------------------------------
# The task page offers exactly what this person may do now


def test_the_unit_head_of_an_assigned_task_is_offered_acknowledge_but_not_close(client, city):
    task = task_in(city, TaskState.ASSIGNED)
    client.force_login(city.uma)

    page = client.get(detail(task)).content.decode()

    assert offered(page) == ["acknowledge", "request_extension", "request_coordination"]
    assert zh(ACTIONS["acknowledge"].label) in page
    assert zh(ACTIONS["close"].label) not in page


def test_office_staff_reviewing_a_closure_request_are_offered_close_and_return(client, city):
    task = task_in(city, TaskState.CLOSURE_REQUESTED)
    client.force_login(city.alice)

    page = client.get(detail(task)).content.decode()

    assert offered(page) == ["close", "return"]


def test_the_portfolio_leader_is_offered_an_answer_only_while_a_request_is_open(client, city):
    task = task_in(city, TaskState.IN_PROGRESS)
    client.force_login(city.pat)

    assert offered(client.get(detail(task)).content.decode()) == ["suspend", "cancel"]

    with_open_coordination(task, city)
    page = client.get(detail(task)).content.decode()
    assert offered(page) == ["answer_coordination", "suspend", "cancel"]
    assert "请分管领导召集专题会" in action_form(page, "answer_coordination")


def test_an_extension_is_offered_until_the_deadline_and_not_after(client, city, monday):
    task = task_in(city, TaskState.IN_PROGRESS, deadline=datetime.date(2026, 10, 31))
    client.force_login(city.uma)
    assert "request_extension" in offered(client.get(detail(task)).content.decode())

    monday.move_to(datetime.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI))
    client.force_login(city.uma)  # the idle session has long expired

    actions = offered(client.get(detail(task)).content.decode())
    assert "request_extension" not in actions
    assert "report_progress" in actions and "request_closure" in actions


def test_a_pending_extension_is_offered_for_decision_not_for_a_second_request(client, city):
    task = task_in(city, TaskState.IN_PROGRESS)
    with_pending_extension(task, city)

    client.force_login(city.uma)
    assert "request_extension" not in offered(client.get(detail(task)).content.decode())
    client.force_login(city.alice)
    assert "decide_extension" in offered(client.get(detail(task)).content.decode())


def test_someone_who_may_only_read_is_offered_nothing(client, city):
    # Overdue: copy recipients follow those, read only.
    task = task_in(city, TaskState.IN_PROGRESS, deadline=datetime.date(2026, 9, 30))
    client.force_login(city.carl)

    response = client.get(detail(task))

    assert response.status_code == 200
    assert offered(response.content.decode()) == []


# ---------------------------------------------------------------------------
# Attachments


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def report_with_file(client, task, name="验收报告.pdf", content=PDF):
    return act(
        client,
        task,
        "report_progress",
        {"text": "主体工程完工", "percent": "80", "files": [upload(name, content)]},
    )


def test_a_pdf_sent_with_a_progress_report_is_stored_and_linked_from_the_task(client, city):
    task = task_in(city, TaskState.IN_PROGRESS)
    client.force_login(city.uma)

    response = report_with_file(client, task)

    assert response.status_code == 302
    attachment = Attachment.objects.get(task=task)
    assert attachment.original_name == "验收报告.pdf"
    assert attachment.report == task.progress_reports.get()
    assert attachment.size == len(PDF)
    page = client.get(detail(task)).content.decode()
    link = reverse("taskboard:attachment_download", args=[attachment.pk])
    assert f'<a href="{link}">验收报告.pdf</a>' in page


@pytest.mark.parametrize("person", ["uma", "alice", "pat"])
def test_people_who_see_the_task_download_the_file_under_its_own_name(client, city, person):
    task = task_in(city, TaskState.IN_PROGRESS)
    client.force_login(city.uma)
    report_with_file(client, task)
    attachment = Attachment.objects.get(task=task)
    client.force_login(getattr(city, person))

    response = client.get(reverse("taskboard:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('验收报告.pdf')}"
    )
    response.close()


def test_another_unit_gets_404_and_a_stranger_the_login_page_for_a_file(client, city):
    task = task_in(city, TaskState.IN_PROGRESS)
    client.force_login(city.uma)
    report_with_file(client, task)
    url = reverse("taskboard:attachment_download", args=[Attachment.objects.get(task=task).pk])

    client.force_login(city.bob)
    assert client.get(url).status_code == 404

    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "安装程序.exe",
            b"MZ\x90\x00\x03\x00\x00\x00",
            "“%(name)s”: files of this kind may not be uploaded. Allowed: %(kinds)s.",
        ),
        (
            "验收报告.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00",
            "“%(name)s” is a program and may not be uploaded.",
        ),
        (
            "验收报告.pdf",
            b"just some text, not a PDF",
            "“%(name)s” is not the kind of file its name says.",
        ),
    ],
    ids=["exe", "program-named-pdf", "text-named-pdf"],
)
def test_a_file_that_is_not_allowed_gets_400_with_a_reason_and_saves_nothing(
    client, city, name, content, message
):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)
    client.force_login(city.uma)

    response = report_with_file(client, task, name, content)

    assert response.status_code == 400
    expected = zh(message, name=name, kinds=" ".join(sorted(ALLOWED)))
    assert f'<div class="errors">{expected}</div>' in action_form(
        response.content.decode(), "report_progress"
    )
    assert snapshot(task) == before
    assert not Attachment.objects.exists()


# ---------------------------------------------------------------------------
# The office reviews closure requests


def test_office_staff_close_one_task_and_return_another_with_a_reason(client, city):
    done = task_in(city, TaskState.CLOSURE_REQUESTED, title="建成城市书房")
    not_done = task_in(city, TaskState.CLOSURE_REQUESTED, title="改造老旧小区")
    client.force_login(city.alice)

    closed = act(client, done, "close", {"confirm": "on"})
    returned = act(client, not_done, "return", {"reason": "缺少竣工验收报告，请补充后再申请"})

    assert (closed.status_code, returned.status_code) == (302, 302)
    done.refresh_from_db()
    not_done.refresh_from_db()
    assert (done.state, not_done.state) == (TaskState.CLOSED, TaskState.RETURNED)
    client.force_login(city.uma)
    page = client.get(detail(not_done)).content.decode()
    timeline = re.search(r'<ol class="timeline">.*?</ol>', page, re.S).group(0)
    assert "缺少竣工验收报告，请补充后再申请" in timeline
    assert Notification.objects.filter(
        recipient=city.uma, task=not_done, kind=EventKind.RETURNED, read_at__isnull=True
    ).exists()
    assert Notification.objects.filter(
        recipient=city.uma, task=done, kind=EventKind.CLOSED
    ).exists()
    assert 'data-unread="2"' in page


def test_an_event_without_a_person_shows_on_the_timeline_as_the_systems(client, city):
    task = task_in(city, TaskState.IN_PROGRESS)
    TaskEvent.objects.create(
        task=task,
        kind=EventKind.SUSPENDED,
        actor=None,
        at=MONDAY,
        from_state=TaskState.IN_PROGRESS,
        to_state=TaskState.SUSPENDED,
    )
    client.force_login(city.uma)

    response = client.get(detail(task))

    assert response.status_code == 200
    assert f"<span>{zh('System')}</span>" in response.content.decode()


def test_a_report_that_repeats_the_last_one_says_so_and_is_flagged(client, city):
    from taskboard.choices import TaskState as State

    task = TaskFactory(
        lead_unit=city.unit_a, state=State.IN_PROGRESS, deadline=datetime.date(2099, 1, 1)
    )
    client.force_login(city.uma)
    url = reverse("taskboard:task_action", args=[task.pk, "report_progress"])
    client.post(url, {"version": 1, "text": "本周无新进展", "percent": 30})
    response = client.post(url, {"version": 2, "text": "本周无新进展", "percent": 30}, follow=True)
    assert "重复" in response.content.decode() or "repeat" in response.content.decode()
    assert list(task.progress_reports.values_list("is_repeat", flat=True)) == [True, False]


def test_the_task_page_shows_milestones_against_the_reported_progress(client, city):
    from taskboard.choices import TaskState as State
    from taskboard.models import Milestone

    task = TaskFactory(
        lead_unit=city.unit_a, state=State.IN_PROGRESS, deadline=datetime.date(2099, 1, 1)
    )
    Milestone.objects.create(task=task, planned_on=datetime.date(2020, 1, 1), percent=50)
    Milestone.objects.create(task=task, planned_on=datetime.date(2020, 6, 1), percent=80)
    Milestone.objects.create(task=task, planned_on=datetime.date(2099, 1, 1), percent=100)
    client.force_login(city.uma)
    client.post(
        reverse("taskboard:task_action", args=[task.pk, "report_progress"]),
        {"version": 1, "text": "完成过半", "percent": 60},
    )
    page = client.get(reverse("taskboard:task_detail", args=[task.pk])).content.decode()
    assert page.count('class="met"') == 1
    assert page.count('class="behind"') == 1
    assert '<strong class="reported-percent">60%</strong>' in page
