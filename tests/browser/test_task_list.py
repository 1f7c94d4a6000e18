import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from taskboard.choices import Role

from ..factories import TaskFactory, person
from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks(city):
    # Deadlines far ahead, so nothing is overdue (copy recipients see only overdue tasks).
    later = datetime.date(2099, 6, 30)
    return {
        "a": TaskFactory(lead_unit=city.unit_a, title="发改委牵头的重点项目", deadline=later),
        "b": TaskFactory(lead_unit=city.unit_b, title="财政局牵头的资金保障", deadline=later),
    }


SEES_ALL = ["alice", "dirk", "dana", "mayor"]
SEES_A_ONLY = ["uma", "lisa", "pat"]
UNIT_STAFF = {"uma", "lisa", "bob"}


@pytest.mark.parametrize("username", SEES_ALL + SEES_A_ONLY + ["bob"])
def test_each_role_logs_in_and_opens_the_task_list(page, tasks, username):
    log_in(page, username)
    if username in UNIT_STAFF:
        page.wait_for_url("**/inbox/")
        page.get_by_role("link", name="督办事项", exact=True).click()

    page.wait_for_url("**/tasks/")
    expect(page.get_by_role("heading", name="督办事项")).to_be_visible()
    rows = page.locator("table.tasks tbody tr")
    titles = rows.all_inner_texts()
    if username in SEES_ALL:
        assert len(titles) == 2
    elif username == "bob":
        assert len(titles) == 1 and "财政局" in titles[0]
    else:
        assert len(titles) == 1 and "发改委" in titles[0]


def test_copy_recipient_and_administrator_open_the_task_list(page, city, tasks):
    get_user_model().objects.create_superuser("root", password="correct horse battery staple")
    log_in(page, "carl")
    page.wait_for_url("**/tasks/")
    expect(page.get_by_text("没有符合条件的督办事项")).to_be_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")

    log_in(page, "root")
    page.wait_for_url("**/tasks/")
    assert page.locator("table.tasks tbody tr").count() == 2
    expect(page.get_by_role("link", name="系统管理")).to_be_visible()


def test_unit_head_on_a_phone_opens_a_task_from_the_list(browser, live_server, city, tasks):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, "uma")
    page.wait_for_url("**/inbox/")
    page.get_by_role("link", name="督办事项", exact=True).click()
    page.get_by_role("link", name="发改委牵头的重点项目").click()
    expect(page.get_by_role("heading", name="发改委牵头的重点项目")).to_be_visible()
    expect(page.get_by_role("heading", name="办理过程")).to_be_visible()
    # Nothing wider than the phone: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_wrong_password_shows_a_chinese_error(page, city):
    log_in(page, "uma", password="wrong-password")
    expect(page.get_by_text("请输入一个正确的")).to_be_visible()


def test_filter_by_unknown_input_shows_an_error(page, city, tasks):
    person("ophelia", Role.OFFICE_STAFF)
    log_in(page, "ophelia")
    page.wait_for_url("**/tasks/")
    page.goto("/tasks/?lead_unit=424242")
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.locator("table.tasks tbody tr").all_inner_texts() == ["没有符合条件的督办事项。"]
