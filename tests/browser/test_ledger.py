import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from taskboard.choices import TaskState
from taskboard.models import Task

# The browser and page fixtures come from this folder's conftest. Importing them here too
# would make a second session-wide Playwright, which breaks every later browser test.
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_staff_fill_in_the_template_fix_a_bad_row_and_import(page, city, tmp_path):
    log_in(page, "alice")
    page.wait_for_url("**/tasks/")
    page.goto("/ledger/import/")

    with page.expect_download() as download:
        page.locator("#ledger-template").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook["台账"]
    headers = [cell.value for cell in sheet[1]]

    def append(cells: dict) -> None:
        sheet.append([cells.get(header) for header in headers])

    append(
        {
            "标题": "推进城区停车场建设",
            "来源类别": "会议议定事项",
            "牵头单位": "市发展和改革委员会",
            "协办单位": "市财政局",
            "交办日期": "2026-03-02",
            "办结时限": "2026年6月30日",
            "反馈频次": "周",
        }
    )
    # Row 3: a unit that does not exist.
    append({"标题": "研究财政资金保障", "来源类别": "领导批示", "牵头单位": "市财政厅"})
    bad = tmp_path / "bad.xlsx"
    workbook.save(bad)

    page.locator("#id_file").set_input_files(bad)
    page.locator("button[name=import]").click()

    error = page.locator("table.ledger-errors tbody tr")
    assert error.count() == 1
    assert error.get_attribute("data-row") == "3"
    assert error.locator("td.row-number").inner_text() == "3"
    assert error.locator("td.column").inner_text() == "牵头单位"
    assert "市财政厅" in error.locator("td.problem").inner_text()
    assert Task.objects.count() == 0

    sheet.cell(row=3, column=headers.index("牵头单位") + 1, value="市财政局")
    fixed = tmp_path / "fixed.xlsx"
    workbook.save(fixed)
    page.locator("#id_file").set_input_files(fixed)
    page.locator("button[name=import]").click()

    expect(page.locator("#ledger-summary")).to_be_visible()
    assert page.locator("table.ledger-rows tbody tr[data-outcome=created]").count() == 2
    assert dict(Task.objects.values_list("title", "state")) == {
        "推进城区停车场建设": TaskState.ASSIGNED,
        "研究财政资金保障": TaskState.DRAFT,
    }

    page.goto("/tasks/")
    titles = page.locator("table.tasks tbody td.title").all_inner_texts()
    assert sorted(titles) == sorted(["推进城区停车场建设", "研究财政资金保障"])
