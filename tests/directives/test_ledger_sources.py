"""The ledgers of work-report targets and leader instructions: template, import, re-import,
corrections by code and export round trips, as the proposals' ledger does."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from directives.choices import InstructionKind
from directives.ledger import INSTRUCTION_LEDGER, TARGET_LEDGER
from directives.models import Instruction, Target
from taskboard.choices import DeadlineSource, TaskOrigin, TaskState
from taskboard.ledger import TASK_LEDGER, ledger_import, ledger_validate
from taskboard.models import Task, TaskEvent
from taskboard.workdays import deadlines_for

from ..taskboard.test_ledger import XLSX, body, sheet_rows, xlsx
from .conftest import make_instruction, make_proposal


@pytest.fixture(autouse=True)
def april_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def keys(spec):
    return [column.key for column in spec.columns]


def make_line(spec, defaults):
    def line(**cells) -> list:
        cells = {**defaults, **cells}
        return [cells.get(key) for key in keys(spec)]

    return line


def imported(spec, rows, by):
    return ledger_import(file=xlsx(rows, headers=spec.headers), by=by, spec=spec)


def errors_of(spec, rows, by) -> set[tuple]:
    plan = ledger_validate(file=xlsx(rows, headers=spec.headers), by=by, spec=spec)
    return {(e.row, e.column, e.code) for e in plan.errors}


def snapshot(model):
    return (
        model.objects.count(),
        TaskEvent.objects.count(),
        sorted(Task.objects.values_list("code", "version")),
        sorted(Task.history.values_list("history_id", flat=True)),
    )


def export_as(client, user, url) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return body(response)


def template_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(body(response)))
    instructions = "\n".join(
        str(value) for row in workbook["说明"].iter_rows(values_only=True) for value in row if value
    )
    return workbook, instructions


# ---------------------------------------------------------------------------
# Work-report targets

TARGET_URLS = {
    name: reverse(f"directives:target_ledger_{name}") for name in ("template", "export", "import")
}
target_line = make_line(
    TARGET_LEDGER,
    {
        "title": "地区生产总值增长6%左右",
        "origin": "政府工作报告目标任务",
        "lead_unit": "市发展和改革委员会",
        "report_year": 2026,
        "report_title": "2026年政府工作报告",
        "target_number": 1,
        "chapter": "经济发展",
        "indicator": "地区生产总值增速",
        "target_value": "6%左右",
    },
)


def test_target_template_has_the_task_and_target_columns_and_instructions(client, city):
    workbook, instructions = template_of(client, city.alice, TARGET_URLS["template"])

    assert workbook.sheetnames == ["台账", "说明"]
    assert [cell.value for cell in workbook["台账"][1]] == [
        *TASK_LEDGER.headers,
        "报告年度",
        "报告标题",
        "目标序号",
        "篇章类别",
        "指标",
        "目标值",
    ]
    for header in TARGET_LEDGER.headers:
        assert header in instructions
    assert "政府工作报告目标任务台账填写说明" in instructions


def test_a_clean_target_file_creates_targets_and_tasks(city, report):
    result = imported(
        TARGET_LEDGER,
        [
            target_line(
                requirement="全市地区生产总值增长6%左右。",
                co_units="市财政局",
                assigned_on="2026-03-16",
                deadline="2026-12-20",
            ),
            target_line(
                title="新增城镇就业3万人",
                target_number=2,
                lead_unit="市财政局",
                chapter="民生",
                indicator=None,
                target_value=None,
            ),
        ],
        city.alice,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = Target.objects.get(report=report, number=1)
    assert first.text == "全市地区生产总值增长6%左右。"
    assert (first.chapter, first.indicator, first.target_value) == (
        "经济发展",
        "地区生产总值增速",
        "6%左右",
    )
    task = first.task
    assert task.origin == TaskOrigin.WORK_REPORT and task.year == 2026
    assert task.title == "地区生产总值增长6%左右" and task.state == TaskState.ASSIGNED
    assert (task.assigned_on, task.deadline) == (
        datetime.date(2026, 3, 16),
        datetime.date(2026, 12, 20),
    )
    assert list(task.co_units.all()) == [city.unit_b]
    second = Target.objects.get(report=report, number=2)
    assert second.text == "新增城镇就业3万人" and second.task.lead_unit == city.unit_b
    # No deadline: the end of the report's year; no assignment date: a draft.
    assert second.task.state == TaskState.DRAFT
    assert second.task.deadline == datetime.date(2026, 12, 31)


def test_a_bad_target_row_is_reported_and_nothing_is_imported(city, report):
    existing = Target.objects.get(
        pk=imported(TARGET_LEDGER, [target_line(target_number=9)], city.alice)
        .rows[0]
        .task.work_report_target.pk
    )
    proposal = make_proposal(city)
    before = snapshot(Target)
    rows = [
        target_line(),  # 2
        target_line(target_number=2, lead_unit="不存在的局"),  # 3
        target_line(target_number=3, deadline="2026-13-01"),  # 4
        target_line(target_number=4, lead_unit=None),  # 5
        target_line(target_number=5, assigned_on="2026-03-20", deadline="2026-03-19"),  # 6
        target_line(target_number=9, code=existing.task.code),  # 7
        target_line(target_number=9, code=existing.task.code),  # 8
        target_line(target_number=1),  # 9: the same target as row 2
        target_line(target_number=6, origin="领导批示"),  # 10
        target_line(target_number=7, report_title="2025年政府工作报告"),  # 11
        target_line(target_number=8, code=proposal.task.code),  # 12
        target_line(target_number=10, deadline="2026-03-01"),  # 13
        target_line(target_number=11, code=existing.task.code),  # 14
    ]

    errors = errors_of(TARGET_LEDGER, rows, city.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "办结时限", "bad_date"),
        (5, "牵头单位", "required"),
        (6, "办结时限", "deadline_before_assignment"),
        (8, "编号", "duplicate_code"),
        (8, "目标序号", "duplicate_item"),
        (9, "目标序号", "duplicate_item"),
        (10, "来源类别", "wrong_origin"),
        (11, "报告标题", "unknown_report"),
        (12, "编号", "not_a_target"),
        (12, "来源类别", "not_editable"),
        (13, "办结时限", "deadline_before_session"),
        (14, "编号", "duplicate_code"),
        (14, "目标序号", "not_editable"),
    }
    result = imported(TARGET_LEDGER, rows, city.alice)
    assert not result.ok and result.rows == []
    assert snapshot(Target) == before


def test_the_target_page_lists_the_bad_row_and_imports_nothing(client, city, report):
    rows = [target_line(target_number=n) for n in range(1, 5)]
    rows[2] = target_line(target_number=3, lead_unit="不存在的局")
    client.force_login(city.alice)

    response = client.post(
        TARGET_URLS["import"], {"file": xlsx(rows, headers=TARGET_LEDGER.headers)}
    )

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(4, "牵头单位", "unknown_unit")]
    assert Target.objects.count() == 0 and Task.objects.count() == 0


def test_reimporting_the_same_target_file_changes_nothing(city, report):
    rows = [
        target_line(
            requirement="全市地区生产总值增长6%左右。\n分季度推进。", assigned_on="2026-03-16"
        ),
        target_line(title="新增城镇就业3万人", target_number=2, owner="uma"),
    ]
    assert imported(TARGET_LEDGER, rows, city.alice).ok
    before = snapshot(Target)

    again = imported(TARGET_LEDGER, rows, city.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(Target) == before


def test_a_corrected_target_file_updates_by_code_and_round_trips(client, city, report):
    assert imported(
        TARGET_LEDGER,
        [target_line(), target_line(title="新增城镇就业3万人", target_number=2)],
        city.alice,
    ).ok
    before = snapshot(Target)
    exported = export_as(client, city.alice, TARGET_URLS["export"])
    rows = sheet_rows(exported)
    assert rows[0] == TARGET_LEDGER.headers and len(rows) == 3

    unchanged = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX),
        by=city.alice,
        spec=TARGET_LEDGER,
    )
    assert unchanged.ok and (unchanged.created, unchanged.updated, unchanged.unchanged) == (
        0,
        0,
        2,
    )
    assert snapshot(Target) == before

    first = Target.objects.get(number=1)
    by_code = {row[0]: row for row in rows[1:]}
    by_code[first.task.code][keys(TARGET_LEDGER).index("target_value")] = "6.5%左右"
    by_code[first.task.code][keys(TARGET_LEDGER).index("lead_unit")] = "市财政局"

    result = imported(TARGET_LEDGER, rows[1:], city.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    first.refresh_from_db()
    assert first.target_value == "6.5%左右" and first.task.lead_unit == city.unit_b
    assert Target.objects.count() == 2 and Task.objects.count() == 2


# ---------------------------------------------------------------------------
# Leader instructions

INSTRUCTION_URLS = {
    name: reverse(f"directives:instruction_ledger_{name}")
    for name in ("template", "export", "import")
}
instruction_line = make_line(
    INSTRUCTION_LEDGER,
    {
        "title": "尽快解决群众反映的供暖问题",
        "requirement": "请市发改委牵头、市财政局配合，尽快解决群众反映的供暖问题。",
        "origin": "领导批示",
        "lead_unit": "市发展和改革委员会",
        "leader": "mayor",
        "issued_on": "2026-03-02",
        "instruction_kind": "群众来信批示",
        "instruction_reference": "市长信箱〔2026〕215号",
    },
)


def test_instruction_template_has_the_task_and_instruction_columns_and_instructions(client, city):
    workbook, instructions = template_of(client, city.alice, INSTRUCTION_URLS["template"])

    assert workbook.sheetnames == ["台账", "说明"]
    assert [cell.value for cell in workbook["台账"][1]] == [
        *TASK_LEDGER.headers,
        "批示领导",
        "批示日期",
        "批示类型",
        "文件或来信文号",
    ]
    for header in INSTRUCTION_LEDGER.headers:
        assert header in instructions
    assert "领导批示台账填写说明" in instructions


def test_a_clean_instruction_file_creates_instructions_and_tasks(city):
    result = imported(
        INSTRUCTION_LEDGER,
        [
            instruction_line(co_units="市财政局", assigned_on="2026-03-03", deadline="2026-03-31"),
            instruction_line(
                title="调研时要求加快产业园建设",
                requirement=None,
                leader="pat",
                instruction_kind="调研批示",
                instruction_reference=None,
            ),
        ],
        city.alice,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = Instruction.objects.get(leader=city.mayor)
    assert first.kind == InstructionKind.LETTER and first.reference == "市长信箱〔2026〕215号"
    assert first.issued_on == datetime.date(2026, 3, 2) and first.created_by == city.alice
    task = first.task
    assert task.origin == TaskOrigin.INSTRUCTION and task.lead_leader == city.mayor
    assert task.title == "尽快解决群众反映的供暖问题" and task.state == TaskState.ASSIGNED
    assert task.deadline == datetime.date(2026, 3, 31)
    assert list(task.co_units.all()) == [city.unit_b]
    second = Instruction.objects.get(leader=city.pat)
    assert second.kind == InstructionKind.FIELD_VISIT and second.text == "调研时要求加快产业园建设"
    assert second.task.state == TaskState.DRAFT and second.task.lead_leader == city.pat
    rule = deadlines_for(DeadlineSource.PORTFOLIO_INSTRUCTION, datetime.date(2026, 3, 2))
    assert second.task.deadline == rule.feedback_by


def test_a_bad_instruction_row_is_reported_and_nothing_is_imported(city):
    existing = make_instruction(city, text="已登记的批示内容。")
    proposal = make_proposal(city)
    before = snapshot(Instruction)
    rows = [
        instruction_line(),  # 2
        instruction_line(title="二", requirement="二", lead_unit="不存在的局"),  # 3
        instruction_line(title="三", requirement="三", issued_on="2026-02-30"),  # 4
        instruction_line(title="四", requirement="四", lead_unit=None),  # 5
        instruction_line(
            title="五", requirement="五", assigned_on="2026-03-10", deadline="2026-03-09"
        ),  # 6
        instruction_line(code=existing.task.code, requirement="已登记的批示内容。"),  # 7
        instruction_line(code=existing.task.code, requirement="已登记的批示内容。"),  # 8
        instruction_line(),  # 9: the same instruction as row 2
        instruction_line(title="十", requirement="十", origin="建议提案"),  # 10
        instruction_line(title="十一", requirement="十一", leader="无此人"),  # 11
        instruction_line(title="十二", requirement="十二", leader="uma"),  # 12
        instruction_line(title="十三", requirement="十三", code=proposal.task.code),  # 13
        instruction_line(title="十四", requirement="十四", instruction_kind="口头"),  # 14
        instruction_line(title="十五", requirement="十五", deadline="2026-03-01"),  # 15
    ]

    errors = errors_of(INSTRUCTION_LEDGER, rows, city.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "批示日期", "bad_date"),
        (5, "牵头单位", "required"),
        (6, "办结时限", "deadline_before_assignment"),
        (8, "编号", "duplicate_code"),
        (8, "工作要求", "duplicate_item"),
        (9, "工作要求", "duplicate_item"),
        (10, "来源类别", "wrong_origin"),
        (11, "批示领导", "unknown_person"),
        (12, "批示领导", "not_a_leader"),
        (12, "牵头领导", "not_a_leader"),
        (13, "编号", "not_an_instruction"),
        (13, "来源类别", "not_editable"),
        (14, "批示类型", "unknown_instruction_kind"),
        (15, "办结时限", "deadline_before_instruction"),
    }
    result = imported(INSTRUCTION_LEDGER, rows, city.alice)
    assert not result.ok and result.rows == []
    assert snapshot(Instruction) == before


def test_reimporting_the_same_instruction_file_changes_nothing(city):
    rows = [
        instruction_line(assigned_on="2026-03-03"),
        instruction_line(title="调研时要求加快产业园建设", requirement=None, leader="pat"),
    ]
    assert imported(INSTRUCTION_LEDGER, rows, city.alice).ok
    before = snapshot(Instruction)

    again = imported(INSTRUCTION_LEDGER, rows, city.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(Instruction) == before


def test_a_corrected_instruction_file_updates_by_code_and_round_trips(client, city):
    first = make_instruction(city)
    make_instruction(city, leader=city.pat, text="调研时要求加快产业园建设。", kind="field_visit")
    before = snapshot(Instruction)
    exported = export_as(client, city.alice, INSTRUCTION_URLS["export"])
    rows = sheet_rows(exported)
    assert rows[0] == INSTRUCTION_LEDGER.headers and len(rows) == 3

    unchanged = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX),
        by=city.alice,
        spec=INSTRUCTION_LEDGER,
    )
    assert unchanged.ok and (unchanged.created, unchanged.updated, unchanged.unchanged) == (
        0,
        0,
        2,
    )
    assert snapshot(Instruction) == before

    by_code = {row[0]: row for row in rows[1:]}
    by_code[first.task.code][keys(INSTRUCTION_LEDGER).index("requirement")] = "改正后的批示内容。"
    by_code[first.task.code][keys(INSTRUCTION_LEDGER).index("instruction_reference")] = (
        "〔2026〕9号"
    )

    result = imported(INSTRUCTION_LEDGER, rows[1:], city.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    first.refresh_from_db()
    assert first.text == first.task.requirement == "改正后的批示内容。"
    assert first.reference == "〔2026〕9号"
    assert Instruction.objects.count() == 2 and Task.objects.count() == 2


# ---------------------------------------------------------------------------
# Who may import; the list pages' links


@pytest.mark.parametrize(
    ("urls", "spec", "line"),
    [
        (TARGET_URLS, TARGET_LEDGER, target_line),
        (INSTRUCTION_URLS, INSTRUCTION_LEDGER, instruction_line),
    ],
)
def test_a_unit_head_may_not_import(client, city, report, urls, spec, line):
    client.force_login(city.uma)
    assert client.get(urls["import"]).status_code == 403
    response = client.post(urls["import"], {"file": xlsx([line()], headers=spec.headers)})
    assert response.status_code == 403
    assert Task.objects.count() == 0


@pytest.mark.parametrize(
    ("list_name", "urls"),
    [("work_report_list", TARGET_URLS), ("instruction_list", INSTRUCTION_URLS)],
)
def test_the_lists_link_to_their_ledgers(client, city, list_name, urls):
    client.force_login(city.alice)
    content = client.get(reverse(f"directives:{list_name}"), {"year": 2026}).content.decode()
    assert f'href="{urls["export"]}?year=2026"' in content
    assert f'href="{urls["template"]}"' in content and f'href="{urls["import"]}"' in content
    client.force_login(city.mayor)
    content = client.get(reverse(f"directives:{list_name}")).content.decode()
    assert f'href="{urls["export"]}"' in content and f'href="{urls["import"]}"' not in content
