"""Assignments from above: the item services (the one place items are numbered) and the
ledger (上级交办事项台账) — template, import, re-import, corrections and round trips."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives import services
from directives.ledger import SUPERIOR_LEDGER
from directives.models import AssignmentItem, SuperiorAssignment
from directives.services import Item, UnitsAndPeople
from taskboard.choices import DeadlineSource, TaskOrigin, TaskState
from taskboard.ledger import TASK_LEDGER, ledger_import
from taskboard.models import Task
from taskboard.services import ActionNotAllowed

from ..taskboard.test_ledger import XLSX, sheet_rows, xlsx
from .conftest import make_proposal
from .test_ledger_sources import (
    errors_of,
    export_as,
    imported,
    keys,
    make_line,
    snapshot,
    template_of,
)

RECEIVED = datetime.date(2026, 4, 1)
URLS = {
    name: reverse(f"directives:superior_ledger_{name}") for name in ("template", "export", "import")
}


@pytest.fixture(autouse=True)
def april_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


def register(city, *, title="巡视反馈问题整改清单", items=None, **extra):
    return services.superior_assignment_create(
        by=city.alice,
        issuing_body=extra.pop("issuing_body", "省委第三巡视组"),
        reference=extra.pop("reference", "湘巡反〔2026〕3号"),
        title=title,
        received_on=extra.pop("received_on", RECEIVED),
        items=items
        or [Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30))],
    )


# ---------------------------------------------------------------------------
# The item services


def test_items_are_numbered_after_the_last_unless_a_free_number_is_given(city):
    assignment = register(city)

    def add(number=None):
        return services.assignment_item_create(
            assignment=assignment,
            by=city.alice,
            text="整改资金拨付滞后问题\n限期拨付到位。",
            people=UnitsAndPeople(city.unit_b, co_units=[city.unit_a]),
            deadline=datetime.date(2026, 5, 31),
            number=number,
        )

    assert add().number == 2
    assert add(number=7).number == 7
    item = add()
    assert item.number == 8
    task = item.task
    assert (task.origin, task.deadline_source, task.state) == (
        TaskOrigin.SUPERIOR,
        DeadlineSource.SUPERIOR,
        TaskState.DRAFT,
    )
    assert task.title == "整改资金拨付滞后问题" and task.requirement == item.text
    assert (task.lead_unit, list(task.co_units.all())) == (city.unit_b, [city.unit_a])
    before = Task.objects.count()
    with pytest.raises(ValidationError) as refused:
        add(number=7)
    assert set(refused.value.message_dict) == {"number"}
    assert Task.objects.count() == before and assignment.items.count() == 4


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"people": UnitsAndPeople(None)}, {"lead_unit"}),
        ({"deadline": None}, {"deadline"}),
        ({"deadline": datetime.date(2026, 3, 31)}, {"deadline"}),
        ({"text": "  "}, {"text"}),
        ({"text": "", "deadline": None}, {"text", "deadline"}),
    ],
    ids=["no lead unit", "no deadline", "due before received", "blank", "two at once"],
)
def test_a_bad_item_is_refused_field_by_field_and_saves_nothing(city, changes, fields):
    assignment = register(city)
    before = (Task.objects.count(), AssignmentItem.objects.count())
    arguments = {
        "text": "整改资金拨付滞后问题",
        "people": UnitsAndPeople(city.unit_b),
        "deadline": datetime.date(2026, 5, 31),
    } | changes
    with pytest.raises(ValidationError) as refused:
        services.assignment_item_create(assignment=assignment, by=city.alice, **arguments)
    assert set(refused.value.message_dict) == fields
    assert (Task.objects.count(), AssignmentItem.objects.count()) == before


def test_the_form_path_says_which_item_is_wrong_and_saves_nothing(city):
    with pytest.raises(ValidationError) as refused:
        register(
            city,
            items=[
                Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30)),
                Item("整改资金拨付滞后问题", UnitsAndPeople(None), datetime.date(2026, 3, 1)),
            ],
        )
    assert len(refused.value.messages) == 2  # the lead unit and the deadline of item 2
    assert not SuperiorAssignment.objects.exists() and not Task.objects.exists()


def test_only_the_office_adds_items(city):
    assignment = register(city)
    for person in (city.uma, city.pat, city.mayor):
        with pytest.raises(ActionNotAllowed):
            services.assignment_item_create(
                assignment=assignment,
                by=person,
                text="整改",
                people=UnitsAndPeople(city.unit_a),
                deadline=datetime.date(2026, 6, 30),
            )
    assert assignment.items.count() == 1


def test_updating_an_item_passes_it_to_its_task_and_keeps_an_assigned_deadline(city):
    assignment = register(city)
    item = assignment.items.get()
    item = services.assignment_item_update(
        item=item,
        by=city.alice,
        text="整改项目审批慢问题\n压缩审批时限。",
        people=UnitsAndPeople(city.unit_b, co_units=[city.unit_a], owner=city.bob),
        deadline=datetime.date(2026, 6, 15),
    )
    task = Task.objects.get(pk=item.task_id)
    assert item.text == task.requirement == "整改项目审批慢问题\n压缩审批时限。"
    assert (task.lead_unit, task.owner, task.deadline) == (
        city.unit_b,
        city.bob,
        datetime.date(2026, 6, 15),
    )
    services.superior_assignment_assign(assignment=assignment, by=city.alice)
    item.refresh_from_db()
    services.assignment_item_update(
        item=item,
        by=city.alice,
        text="整改项目审批慢问题",
        title="审批提速",
        people=UnitsAndPeople(city.unit_b),
        deadline=datetime.date(2026, 9, 30),
    )
    task.refresh_from_db()
    assert (task.title, task.state) == ("审批提速", TaskState.ASSIGNED)
    assert task.deadline == datetime.date(2026, 6, 15)  # only an extension moves it now


# ---------------------------------------------------------------------------
# The ledger

line = make_line(
    SUPERIOR_LEDGER,
    {
        "requirement": "整改项目审批慢问题，压缩审批时限。",
        "origin": "上级交办",
        "lead_unit": "市发展和改革委员会",
        "issuing_body": "省委第三巡视组",
        "assignment_reference": "湘巡反〔2026〕3号",
        "assignment_title": "巡视反馈问题整改清单",
        "received_on": "2026-04-01",
        "item_number": 1,
        "deadline": "2026-06-30",
    },
)


def test_template_has_the_task_and_assignment_columns_and_instructions(client, city):
    workbook, instructions = template_of(client, city.alice, URLS["template"])

    assert workbook.sheetnames == ["台账", "说明"]
    assert [cell.value for cell in workbook["台账"][1]] == [
        *TASK_LEDGER.headers,
        "交办机关",
        "交办文号",
        "交办文件标题",
        "收到日期",
        "事项序号",
    ]
    for header in SUPERIOR_LEDGER.headers:
        assert header in instructions
    assert "上级交办事项台账填写说明" in instructions


def test_a_clean_file_registers_the_assignment_and_its_items(city):
    existing = register(city, title="督查反馈问题清单", reference="")
    result = imported(
        SUPERIOR_LEDGER,
        [
            line(co_units="市财政局", assigned_on="2026-04-02", owner="uma"),
            line(
                item_number=2,
                title="资金拨付",
                requirement="整改资金拨付滞后问题。",
                lead_unit="市财政局",
                deadline="2026-05-31",
            ),
            line(
                assignment_title="督查反馈问题清单",
                assignment_reference=None,
                item_number=2,
                requirement="补充问题：项目推进缓慢。",
            ),
        ],
        city.alice,
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assignment = SuperiorAssignment.objects.get(title="巡视反馈问题整改清单")
    assert (assignment.issuing_body, assignment.reference, assignment.received_on) == (
        "省委第三巡视组",
        "湘巡反〔2026〕3号",
        RECEIVED,
    )
    assert assignment.created_by == city.alice
    first, second = assignment.items.order_by("number").select_related("task")
    # 标题 left blank: the item's first line, as the web form does.
    assert first.task.title == first.text == "整改项目审批慢问题，压缩审批时限。"
    assert (first.task.state, first.task.assigned_on, first.task.deadline) == (
        TaskState.ASSIGNED,
        datetime.date(2026, 4, 2),
        datetime.date(2026, 6, 30),
    )
    assert list(first.task.co_units.all()) == [city.unit_b] and first.task.owner == city.uma
    assert (second.task.title, second.text) == ("资金拨付", "整改资金拨付滞后问题。")
    assert (second.task.state, second.task.deadline) == (
        TaskState.DRAFT,
        datetime.date(2026, 5, 31),
    )
    assert second.task.origin == TaskOrigin.SUPERIOR
    added = existing.items.get(number=2)
    assert added.task.lead_unit == city.unit_a and added.task.year == 2026
    assert existing.items.count() == 2


def test_every_kind_of_bad_row_is_reported_and_nothing_is_imported(city):
    assignment = register(city)
    item = assignment.items.get()
    register(city, title="重复清单")
    register(city, title="重复清单")
    proposal = make_proposal(city)
    before = snapshot(AssignmentItem)
    rows = [
        line(item_number=2),  # 2
        line(item_number=3, lead_unit="不存在的局"),  # 3
        line(item_number=4, deadline="2026-06-31"),  # 4
        line(item_number=5, lead_unit=None),  # 5
        line(item_number=6, assigned_on="2026-04-10", deadline="2026-04-09"),  # 6
        line(item_number=1, code=item.task.code),  # 7
        line(item_number=1, code=item.task.code),  # 8: the code of row 7
        line(item_number=2),  # 9: the same item as row 2
        line(item_number=10, origin="领导批示"),  # 10
        line(item_number=11, deadline="2026-03-31"),  # 11
        line(item_number=12, deadline=None),  # 12
        line(item_number=13, received_on="2026-04-03"),  # 13
        line(assignment_title="新清单", item_number=1, received_on="2026-04-05"),  # 14
        line(assignment_title="新清单", item_number=2, received_on="2026-04-06"),  # 15
        line(item_number=16, code=proposal.task.code),  # 16
        line(item_number=9, code=item.task.code, requirement="改"),  # 17
        line(item_number=18, title=None, requirement=None),  # 18
        line(assignment_title="重复清单", item_number=2),  # 19
        line(item_number=20, issuing_body=None),  # 20
        line(item_number=21, assigned_on="2026-03-30", deadline="2026-06-30"),  # 21
    ]

    errors = errors_of(SUPERIOR_LEDGER, rows, city.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "办结时限", "bad_date"),
        (5, "牵头单位", "required"),
        (6, "办结时限", "deadline_before_assignment"),
        (8, "编号", "duplicate_code"),
        (8, "事项序号", "duplicate_item"),
        (9, "事项序号", "duplicate_item"),
        (10, "来源类别", "wrong_origin"),
        (11, "办结时限", "deadline_before_received"),
        (12, "办结时限", "deadline_required"),
        (13, "收到日期", "received_on_mismatch"),
        (15, "收到日期", "received_on_conflict"),
        (16, "编号", "not_an_assigned_item"),
        (16, "来源类别", "not_editable"),
        (17, "编号", "duplicate_code"),
        (17, "事项序号", "not_editable"),
        (18, "标题", "required"),
        (19, "交办文件标题", "ambiguous_assignment"),
        (20, "交办机关", "required"),
        (21, "交办日期", "assigned_before_received"),
    }
    result = imported(SUPERIOR_LEDGER, rows, city.alice)
    assert not result.ok and result.rows == []
    assert snapshot(AssignmentItem) == before
    assert SuperiorAssignment.objects.count() == 3


@pytest.mark.parametrize(
    ("headers", "rows", "code"),
    [
        ([h for h in SUPERIOR_LEDGER.headers if h != "事项序号"], [["x"]], "missing_column"),
        (SUPERIOR_LEDGER.headers, [], "empty"),
    ],
    ids=["wrong headers", "empty file"],
)
def test_a_file_with_wrong_headers_or_no_rows_imports_nothing(city, headers, rows, code):
    result = ledger_import(file=xlsx(rows, headers=headers), by=city.alice, spec=SUPERIOR_LEDGER)
    assert [e.code for e in result.errors] == [code]
    assert not SuperiorAssignment.objects.exists() and not Task.objects.exists()


def test_the_import_page_lists_the_bad_row_and_imports_nothing(client, city):
    rows = [line(item_number=n) for n in range(1, 5)]
    rows[2] = line(item_number=3, received_on="2026年4月31日")
    client.force_login(city.alice)

    response = client.post(URLS["import"], {"file": xlsx(rows, headers=SUPERIOR_LEDGER.headers)})

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(4, "收到日期", "bad_date")]
    assert not SuperiorAssignment.objects.exists() and not Task.objects.exists()


def test_reimporting_the_same_file_changes_nothing(city):
    rows = [
        line(assigned_on="2026-04-02", co_units="市财政局"),
        line(item_number=2, title="资金拨付", requirement="整改资金拨付滞后问题。\r\n限期拨付。\n"),
    ]
    assert imported(SUPERIOR_LEDGER, rows, city.alice).ok
    assert (
        AssignmentItem.objects.get(number=2).task.requirement
        == "整改资金拨付滞后问题。\n限期拨付。"
    )
    before = snapshot(AssignmentItem)

    again = imported(SUPERIOR_LEDGER, rows, city.alice)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(AssignmentItem) == before
    assert SuperiorAssignment.objects.count() == 1


def test_a_corrected_original_file_updates_the_items_by_number(city):
    rows = [line(), line(item_number=2, requirement="整改资金拨付滞后问题。")]
    assert imported(SUPERIOR_LEDGER, rows, city.alice).ok
    rows[1] = line(
        item_number=2,
        requirement="整改资金拨付滞后问题，6月底前拨付到位。",
        lead_unit="市财政局",
        deadline="2026-06-20",
    )

    result = imported(SUPERIOR_LEDGER, rows, city.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    item = AssignmentItem.objects.get(number=2)
    assert item.text == item.task.requirement == "整改资金拨付滞后问题，6月底前拨付到位。"
    assert item.task.title == "整改资金拨付滞后问题，6月底前拨付到位。"
    assert (item.task.lead_unit, item.task.deadline) == (city.unit_b, datetime.date(2026, 6, 20))
    assert AssignmentItem.objects.count() == 2 and Task.objects.count() == 2


def test_export_then_import_round_trips_and_corrections_go_by_code(client, city):
    assignment = register(
        city,
        items=[
            Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30)),
            Item(
                "整改资金拨付滞后问题\n限期拨付。",
                UnitsAndPeople(city.unit_b, co_units=[city.unit_a]),
                datetime.date(2026, 5, 31),
            ),
        ],
    )
    services.superior_assignment_assign(assignment=assignment, by=city.alice)
    before = snapshot(AssignmentItem)
    exported = export_as(client, city.alice, URLS["export"])
    rows = sheet_rows(exported)
    assert rows[0] == SUPERIOR_LEDGER.headers and len(rows) == 3
    assert [row[keys(SUPERIOR_LEDGER).index("item_number")] for row in rows[1:]] == [1, 2]

    unchanged = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX),
        by=city.alice,
        spec=SUPERIOR_LEDGER,
    )
    assert unchanged.ok, unchanged.errors
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 2)
    assert snapshot(AssignmentItem) == before

    second = assignment.items.get(number=2)
    by_code = {row[0]: row for row in rows[1:]}
    by_code[second.task.code][keys(SUPERIOR_LEDGER).index("requirement")] = "整改资金拨付滞后问题。"
    by_code[second.task.code][keys(SUPERIOR_LEDGER).index("owner")] = "bob"
    rows.append(line(item_number=3, requirement="新增问题：台账不全。"))

    result = imported(SUPERIOR_LEDGER, rows[1:], city.alice)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    second.refresh_from_db()
    assert second.text == second.task.requirement == "整改资金拨付滞后问题。"
    assert second.task.owner == city.bob and second.task.state == TaskState.ASSIGNED
    assert second.task.deadline == datetime.date(2026, 5, 31)
    assert [i.number for i in assignment.items.all()] == [1, 2, 3]
    assert SuperiorAssignment.objects.count() == 1 and Task.objects.count() == 3


def test_changing_an_assigned_deadline_in_the_ledger_is_refused(client, city):
    assignment = register(city)
    services.superior_assignment_assign(assignment=assignment, by=city.alice)
    rows = sheet_rows(export_as(client, city.alice, URLS["export"]))[1:]
    rows[0][keys(SUPERIOR_LEDGER).index("deadline")] = datetime.date(2026, 9, 30)
    before = snapshot(AssignmentItem)

    result = imported(SUPERIOR_LEDGER, rows, city.alice)

    assert not result.ok and {e.column for e in result.errors} == {"办结时限"}
    assert snapshot(AssignmentItem) == before


def test_export_follows_the_list_filters_and_what_the_person_may_see(client, city):
    register(
        city,
        items=[
            Item("甲单位的问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30)),
            Item("乙单位的问题", UnitsAndPeople(city.unit_b), datetime.date(2026, 6, 30)),
        ],
    )
    register(city, title="去年的清单", received_on=datetime.date(2025, 11, 3))
    column = keys(SUPERIOR_LEDGER).index("requirement")

    def texts(user, **query):
        client.force_login(user)
        response = client.get(URLS["export"], query)
        return sorted(row[column] for row in sheet_rows(b"".join(response.streaming_content))[1:])

    assert texts(city.alice, year=2026) == ["乙单位的问题", "甲单位的问题"]
    assert texts(city.alice) == ["乙单位的问题", "整改项目审批慢问题", "甲单位的问题"]
    assert texts(city.pat, year=2026) == ["甲单位的问题"]
    client.force_login(city.alice)
    assert client.get(URLS["export"], {"year": "abc"}).status_code == 400


@pytest.mark.parametrize("username", ["uma", "pat", "mayor"])
def test_only_the_office_may_import(client, city, username):
    client.force_login(getattr(city, username))
    assert client.get(URLS["import"]).status_code == 403
    response = client.post(
        URLS["import"], {"file": xlsx([line()], headers=SUPERIOR_LEDGER.headers)}
    )
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_the_list_links_to_the_ledger(client, city):
    client.force_login(city.alice)
    content = client.get(reverse("directives:superior_list"), {"year": 2026}).content.decode()
    assert f'href="{URLS["export"]}?year=2026"' in content
    assert f'href="{URLS["template"]}"' in content and f'href="{URLS["import"]}"' in content
    client.force_login(city.mayor)
    content = client.get(reverse("directives:superior_list")).content.decode()
    assert f'href="{URLS["export"]}"' in content and f'href="{URLS["import"]}"' not in content
