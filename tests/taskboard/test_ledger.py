import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from taskboard import ledger
from taskboard.choices import EventKind, FeedbackCadence, Role, TaskOrigin, TaskState
from taskboard.ledger import TASK_LEDGER, Column, ledger_import, ledger_validate
from taskboard.models import Task, TaskEvent
from taskboard.services import ActionNotAllowed, task_assign, task_create

from ..factories import TaskFactory, UnitFactory, person

TEMPLATE = reverse("taskboard:ledger_template")
EXPORT = reverse("taskboard:ledger_export")
IMPORT = reverse("taskboard:ledger_import")
HEADERS = TASK_LEDGER.headers
KEYS = [column.key for column in TASK_LEDGER.columns]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def march_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def named(city):
    """The city with names as the ledger writes them."""
    city.pat.first_name = "张副市长"
    city.pat.save()
    city.uma.first_name = "王主任"
    city.uma.save()
    return city


def line(**cells) -> list:
    """A ledger row; cells by column key, the rest blank."""
    return [cells.get(key) for key in KEYS]


def good_line(**cells) -> list:
    defaults = {"title": "推进重点项目建设", "origin": "会议议定事项", "lead_unit": "市财政局"}
    return line(**{**defaults, **cells})


def xlsx(rows, headers=HEADERS, name="台账.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def sheet_rows(data: bytes, sheet="台账") -> list[list]:
    """The sheet's values; Excel's dates (naive datetimes to openpyxl) as dates."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        [v.date() if isinstance(v, datetime.datetime) else v for v in row]
        for row in workbook[sheet].iter_rows(values_only=True)
    ]


def errors_of(upload, by) -> set[tuple]:
    return {(e.row, e.column, e.code) for e in ledger_validate(file=upload, by=by).errors}


def registered(city, title, *, lead_unit=None, assigned=True, **kwargs) -> Task:
    task = task_create(
        by=city.alice,
        title=title,
        lead_unit=lead_unit or city.unit_a,
        origin=TaskOrigin.MEETING,
        **kwargs,
    )
    if assigned:
        task = task_assign(
            task=task,
            by=city.alice,
            assigned_on=datetime.date(2026, 3, 2),
            deadline=datetime.date(2026, 6, 30),
        )
    return task


def export_as(client, user, query=None) -> bytes:
    client.force_login(user)
    response = client.get(EXPORT, query or {})
    assert response.status_code == 200
    return body(response)


# ---------------------------------------------------------------------------
# Template


def test_template_has_the_chinese_headers_a_frozen_bold_row_dropdowns_and_instructions(
    client, city
):
    client.force_login(city.alice)
    response = client.get(TEMPLATE)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(body(response)))
    assert workbook.sheetnames == ["台账", "说明"]
    sheet = workbook["台账"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert HEADERS == [
        "编号",
        "标题",
        "工作要求",
        "来源类别",
        "牵头领导",
        "牵头单位",
        "协办单位",
        "责任人",
        "交办日期",
        "办结时限",
        "反馈频次",
        "状态",
    ]
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width == 40
    dropdowns = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert "会议议定事项" in dropdowns["D2"]
    assert dropdowns["K2"] == '"周,月,季,办结时"'
    instructions = "\n".join(
        str(value) for row in workbook["说明"].iter_rows(values_only=True) for value in row if value
    )
    for header in HEADERS:
        assert header in instructions
    assert "2026/03/05" in instructions and "2026年3月5日" in instructions
    assert "编号留空" in instructions and "整个文件都不导入" in instructions


def test_template_and_export_need_a_login(client, db):
    for url in (TEMPLATE, EXPORT, IMPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------
# Export


def test_export_has_the_template_columns_and_one_row_per_task(client, named):
    task = task_create(
        by=named.alice,
        title="推进城区停车场建设",
        requirement="第一条\n第二条",
        lead_unit=named.unit_a,
        origin=TaskOrigin.KEY_PROJECT,
        lead_leader=named.pat,
        owner=named.uma,
        co_units=[named.unit_b],
        feedback_cadence=FeedbackCadence.WEEKLY,
    )
    task_assign(
        task=task,
        by=named.alice,
        assigned_on=datetime.date(2026, 3, 2),
        deadline=datetime.date(2026, 6, 30),
    )

    rows = sheet_rows(export_as(client, named.alice))

    assert rows[0] == HEADERS
    assert rows[1] == [
        task.code,
        "推进城区停车场建设",
        "第一条\n第二条",
        "重点项目和民生实事",
        "张副市长",
        "市发展和改革委员会",
        "市财政局",
        "王主任",
        datetime.date(2026, 3, 2),
        datetime.date(2026, 6, 30),
        "周",
        "已交办",
    ]


def test_unit_head_exports_only_the_tasks_of_their_unit(client, city):
    own = TaskFactory(lead_unit=city.unit_a, title="发改委牵头事项")
    co = TaskFactory(lead_unit=city.unit_b, title="发改委协办事项")
    co.co_units.add(city.unit_a)
    TaskFactory(lead_unit=city.unit_b, title="财政局独办事项")

    rows = sheet_rows(export_as(client, city.uma))

    assert sorted(row[0] for row in rows[1:]) == sorted([own.code, co.code])


def test_export_applies_the_task_list_filters(client, city):
    closed = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED, title="已销号事项")
    TaskFactory(lead_unit=city.unit_a, title="推进中的事项")
    TaskFactory(lead_unit=city.unit_b, state=TaskState.CLOSED, title="财政局已销号")

    rows = sheet_rows(
        export_as(client, city.alice, {"state": "closed", "lead_unit": city.unit_a.pk})
    )

    assert [row[0] for row in rows[1:]] == [closed.code]


def test_an_invalid_filter_exports_nothing(client, city):
    TaskFactory(lead_unit=city.unit_a)
    client.force_login(city.alice)
    response = client.get(EXPORT, {"lead_unit": 424242})
    assert response.status_code == 400
    assert not response.has_header("Content-Disposition")


def test_export_query_count_does_not_grow_with_the_rows(client, city, django_assert_num_queries):
    def tasks(count):
        for task in TaskFactory.create_batch(count, lead_unit=city.unit_a, lead_leader=city.pat):
            task.co_units.add(city.unit_b)

    client.force_login(city.alice)
    tasks(3)
    # session, user, profile, the filter's unit, tasks, co-units, people; the session's
    # save (savepoint, update, release)
    with django_assert_num_queries(10):
        assert len(sheet_rows(body(client.get(EXPORT, {"lead_unit": city.unit_a.pk})))) == 4
    tasks(40)
    with django_assert_num_queries(10):
        assert len(sheet_rows(body(client.get(EXPORT, {"lead_unit": city.unit_a.pk})))) == 44


def test_task_list_links_to_the_export_with_its_filters(client, city):
    client.force_login(city.uma)
    page = client.get(reverse("taskboard:task_list"), {"state": "closed", "page": 2})
    assert f'href="{EXPORT}?state=closed"' in page.content.decode()


# ---------------------------------------------------------------------------
# Import: clean files


def test_a_clean_file_creates_drafts_and_assigns_rows_with_both_dates(named):
    upload = xlsx(
        [
            good_line(
                title="推进城区停车场建设",
                requirement="年底前建成",
                origin="重点项目和民生实事",
                lead_leader="张副市长",
                lead_unit="市发展和改革委员会",
                co_units="市财政局，市发展和改革委员会",
                owner="uma",
                assigned_on="2026/3/2",
                deadline="2026年6月30日",
                feedback_cadence="周",
            ),
            good_line(title="研究财政资金保障", deadline=datetime.date(2026, 9, 30)),
        ]
    )

    result = ledger_import(file=upload, by=named.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assigned = Task.objects.get(title="推进城区停车场建设")
    assert assigned.state == TaskState.ASSIGNED
    assert (assigned.assigned_on, assigned.deadline) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 6, 30),
    )
    assert assigned.origin == TaskOrigin.KEY_PROJECT
    assert assigned.lead_leader == named.pat and assigned.owner == named.uma
    assert list(assigned.co_units.all()) == [named.unit_b]
    assert assigned.feedback_cadence == FeedbackCadence.WEEKLY
    assert assigned.requirement == "年底前建成"
    assert list(assigned.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
    ]
    draft = Task.objects.get(title="研究财政资金保障")
    assert draft.state == TaskState.DRAFT and draft.deadline == datetime.date(2026, 9, 30)
    assert draft.feedback_cadence == FeedbackCadence.MONTHLY
    assert draft.created_by == named.alice


@pytest.mark.parametrize(
    "cell",
    [
        "2026-06-30",
        "2026/06/30",
        "2026/6/30",
        "2026年6月30日",
        " 2026-6-30 ",
        datetime.date(2026, 6, 30),
        46203,  # the date as an Excel serial number whose date format was lost
    ],
)
def test_dates_are_read_from_excel_dates_and_the_usual_written_forms(city, cell):
    result = ledger_import(file=xlsx([good_line(deadline=cell)]), by=city.alice)
    assert result.ok
    assert Task.objects.get().deadline == datetime.date(2026, 6, 30)


def test_people_are_found_by_full_name_or_username_and_units_by_short_name(named):
    named.unit_b.short_name = "财政局"
    named.unit_b.save()
    result = ledger_import(
        file=xlsx([good_line(lead_leader="pat", owner="王主任", lead_unit="财政局")]),
        by=named.alice,
    )
    assert result.ok
    task = Task.objects.get()
    assert (task.lead_leader, task.owner, task.lead_unit) == (named.pat, named.uma, named.unit_b)


def test_the_import_page_shows_a_summary_and_links_to_the_created_tasks(client, city):
    client.force_login(city.alice)
    assert client.get(IMPORT).status_code == 200

    response = client.post(IMPORT, {"file": xlsx([good_line(), good_line(title="第二件事")])})

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    page = response.content.decode()
    for task in Task.objects.all():
        assert reverse("taskboard:task_detail", args=[task.pk]) in page
        assert task.title in page


# ---------------------------------------------------------------------------
# Import: bad rows


def test_every_kind_of_bad_row_is_reported_with_its_excel_row_and_column(named):
    existing = registered(named, "已有事项")
    again = good_line(
        code=existing.code, title="已有事项", assigned_on="2026-03-02", deadline="2026-06-30"
    )
    count = Task.objects.count()
    upload = xlsx(
        [
            good_line(title="这一行没有问题"),  # row 2
            good_line(lead_unit="不存在的局"),  # 3
            good_line(lead_leader="无此领导"),  # 4
            good_line(assigned_on="2026-13-45", deadline="2026-12-31"),  # 5
            good_line(title="  "),  # 6
            good_line(lead_unit=None),  # 7
            good_line(assigned_on="2026-06-30", deadline="2026-06-01"),  # 8
            [None] * len(KEYS),  # 9: blank rows are skipped, and still counted
            again,  # 10
            again,  # 11
            good_line(code="2026-9999"),  # 12
            good_line(origin="群众来信"),  # 13
            good_line(feedback_cadence="每天"),  # 14
            good_line(title="含有_x0000_空字符"),  # 15: a NUL, as OOXML escapes it
            good_line(title="长" * 301),  # 16
            good_line(co_units="市财政局、不存在的办"),  # 17
            good_line(owner="无此人"),  # 18
            good_line(lead_leader="uma"),  # 19: not a leader
            good_line(assigned_on="2026-03-02"),  # 20: assigned without a deadline
            [*again[:3], "领导批示", *again[4:]],  # 21
        ]
    )

    errors = errors_of(upload, named.alice)

    assert errors == {
        (3, "牵头单位", "unknown_unit"),
        (4, "牵头领导", "unknown_person"),
        (5, "交办日期", "bad_date"),
        (6, "标题", "required"),
        (7, "牵头单位", "required"),
        (8, "办结时限", "deadline_before_assignment"),
        (11, "编号", "duplicate_code"),
        (12, "编号", "unknown_code"),
        (13, "来源类别", "unknown_origin"),
        (14, "反馈频次", "unknown_cadence"),
        (15, "标题", "nul"),
        (16, "标题", "too_long"),
        (17, "协办单位", "unknown_unit"),
        (18, "责任人", "unknown_person"),
        (19, "牵头领导", "not_a_leader"),
        (20, "办结时限", "deadline_required"),
        (21, "编号", "duplicate_code"),
        (21, "来源类别", "not_editable"),
    }
    upload.seek(0)
    result = ledger_import(file=upload, by=named.alice)
    assert not result.ok and result.rows == []
    assert Task.objects.count() == count


def test_one_bad_row_among_many_imports_nothing_and_the_page_lists_its_row(client, city):
    rows = [good_line(title=f"第{n}件事") for n in range(40)]
    rows[25] = good_line(title="第25件事", deadline="明年")
    client.force_login(city.alice)

    response = client.post(IMPORT, {"file": xlsx(rows)})

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(27, "办结时限", "bad_date")]
    assert "明年" in errors[0].message
    page = response.content.decode()
    assert 'data-row="27"' in page and "办结时限" in page
    assert Task.objects.count() == 0


def test_a_file_without_the_template_columns_is_refused_on_row_1(city):
    headers = [h for h in HEADERS if h != "牵头单位"]
    errors = errors_of(xlsx([["", "标题"]], headers=headers), city.alice)
    assert errors == {(1, "牵头单位", "missing_column")}


def test_an_empty_ledger_is_reported(city):
    assert errors_of(xlsx([]), city.alice) == {(None, "", "empty")}


def test_ten_megabytes_of_text_in_a_cell_is_a_row_error_not_a_crash(client, city):
    client.force_login(city.alice)
    upload = xlsx([good_line(requirement="督" * (10 * 1024 * 1024 // 3))])

    response = client.post(IMPORT, {"file": upload})

    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(2, "工作要求", "too_long")]
    assert Task.objects.count() == 0


def test_a_null_character_in_a_cell_is_a_row_error_not_a_crash(client, city):
    client.force_login(city.alice)
    response = client.post(IMPORT, {"file": xlsx([good_line(requirement="第一条_x0000_")])})
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column, e.code) for e in errors] == [(2, "工作要求", "nul")]


# ---------------------------------------------------------------------------
# Import: files that are not ledgers, and people who may not import


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("台账.xlsx", "编号,标题\n,推进项目\n".encode()),
        ("台账.xlsx", b"PK\x03\x04 but not really a zip"),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old Excel file"),
        ("台账.csv", b"a,b\n"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(client, city, name, content):
    client.force_login(city.alice)
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "not_xlsx")
    assert Task.objects.count() == 0


def test_a_zip_that_unpacks_too_far_is_refused_before_openpyxl_reads_it(city):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"0" * (ledger.MAX_UNPACKED_BYTES + 1))
    upload = SimpleUploadedFile("台账.xlsx", buffer.getvalue())
    assert errors_of(upload, city.alice) == {(None, "", "too_big")}


def test_a_file_over_the_size_limit_is_refused(client, city):
    client.force_login(city.alice)
    big = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"0" * ledger.MAX_LEDGER_BYTES)
    response = client.post(IMPORT, {"file": big})
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "too_big")


def test_a_far_too_large_upload_is_refused_before_its_body_is_read(client, city):
    client.force_login(city.alice)
    huge = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"0" * (ledger.MAX_LEDGER_BYTES * 2))
    response = client.post(IMPORT, {"file": huge})
    assert response.status_code == 413
    assert response.context["refusal"]
    assert Task.objects.count() == 0


def test_a_workbook_that_cannot_be_parsed_is_reported_not_a_crash(client, city):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types")
        archive.writestr("xl/workbook.xml", b"<workbook")
    client.force_login(city.alice)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("台账.xlsx", buffer.getvalue())})
    assert response.status_code == 400
    assert [e.code for e in response.context["result"].errors] == ["unreadable"]


@pytest.mark.parametrize("username", ["uma", "bob", "pat", "mayor", "carl"])
def test_only_the_office_may_import(client, city, username):
    user = getattr(city, username)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": xlsx([good_line()])}).status_code == 403
    with pytest.raises(ActionNotAllowed):
        ledger_import(file=xlsx([good_line()]), by=user)
    assert Task.objects.count() == 0


def test_the_import_form_checks_the_csrf_token(city):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(city.alice)
    assert client.post(IMPORT, {"file": xlsx([good_line()])}).status_code == 403
    assert Task.objects.count() == 0


# ---------------------------------------------------------------------------
# Round trips


def test_reimporting_an_unchanged_export_changes_nothing(client, named):
    registered(named, "已交办事项", lead_leader=named.pat, owner=named.uma, co_units=[named.unit_b])
    registered(named, "草稿事项", assigned=False, deadline=datetime.date(2026, 12, 31))
    registered(
        named,
        "带换行和控制字符的事项",
        requirement="第一条\r\n第二条\x01 字面的_x0041_不是转义",
        lead_unit=named.unit_b,
    )
    events, versions = TaskEvent.objects.count(), list(Task.objects.values_list("version"))
    exported = export_as(client, named.alice)

    result = ledger_import(
        file=SimpleUploadedFile("台账.xlsx", exported, content_type=XLSX), by=named.alice
    )

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert TaskEvent.objects.count() == events
    assert list(Task.objects.values_list("version")) == versions
    assert Task.objects.get(title="带换行和控制字符的事项").requirement == (
        "第一条\r\n第二条\x01 字面的_x0041_不是转义"
    )


def test_reimporting_the_same_new_rows_is_refused_instead_of_duplicating(city):
    rows = [good_line(), good_line(title="第二件事")]
    assert ledger_import(file=xlsx(rows), by=city.alice).ok

    again = ledger_import(file=xlsx(rows), by=city.alice)

    assert {(e.row, e.column, e.code) for e in again.errors} == {
        (2, "标题", "duplicate_task"),
        (3, "标题", "duplicate_task"),
    }
    assert Task.objects.count() == 2


def test_two_new_rows_for_the_same_task_are_reported(city):
    errors = errors_of(xlsx([good_line(), good_line()]), city.alice)
    assert errors == {(3, "标题", "duplicate_row")}


def test_a_corrected_export_updates_the_task_by_code(client, named):
    task = registered(named, "原标题", lead_leader=named.pat)
    other = registered(named, "不改的事项")
    rows = sheet_rows(export_as(client, named.alice))
    row = next(r for r in rows if r[0] == task.code)
    row[KEYS.index("title")] = "改正后的标题"
    row[KEYS.index("co_units")] = "市财政局"
    row[KEYS.index("owner")] = "王主任"
    row[KEYS.index("feedback_cadence")] = "季"

    result = ledger_import(file=xlsx(rows[1:]), by=named.alice)

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    task.refresh_from_db()
    assert task.title == "改正后的标题"
    assert list(task.co_units.all()) == [named.unit_b]
    assert task.owner == named.uma and task.feedback_cadence == FeedbackCadence.QUARTERLY
    edited = task.events.get(kind=EventKind.EDITED)
    assert edited.actor == named.alice
    assert edited.payload["fields"] == ["feedback_cadence", "owner", "title", "co_units"]
    assert not other.events.filter(kind=EventKind.EDITED).exists()
    assert Task.objects.count() == 2


def test_a_draft_given_both_dates_is_assigned_on_reimport(client, city):
    draft = registered(city, "待交办", assigned=False)
    rows = sheet_rows(export_as(client, city.alice))
    rows[1][KEYS.index("assigned_on")] = "2026-03-03"
    rows[1][KEYS.index("deadline")] = "2026-04-30"

    result = ledger_import(file=xlsx(rows[1:]), by=city.alice)

    assert result.ok and result.updated == 1
    draft.refresh_from_db()
    assert draft.state == TaskState.ASSIGNED
    assert (draft.assigned_on, draft.deadline) == (
        datetime.date(2026, 3, 3),
        datetime.date(2026, 4, 30),
    )


def test_a_refused_deadline_change_is_the_rows_error_and_rolls_back_every_row(client, city):
    first = registered(city, "第一件")
    second = registered(city, "第二件")
    rows = sheet_rows(export_as(client, city.alice))
    by_code = {row[0]: row for row in rows[1:]}
    by_code[first.code][KEYS.index("title")] = "第一件（改）"
    by_code[second.code][KEYS.index("deadline")] = "2026-12-31"

    result = ledger_import(file=xlsx(rows[1:]), by=city.alice)

    second_row = 2 + rows[1:].index(by_code[second.code])
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (second_row, "办结时限", "refused")
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "第一件" and first.version == 2
    assert second.deadline == datetime.date(2026, 6, 30)
    assert not TaskEvent.objects.filter(kind=EventKind.EDITED).exists()


def test_changing_the_assignment_date_of_an_assigned_task_is_reported(client, city):
    registered(city, "已交办")
    rows = sheet_rows(export_as(client, city.alice))
    rows[1][KEYS.index("assigned_on")] = "2026-03-01"
    assert errors_of(xlsx(rows[1:]), city.alice) == {(2, "交办日期", "not_editable")}


def test_a_changed_closed_task_is_refused_by_the_service(client, city):
    closed = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED, title="已销号")
    rows = sheet_rows(export_as(client, city.alice))
    rows[1][KEYS.index("title")] = "已销号（改）"
    result = ledger_import(file=xlsx(rows[1:]), by=city.alice)
    assert [(e.row, e.code) for e in result.errors] == [(2, "wrong_state")]
    closed.refresh_from_db()
    assert closed.title == "已销号"


def test_an_ambiguous_full_name_asks_for_the_username(city):
    city.pat.first_name = "李明"
    city.pat.save()
    other = person("pat2", Role.PORTFOLIO_LEADER)
    other.first_name = "李明"
    other.save()
    errors = errors_of(xlsx([good_line(lead_leader="李明")]), city.alice)
    assert errors == {(2, "牵头领导", "ambiguous_person")}
    assert ledger_import(file=xlsx([good_line(lead_leader="pat2")]), by=city.alice).ok


def test_an_inactive_unit_may_stay_but_not_be_newly_chosen(client, city):
    registered(city, "老单位牵头的事项")
    city.unit_a.is_active = False
    city.unit_a.save()
    rows = sheet_rows(export_as(client, city.alice))
    assert ledger_import(file=xlsx(rows[1:]), by=city.alice).unchanged == 1
    errors = errors_of(xlsx([good_line(lead_unit=city.unit_a.name)]), city.alice)
    assert errors == {(2, "牵头单位", "inactive_unit")}


# ---------------------------------------------------------------------------
# The spec


def test_a_source_app_can_extend_the_ledger_with_its_own_columns(city):
    meeting = Column(
        "meeting", "会议名称", 20, "议定事项所属会议。", lambda task, d: "第5次常务会议"
    )
    spec = TASK_LEDGER.extended("meetings", meeting)
    TaskFactory(lead_unit=city.unit_a)

    template = sheet_rows(ledger.ledger_template(spec=spec).read())
    exported = sheet_rows(ledger.ledger_export(tasks=Task.objects.all(), spec=spec).read())

    assert template[0] == [*HEADERS, "会议名称"]
    assert exported[0] == template[0] and exported[1][-1] == "第5次常务会议"
    assert TASK_LEDGER.headers == HEADERS
    with pytest.raises(ValueError):
        TASK_LEDGER.extended("clash", meeting, Column("title", "又一个标题", 10, "", str))


def test_unit_names_in_the_ledger_are_the_units_own(city):
    UnitFactory(name="市住房和城乡建设局")
    result = ledger_import(
        file=xlsx([good_line(co_units="市住房和城乡建设局,市发展和改革委员会；市财政局")]),
        by=city.alice,
    )
    assert result.ok
    names = set(Task.objects.get().co_units.values_list("name", flat=True))
    assert names == {"市住房和城乡建设局", "市发展和改革委员会"}
