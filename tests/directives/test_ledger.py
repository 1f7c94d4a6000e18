import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from directives import services
from directives.choices import ProposalKind
from directives.ledger import PROPOSAL_LEDGER
from directives.models import Proposal
from taskboard.choices import DeadlineSource, TaskOrigin, TaskState
from taskboard.ledger import TASK_LEDGER, ledger_import, ledger_validate
from taskboard.models import Task, TaskEvent
from taskboard.services import ActionNotAllowed
from taskboard.workdays import deadlines_for

from ..taskboard.test_ledger import XLSX, body, sheet_rows, xlsx
from .conftest import make_instruction, make_proposal

TEMPLATE = reverse("directives:proposal_ledger_template")
EXPORT = reverse("directives:proposal_ledger_export")
IMPORT = reverse("directives:proposal_ledger_import")
HEADERS = PROPOSAL_LEDGER.headers
KEYS = [column.key for column in PROPOSAL_LEDGER.columns]


@pytest.fixture(autouse=True)
def april_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def line(**cells) -> list:
    defaults = {
        "title": "关于加快老旧小区改造的建议",
        "origin": "建议提案",
        "lead_unit": "市发展和改革委员会",
        "proposal_kind": "建议",
        "proposal_year": 2026,
        "proposal_number": 101,
        "proposer": "张代表",
        "received_on": "2026-03-20",
    }
    cells = {**defaults, **cells}
    return [cells.get(key) for key in KEYS]


def upload(rows):
    return xlsx(rows, headers=HEADERS)


def imported(rows, by):
    return ledger_import(file=upload(rows), by=by, spec=PROPOSAL_LEDGER)


def errors_of(rows, by) -> set[tuple]:
    plan = ledger_validate(file=upload(rows), by=by, spec=PROPOSAL_LEDGER)
    return {(e.row, e.column, e.code) for e in plan.errors}


def export_as(client, user, query=None) -> bytes:
    client.force_login(user)
    response = client.get(EXPORT, query or {})
    assert response.status_code == 200
    return body(response)


def snapshot():
    return (
        Proposal.objects.count(),
        TaskEvent.objects.count(),
        sorted(Task.objects.values_list("code", "version")),
    )


def test_template_has_the_task_columns_the_proposal_columns_and_instructions(client, city):
    client.force_login(city.alice)
    response = client.get(TEMPLATE)

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(body(response)))
    assert workbook.sheetnames == ["台账", "说明"]
    assert [cell.value for cell in workbook["台账"][1]] == [
        *TASK_LEDGER.headers,
        "类别",
        "年度",
        "建议提案号",
        "提出人",
        "分类",
        "收到日期",
    ]
    instructions = "\n".join(
        str(value) for row in workbook["说明"].iter_rows(values_only=True) for value in row if value
    )
    for header in HEADERS:
        assert header in instructions
    assert "建议提案台账填写说明" in instructions


def test_a_clean_file_registers_proposals_with_their_tasks(city):
    result = imported(
        [
            line(
                requirement="建议加快老旧小区改造进度。",
                co_units="市财政局",
                category="城乡建设",
                assigned_on="2026-03-23",
                deadline="2026-06-30",
            ),
            line(
                title="关于发展职业教育的提案",
                proposal_kind="提案",
                proposal_number=7,
                proposal_year=None,
                proposer="李委员",
                lead_unit="市财政局",
            ),
            line(
                title="关于增设公交线路的建议",
                proposal_number=102,
                assigned_on="2026-03-24",
            ),
        ],
        city.alice,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    first = Proposal.objects.get(kind=ProposalKind.SUGGESTION, number=101)
    assert (first.year, first.proposer, first.category) == (2026, "张代表", "城乡建设")
    assert first.text == "建议加快老旧小区改造进度。"
    assert first.received_on == datetime.date(2026, 3, 20) and first.created_by == city.alice
    task = first.task
    assert task.origin == TaskOrigin.PROPOSAL and task.deadline_source == DeadlineSource.PROPOSAL
    assert task.title == first.title == "关于加快老旧小区改造的建议"
    assert task.state == TaskState.ASSIGNED
    assert (task.assigned_on, task.deadline) == (
        datetime.date(2026, 3, 23),
        datetime.date(2026, 6, 30),
    )
    assert list(task.co_units.all()) == [city.unit_b]
    second = Proposal.objects.get(kind=ProposalKind.PROPOSAL, number=7)
    assert second.year == 2026 and second.task.state == TaskState.DRAFT
    rule = deadlines_for(DeadlineSource.PROPOSAL, datetime.date(2026, 3, 20))
    assert second.task.deadline == rule.feedback_by
    # Assigned without a deadline: the rule's, counted from the assignment.
    third = Proposal.objects.get(number=102).task
    assert third.state == TaskState.ASSIGNED
    assert third.deadline == (
        deadlines_for(
            DeadlineSource.PROPOSAL, datetime.date(2026, 3, 20), datetime.date(2026, 3, 24)
        ).feedback_by
    )


def test_every_kind_of_bad_row_is_reported_and_nothing_is_imported(city):
    existing = make_proposal(city, number=50)
    instruction = make_instruction(city)
    before = snapshot()
    rows = [
        line(),  # 2
        line(proposal_number=102, lead_unit="不存在的局"),  # 3
        line(proposal_number=103, received_on="2026-02-30"),  # 4
        line(proposal_number=104, lead_unit=None),  # 5
        line(proposal_number=105, assigned_on="2026-03-25", deadline="2026-03-24"),  # 6
        line(proposal_number=50, code=existing.task.code),  # 7
        line(proposal_number=50, code=existing.task.code),  # 8
        line(proposal_number=106, proposal_kind="意见"),  # 9
        line(proposal_number=101),  # 10: the same proposal as row 2
        line(proposal_number=107, origin="领导批示"),  # 11
        line(proposal_number=51, code=existing.task.code),  # 12
        line(proposal_number=108, code=instruction.task.code),  # 13
        line(proposal_number=109, proposer=" "),  # 14
        line(proposal_number=110, deadline="2026-03-01"),  # 15
    ]

    errors = errors_of(rows, city.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "收到日期", "bad_date"),
        (5, "牵头单位", "required"),
        (6, "办结时限", "deadline_before_assignment"),
        (8, "编号", "duplicate_code"),
        (8, "建议提案号", "duplicate_item"),
        (9, "类别", "unknown_proposal_kind"),
        (10, "建议提案号", "duplicate_item"),
        (11, "来源类别", "wrong_origin"),
        (12, "编号", "duplicate_code"),
        (12, "建议提案号", "not_editable"),
        (13, "编号", "not_a_proposal"),
        (13, "来源类别", "not_editable"),
        (14, "提出人", "required"),
        (15, "办结时限", "deadline_before_received"),
    }
    result = imported(rows, city.alice)
    assert not result.ok and result.rows == []
    assert snapshot() == before


