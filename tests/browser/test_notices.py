"""An urge notice from the task page through the chain to its number and its print view."""

import datetime

import pytest
from playwright.sync_api import expect

from supervision.choices import NoticeState
from supervision.models import Notice
from taskboard.choices import TaskState

from ..factories import TaskFactory
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # The office director's two-factor log-in is tested by the audit app.
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def as_person(browser, live_server):
    contexts = []

    def open_as(username: str):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, username)
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def take_step(page, notice: Notice, step: str) -> None:
    page.goto(f"/supervision/notices/{notice.pk}/")
    page.locator(f"#step-{step} button[type=submit]").click()
    page.wait_for_load_state()


def test_office_drafts_an_urge_notice_from_the_task_page_and_it_is_issued_numbered(as_person, city):
    task = TaskFactory(
        lead_unit=city.unit_a,
        title="完成老旧小区改造年度任务",
        state=TaskState.IN_PROGRESS,
        deadline=datetime.date(2026, 10, 31),
    )

    alice = as_person("alice")
    alice.goto(f"/tasks/{task.pk}/")
    alice.locator("#draft-urge-notice").click()
    assert alice.locator("#draft-tasks input[type=checkbox]").is_checked()
    alice.locator("#id_body").fill("你单位承办的事项已逾期，请抓紧办理。")
    alice.locator("#draft-submit").click()
    alice.wait_for_url("**/supervision/notices/*/")
    notice = Notice.objects.get()
    assert alice.locator("#notice-state").get_attribute("data-state") == NoticeState.DRAFT

    take_step(as_person("dana"), notice, "propose")
    pat = as_person("pat")
    pat.goto(f"/supervision/notices/{notice.pk}/")
    # The leader sends it back once, with a reason; the deputy proposes it again.
    pat.locator("#step-reject summary").click()
    pat.locator("#id_reject-reason").fill("请写明逾期天数。")
    pat.locator("#step-reject button[type=submit]").click()
    pat.wait_for_load_state()
    assert (
        pat.locator("#notice-steps li[data-action=rejected]")
        .get_by_text("请写明逾期天数。")
        .is_visible()
    )
    take_step(as_person("dana"), notice, "propose")
    take_step(pat, notice, "approve")
    take_step(as_person("dirk"), notice, "sign")
    take_step(alice, notice, "issue")

    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED
    assert alice.locator("#notice-number").inner_text() == notice.number_text
    assert notice.number_text.startswith("催办〔")

    # The unit head sees it in the list and opens the print view.
    uma = as_person("uma")
    uma.locator("#nav-notices").click()
    uma.get_by_role("link", name=notice.number_text).click()
    uma.locator("#notice-print").click()
    assert uma.locator("#document-number").inner_text() == notice.number_text
    expect(uma.locator(".doc-copy")).to_be_visible()
    # The print CSS applied (served as a file: the CSP refuses inline styles).
    expect(uma.locator(".doc-title")).to_have_css("text-align", "center")
