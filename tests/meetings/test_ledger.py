import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from meetings.choices import MeetingKind
from meetings.ledger import MEETING_LEDGER
from meetings.models import Decision, Meeting
from meetings.services import DecisionDraft, decisions_assign, decisions_create
from taskboard.choices import DeadlineSource, EventKind, FeedbackCadence, TaskOrigin, TaskState
from taskboard.ledger import TASK_LEDGER, ledger_import, ledger_validate
from taskboard.models import Task, TaskEvent
from taskboard.services import ActionNotAllowed

from ..taskboard.test_ledger import XLSX, body, sheet_rows, xlsx
from .conftest import MEETING_DAY, make_meeting

TEMPLATE = reverse("meetings:ledger_template")
EXPORT = reverse("meetings:ledger_export")
IMPORT = reverse("meetings:ledger_import")
HEADERS = MEETING_LEDGER.headers
KEYS = [column.key for column in MEETING_LEDGER.columns]


@pytest.fixture(autouse=True)
def october_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def line(**cells) -> list:
    defaults = {
        "title": "加快推进城区停车场建设",
        "origin": "会议议定事项",
        "lead_unit": "市发展和改革委员会",
        "deadline": "2026-12-31",
        "meeting_kind": "政府常务会议",
        "meeting_number": 12,
        "meeting_date": "2026-09-29",
    }
    cells = {**defaults, **cells}
    return [cells.get(key) for key in KEYS]


def upload(rows):
    return xlsx(rows, headers=HEADERS)


def imported(rows, by):
    return ledger_import(file=upload(rows), by=by, spec=MEETING_LEDGER)


def errors_of(rows, by) -> set[tuple]:
    plan = ledger_validate(file=upload(rows), by=by, spec=MEETING_LEDGER)
    return {(e.row, e.column, e.code) for e in plan.errors}


def export_as(client, user, query=None) -> bytes:
    client.force_login(user)
    response = client.get(EXPORT, query or {})
    assert response.status_code == 200
    return body(response)


def saved_decisions(meeting, by, *texts, lead_unit):
    return decisions_create(
        meeting=meeting,
        by=by,
        drafts=[
            DecisionDraft(text=text, lead_unit=lead_unit, deadline=datetime.date(2026, 11, 30))
            for text in texts
        ],
    )


def snapshot():
    return (
        Meeting.objects.count(),
        Decision.objects.count(),
        TaskEvent.objects.count(),
        sorted(Task.objects.values_list("code", "version")),
    )


# ---------------------------------------------------------------------------
# Template


def test_template_has_the_task_columns_the_meeting_columns_and_instructions(client, city):
    client.force_login(city.alice)
    response = client.get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(body(response)))
    assert workbook.sheetnames == ["台账", "说明"]
    assert [cell.value for cell in workbook["台账"][1]] == [
        *TASK_LEDGER.headers,
        "会议类别",
        "会议届次",
        "会议日期",
        "议定事项序号",
    ]
    assert workbook["台账"].max_row == 1
    dropdowns = [v.formula1 for v in workbook["台账"].data_validations.dataValidation]
    assert any("政府常务会议" in formula for formula in dropdowns)
    instructions = "\n".join(
        str(value) for row in workbook["说明"].iter_rows(values_only=True) for value in row if value
    )
    for header in HEADERS:
        assert header in instructions
    assert "会议议定事项台账填写说明" in instructions
    assert "整个文件都不导入" in instructions


# ---------------------------------------------------------------------------
# Clean files