def test_the_page_lists_the_bad_row_and_imports_nothing(client, city):
    rows = [line(proposal_number=n) for n in range(1, 8)]
    rows[3] = line(proposal_number=4, received_on="明年")
    client.force_login(city.alice)

    response = client.post(IMPORT, {"file": upload(rows)})

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(5, "收到日期", "bad_date")]
    assert 'data-row="5"' in response.content.decode()
    assert Proposal.objects.count() == 0 and Task.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing(city):
    rows = [
        line(requirement="建议加快。\n分两步。", assigned_on="2026-03-23"),
        line(proposal_kind="提案", proposal_number=9, proposal_year=None, proposer="李委员"),
    ]
    assert imported(rows, city.alice).ok
    before = snapshot()

    again = imported(rows, city.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_a_corrected_file_updates_by_code_or_by_proposal_number(client, city):
    first = make_proposal(city, number=101)
    second = make_proposal(city, number=102, title="关于增设公交线路的建议")
    rows = sheet_rows(export_as(client, city.alice))
    by_code = {row[0]: row for row in rows[1:]}
    by_code[first.task.code][KEYS.index("title")] = "关于加快老旧小区改造的建议（修改）"
    by_code[first.task.code][KEYS.index("category")] = "城乡建设"
    by_code[second.task.code][KEYS.index("code")] = None
    by_code[second.task.code][KEYS.index("owner")] = "uma"

    result = imported(rows[1:], city.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 2, 0)
    first.refresh_from_db()
    assert first.title == first.task.title == "关于加快老旧小区改造的建议（修改）"
    assert first.category == "城乡建设"
    assert Task.objects.get(pk=second.task_id).owner == city.uma
    assert Proposal.objects.count() == 2 and Task.objects.count() == 2


def test_export_then_import_round_trips_without_a_change(client, city):
    assigned = make_proposal(city, number=101, category="教育")
    services.proposal_assign(
        proposal=assigned, by=city.alice, assigned_on=datetime.date(2026, 3, 23)
    )
    make_proposal(city, number=5, kind="proposal", proposer="李委员")
    assert imported([line(proposal_number=200, owner="uma", feedback_cadence="周")], city.alice).ok
    before = snapshot()
    exported = export_as(client, city.alice)
    assert len(sheet_rows(exported)) == 4

    result = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX),
        by=city.alice,
        spec=PROPOSAL_LEDGER,
    )

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_export_follows_the_list_filters_and_what_the_person_may_see(client, city):
    make_proposal(city, number=1)
    make_proposal(city, number=2, kind="proposal")
    other = make_proposal(city, number=3)
    services.proposal_update(
        proposal=other,
        by=city.alice,
        kind=other.kind,
        year=other.year,
        number=other.number,
        proposer=other.proposer,
        title=other.title,
        received_on=other.received_on,
        people=services.UnitsAndPeople(lead_unit=city.unit_b),
    )

    def numbers(user, query=None):
        rows = sheet_rows(export_as(client, user, query))
        return sorted(row[KEYS.index("proposal_number")] for row in rows[1:])

    assert numbers(city.alice) == [1, 2, 3]
    assert numbers(city.alice, {"kind": "proposal"}) == [2]
    assert numbers(city.pat) == [1, 2]  # pat leads unit A's portfolio only
    client.force_login(city.alice)
    assert client.get(EXPORT, {"unit": 424242}).status_code == 400
    client.force_login(city.uma)
    assert client.get(EXPORT).status_code == 403


@pytest.mark.parametrize("username", ["uma", "bob", "pat", "mayor"])
def test_only_the_office_may_import(client, city, username):
    user = getattr(city, username)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload([line()])}).status_code == 403
    with pytest.raises(ActionNotAllowed):
        imported([line()], user)
    assert Proposal.objects.count() == 0


def test_the_proposal_list_links_to_the_ledger(client, city):
    client.force_login(city.alice)
    page = client.get(reverse("directives:proposal_list"), {"kind": "proposal", "page": 2})
    content = page.content.decode()
    assert f'href="{EXPORT}?kind=proposal"' in content
    assert f'href="{TEMPLATE}"' in content and f'href="{IMPORT}"' in content
    client.force_login(city.mayor)
    content = client.get(reverse("directives:proposal_list")).content.decode()
    assert f'href="{EXPORT}"' in content and f'href="{IMPORT}"' not in content
