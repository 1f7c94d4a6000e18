"""A leader opens the dashboard, clicks a unit's overdue count and lands on exactly those
tasks; the charts draw from our own ECharts under the strict CSP; the big screen."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from taskboard import tallies
from taskboard.choices import DueState, TaskState

from ..factories import TaskFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = datetime.date.today().year  # noqa: DTZ011 (the dashboard opens on this year)


@pytest.fixture
def tasks(city):
    overdue = {
        "发改委逾期事项一": city.unit_a,
        "发改委逾期事项二": city.unit_a,
        "财政局逾期事项": city.unit_b,
    }
    for title, unit in overdue.items():
        TaskFactory(
            year=YEAR,
            title=title,
            lead_unit=unit,
            state=TaskState.IN_PROGRESS,
            due_state=DueState.RED,
        )
    TaskFactory(year=YEAR, title="发改委按期事项", lead_unit=city.unit_a, due_state=DueState.GREEN)
    TaskFactory(
        year=YEAR,
        title="发改委已办结事项",
        lead_unit=city.unit_a,
        state=TaskState.CLOSED,
        due_state=DueState.NONE,
    )
    tallies.rebuild()
    return city


def test_a_leader_clicks_a_units_overdue_count_and_lands_on_exactly_those_tasks(page, tasks):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(page, "mayor")
    page.wait_for_url("**/tasks/")
    page.locator(f'nav.nav a[href="{reverse("taskboard:dashboard")}"]').click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("#headline [data-standing=counted]").get_attribute("data-count") == "5"
    # The charts are drawn (ECharts from static/vendor, no CSP complaint).
    page.wait_for_selector("#dashboard[data-charts='4']")
    assert page.locator("#chart-lights svg").count() == 1
    assert problems == []

    unit_row = page.locator(f'#panel-units tr[data-key="{tasks.unit_a.pk}"]')
    overdue = unit_row.locator("a[data-standing=overdue]")
    assert overdue.inner_text() == "2"
    overdue.click()
    page.wait_for_url("**/tasks/?*")
    titles = page.locator("table.tasks tbody td.title").all_inner_texts()
    assert sorted(titles) == ["发改委逾期事项一", "发改委逾期事项二"]


def test_a_portfolio_leader_sees_the_portfolio_only(page, tasks):
    log_in(page, "pat")
    page.goto("/dashboard/")
    # Unit A is pat's portfolio: its four tasks are counted, none of unit B's.
    assert page.locator("#headline [data-standing=counted]").get_attribute("data-count") == "4"
    assert page.locator(f'#panel-units tr[data-key="{tasks.unit_b.pk}"]').count() == 0
    page.locator("#headline a[data-rate=overdue]").click()
    page.wait_for_url("**/tasks/?*")
    assert page.locator("table.tasks tbody tr").count() == 2


def test_the_big_screen_hides_the_chrome_and_the_print_view_the_charts(page, tasks):
    log_in(page, "mayor")
    page.goto("/dashboard/")
    page.locator("#big-screen-link").click()
    page.wait_for_selector("#dashboard.big-screen[data-charts='4']")
    assert not page.locator("header.topbar").is_visible()
    expect(page.locator("#headline")).to_be_visible()
    page.goto("/dashboard/?view=print")
    expect(page.locator("#panel-units")).to_be_visible()
    assert page.locator("#chart-lights").count() == 0