def test_a_clean_file_registers_meetings_and_creates_decisions_with_their_tasks(city):
    topic = make_meeting(number=3, kind=MeetingKind.TOPIC, date=datetime.date(2026, 9, 15))
    saved_decisions(topic, city.alice, "研究供暖问题。", lead_unit=city.unit_b)

    result = imported(
        [
            line(
                title="加快推进城区停车场建设",
                requirement="加快推进城区停车场建设，年底前建成。",
                co_units="市财政局",
                lead_leader="pat",
                owner="uma",
                item_number=1,
                assigned_on="2026-09-30",
                deadline="2026-12-31",
            ),
            line(title="研究财政资金保障", lead_unit="市财政局", item_number=2),
            line(
                title="落实供暖改造资金",
                meeting_kind="专题会议",
                meeting_number=3,
                meeting_date="2026/9/15",
                feedback_cadence="周",
            ),
        ],
        city.alice,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    executive = Meeting.objects.get(kind=MeetingKind.EXECUTIVE)
    assert (executive.year, executive.number, executive.date) == (2026, 12, MEETING_DAY)
    assert executive.created_by == city.alice
    first, second = executive.decisions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.text == "加快推进城区停车场建设，年底前建成。"
    task = first.task
    assert task.origin == TaskOrigin.MEETING
    assert task.deadline_source == DeadlineSource.EXECUTIVE_MEETING
    assert task.title == "加快推进城区停车场建设"
    assert task.state == TaskState.ASSIGNED
    assert (task.assigned_on, task.deadline) == (
        datetime.date(2026, 9, 30),
        datetime.date(2026, 12, 31),
    )
    assert (task.lead_unit, task.lead_leader, task.owner) == (city.unit_a, city.pat, city.uma)
    assert list(task.co_units.all()) == [city.unit_b]
    assert second.task.state == TaskState.DRAFT and second.task.lead_unit == city.unit_b
    assert second.text == "研究财政资金保障" == second.task.requirement
    added = topic.decisions.get(number=2)
    assert added.task.feedback_cadence == FeedbackCadence.WEEKLY
    assert Meeting.objects.count() == 2


def test_the_import_page_shows_the_created_decisions(client, city):
    client.force_login(city.alice)
    assert client.get(IMPORT).status_code == 200

    response = client.post(IMPORT, {"file": upload([line(), line(title="第二项", item_number=2)])})

    assert response.status_code == 200
    assert response.context["result"].created == 2
    page = response.content.decode()
    for task in Task.objects.all():
        assert reverse("taskboard:task_detail", args=[task.pk]) in page
    assert TEMPLATE in page


# ---------------------------------------------------------------------------
# Bad rows


def test_every_kind_of_bad_row_is_reported_and_nothing_is_imported(city):
    existing = make_meeting(number=5, date=datetime.date(2026, 9, 1))
    (decision,) = saved_decisions(existing, city.alice, "已有事项。", lead_unit=city.unit_a)
    code = decision.task.code
    before = snapshot()
    rows = [
        line(title="没有问题的一行"),  # 2
        line(title="不存在的单位", lead_unit="不存在的局"),  # 3
        line(title="日期写错", meeting_date="2026-13-45"),  # 4
        line(title="没有牵头单位", lead_unit=None),  # 5
        line(title="时限早于交办", assigned_on="2026-12-01", deadline="2026-11-01"),  # 6
        line(
            title="已有事项",
            code=code,
            meeting_number=5,
            meeting_date="2026-09-01",
            deadline="2026-11-30",
        ),  # 7
        line(
            title="已有事项",
            code=code,
            meeting_number=5,
            meeting_date="2026-09-01",
            deadline="2026-11-30",
        ),  # 8: the same code again
        line(title="未知会议类别", meeting_kind="茶话会"),  # 9
        line(title="会议日期不符", meeting_number=5, meeting_date="2026-09-02"),  # 10
        line(title="时限早于会议", deadline="2026-09-01"),  # 11
        line(title="没有时限", deadline=None),  # 12
        line(title="来源不对", origin="领导批示"),  # 13
        line(title="序号跳号", meeting_number=5, meeting_date="2026-09-01", item_number=9),  # 14
        line(title="同一会议日期不一", meeting_number=13, meeting_date="2026-10-01"),  # 15
        line(title="同一会议日期不一", meeting_number=13, meeting_date="2026-10-02"),  # 16
        line(title="届次不是数字", meeting_number="第十二次"),  # 17
    ]

    errors = errors_of(rows, city.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "会议日期", "bad_date"),
        (5, "牵头单位", "required"),
        (6, "办结时限", "deadline_before_assignment"),
        (8, "编号", "duplicate_code"),
        (8, "议定事项序号", "duplicate_item"),
        (9, "会议类别", "unknown_meeting_kind"),
        (10, "会议日期", "meeting_date_mismatch"),
        (11, "办结时限", "deadline_before_meeting"),
        (12, "办结时限", "deadline_required"),
        (13, "来源类别", "wrong_origin"),
        (14, "议定事项序号", "item_out_of_order"),
        (16, "会议日期", "meeting_date_conflict"),
        (17, "会议届次", "bad_number"),
    }
    result = imported(rows, city.alice)
    assert not result.ok and result.rows == []
    assert snapshot() == before


def test_the_page_lists_a_bad_rows_row_and_column_and_imports_nothing(client, city):
    rows = [line(title=f"第{n}项", item_number=n) for n in range(1, 11)]
    rows[6] = line(title="第7项", item_number=7, meeting_kind="座谈会")
    client.force_login(city.alice)

    response = client.post(IMPORT, {"file": upload(rows)})

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(8, "会议类别", "unknown_meeting_kind")]
    assert "座谈会" in errors[0].message
    page = response.content.decode()
    assert 'data-row="8"' in page and "会议类别" in page
    assert (Meeting.objects.count(), Decision.objects.count(), Task.objects.count()) == (0, 0, 0)


