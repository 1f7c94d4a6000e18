import datetime

import docx
import pytest
from playwright.sync_api import expect

from supervision.models import Grade, Report, ReportKind
from supervision.reports import quarter_period, report_generate
from taskboard.choices import TaskState
from tests.browser.conftest import log_in
from tests.factories import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


def test_office_staff_generate_a_monthly_bulletin_and_download_it(page, city, tmp_path):
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))
    log_in(page, "alice")
    page.wait_for_url("**/tasks/")
    page.goto("/supervision/reports/")

    page.locator("#generate_kind").select_option(ReportKind.MONTHLY_BULLETIN)
    page.locator("#generate_period").fill("2026-10")
    page.locator("#generate").click()

    page.wait_for_url("**/supervision/reports/*/")
    report = Report.objects.get()
    assert page.locator("#report-title").inner_text() == report.title
    assert city.unit_a.name in page.locator("#report-body").inner_text()

    with page.expect_download() as download:
        page.locator("#report-files a[href$='report.docx']").click()
    saved = tmp_path / "bulletin.docx"
    download.value.save_as(saved)
    document = docx.Document(saved)
    assert document.paragraphs[0].text == report.title

    page.locator("#back-to-reports").click()
    page.wait_for_url("**/supervision/reports/")
    expect(page.locator(f"#report-{report.pk}")).to_be_visible()


def test_the_quarterly_review_page_shows_each_units_grade(page, city):
    TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 3, 2),
        deadline=D(2026, 8, 14),
        feedback_cadence="once",
    )
    TaskFactory(lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, deadline=D(2026, 12, 31))
    report = report_generate(kind=ReportKind.QUARTERLY_REVIEW, period=quarter_period(2026, 3))
    log_in(page, "mayor")
    page.wait_for_url("**/tasks/")

    page.goto(f"/supervision/reports/{report.pk}/")

    rows = page.locator("#grades tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-grade") == Grade.EXCELLENT
    assert rows.nth(0).locator("td.number").inner_text() == "98.00"