# ---------------------------------------------------------------------------
# Re-imports and round trips


def test_reimporting_the_same_file_changes_nothing(city):
    rows = [
        line(title="第一项", assigned_on="2026-09-30"),
        line(title="第二项", requirement="第二项的要求。\n分两步。", item_number=2),
    ]
    assert imported(rows, city.alice).ok
    before = snapshot()

    again = imported(rows, city.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_a_corrected_file_updates_the_decisions_by_code_or_by_item(client, city):
    assert imported([line(title="第一项"), line(title="第二项", item_number=2)], city.alice).ok
    first, second = Decision.objects.order_by("number")
    rows = sheet_rows(export_as(client, city.alice))
    assert rows[0] == HEADERS
    by_code = {row[0]: row for row in rows[1:]}
    by_code[first.task.code][KEYS.index("title")] = "第一项（改）"
    by_code[first.task.code][KEYS.index("lead_unit")] = "市财政局"
    # Without its code the row still finds its decision by meeting and item number.
    by_code[second.task.code][KEYS.index("code")] = None
    by_code[second.task.code][KEYS.index("owner")] = "uma"

    result = imported(rows[1:], city.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 2, 0)
    first.task.refresh_from_db()
    second.task.refresh_from_db()
    assert first.task.title == "第一项（改）" and first.task.lead_unit == city.unit_b
    assert second.task.owner == city.uma
    assert Decision.objects.count() == 2 and Task.objects.count() == 2
    assert first.task.events.filter(kind=EventKind.EDITED, actor=city.alice).exists()


def test_a_decision_cannot_move_to_another_meeting(client, city):
    assert imported([line()], city.alice).ok
    rows = sheet_rows(export_as(client, city.alice))
    rows[1][KEYS.index("meeting_kind")] = "专题会议"
    rows[1][KEYS.index("item_number")] = 1
    assert errors_of(rows[1:], city.alice) == {(2, "会议类别", "not_editable")}


def test_export_then_import_round_trips_without_a_change(client, city):
    meeting = make_meeting()
    saved_decisions(
        meeting,
        city.alice,
        "请市发改委牵头研究停车场建设。",
        "请市财政局保障资金。",
        lead_unit=city.unit_a,
    )
    decisions_assign(meeting=meeting, by=city.alice, assigned_on=datetime.date(2026, 9, 30))
    assert imported(
        [line(title="导入的一项", meeting_number=13, meeting_date="2026-10-08", owner="uma")],
        city.alice,
    ).ok
    before = snapshot()
    exported = export_as(client, city.alice)
    rows = sheet_rows(exported)
    assert len(rows) == 4
    assert {row[KEYS.index("meeting_kind")] for row in rows[1:]} == {"政府常务会议"}

    result = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX),
        by=city.alice,
        spec=MEETING_LEDGER,
    )

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Export scope, permissions, links


def test_export_follows_the_list_filters_and_what_the_person_may_see(client, city):
    executive = make_meeting()
    topic = make_meeting(number=2, kind=MeetingKind.TOPIC)
    saved_decisions(executive, city.alice, "发改委的事项。", lead_unit=city.unit_a)
    saved_decisions(executive, city.alice, "财政局的事项。", lead_unit=city.unit_b)
    saved_decisions(topic, city.alice, "专题会的事项。", lead_unit=city.unit_a)

    def titles(user, query=None):
        return sorted(row[1] for row in sheet_rows(export_as(client, user, query))[1:])

    assert titles(city.alice) == ["专题会的事项", "发改委的事项", "财政局的事项"]
    assert titles(city.alice, {"kind": "executive"}) == ["发改委的事项", "财政局的事项"]
    # The portfolio leader of unit A sees only its decisions.
    assert titles(city.pat) == ["专题会的事项", "发改委的事项"]
    client.force_login(city.alice)
    assert client.get(EXPORT, {"year": "1900"}).status_code == 400
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
    assert (Meeting.objects.count(), Task.objects.count()) == (0, 0)


def test_the_meeting_list_links_to_the_ledger(client, city):
    client.force_login(city.alice)
    page = client.get(reverse("meetings:index"), {"kind": "executive", "page": 2})
    content = page.content.decode()
    assert f'href="{EXPORT}?kind=executive"' in content
    assert f'href="{TEMPLATE}"' in content and f'href="{IMPORT}"' in content
    client.force_login(city.mayor)
    content = client.get(reverse("meetings:index")).content.decode()
    assert f'href="{EXPORT}"' in content and f'href="{IMPORT}"' not in content
