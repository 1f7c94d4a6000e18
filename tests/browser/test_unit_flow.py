"""A unit head on a phone works a task through; the office closes one and returns another."""

import datetime

import pytest
from playwright.sync_api import expect

from taskboard.choices import EventKind, TaskState
from taskboard.models import Attachment, Notification, Task

from ..factories import TaskFactory
from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LATER = datetime.date(2099, 6, 30)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_action(page, name: str):
    page.locator("summary", has_text=name).click()
    return page.locator("details[open] form")


def test_unit_head_on_a_phone_acknowledges_reports_with_a_file_and_requests_closure(
    phone, city, tmp_path
):
    task = TaskFactory(lead_unit=city.unit_a, title="完成老旧小区改造年度任务", deadline=LATER)
    evidence = tmp_path / "改造进度.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% progress\n")

    log_in(phone, "uma")
    phone.wait_for_url("**/inbox/")
    expect(phone.locator("#group-acknowledge").get_by_text(task.title)).to_be_visible()
    phone.get_by_role("link", name=task.title).first.click()

    form = open_action(phone, "签收")
    form.get_by_role("button", name="签收").click()
    expect(phone.get_by_text("已签收。")).to_be_visible()

    form = open_action(phone, "反馈进展")
    form.get_by_label("进展情况").fill("已完成3个小区外立面改造，正在推进管网更新。")
    form.get_by_label("完成进度（%）").fill("60")
    form.get_by_label("附件").set_input_files(str(evidence))
    form.get_by_role("button", name="反馈进展").click()
    expect(phone.get_by_text("进展已反馈。")).to_be_visible()
    expect(phone.get_by_role("link", name="改造进度.pdf")).to_be_visible()

    form = open_action(phone, "申请办结")
    form.get_by_label("办理情况总结").fill("年度改造任务全部完成，已通过验收。")
    form.get_by_role("button", name="申请办结").click()
    expect(phone.get_by_text("已申请办结，待督查室审核。")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    task.refresh_from_db()
    assert task.state == TaskState.CLOSURE_REQUESTED
    assert Attachment.objects.get(task=task).original_name == "改造进度.pdf"
    assert list(task.events.values_list("kind", flat=True)) == [
        EventKind.ACKNOWLEDGED,
        EventKind.PROGRESS_REPORTED,
        EventKind.CLOSURE_REQUESTED,
    ]


def test_a_bad_progress_report_keeps_what_was_typed_and_saves_nothing(phone, city):
    task = TaskFactory(
        lead_unit=city.unit_a,
        title="推进政务服务一网通办",
        state=TaskState.IN_PROGRESS,
        deadline=LATER,
    )
    log_in(phone, "uma")
    phone.goto(f"/tasks/{task.pk}/")
    form = open_action(phone, "反馈进展")
    form.get_by_label("进展情况").fill("本月完成事项梳理。")
    form.get_by_label("完成进度（%）").fill("150")
    form.get_by_role("button", name="反馈进展").click()
    expect(phone.get_by_text("请更正以下错误；本次未保存任何内容。")).to_be_visible()
    assert phone.get_by_label("进展情况").input_value() == "本月完成事项梳理。"
    assert task.progress_reports.count() == 0


def test_office_closes_one_request_and_returns_another(page, city):
    done = TaskFactory(
        lead_unit=city.unit_a,
        title="建成区域医疗中心",
        state=TaskState.CLOSURE_REQUESTED,
        deadline=LATER,
    )
    weak = TaskFactory(
        lead_unit=city.unit_a,
        title="出台人才引进办法",
        state=TaskState.CLOSURE_REQUESTED,
        deadline=LATER,
    )
    log_in(page, "alice")
    page.wait_for_url("**/tasks/")
    page.get_by_role("link", name="待审核办结").click()
    assert page.locator("table.tasks tbody tr").count() == 2

    page.get_by_role("link", name=done.title).click()
    form = open_action(page, "审核销号")
    form.get_by_role("button", name="审核销号").click()
    expect(page.get_by_text("这个字段是必填项。")).to_be_visible()  # the confirmation box
    form = page.locator("details[open] form")
    form.get_by_label("已核查，确认无误").check()
    form.get_by_role("button", name="审核销号").click()
    expect(page.get_by_text("已销号。")).to_be_visible()

    page.goto(f"/tasks/{weak.pk}/")
    form = open_action(page, "退回")
    form.get_by_label("退回理由").fill("缺少正式印发的文件，请补充后再申请。")
    form.get_by_role("button", name="退回").click()
    expect(page.get_by_text("已退回责任单位。")).to_be_visible()
    expect(page.locator(".timeline").get_by_text("缺少正式印发的文件")).to_be_visible()

    assert Task.objects.get(pk=done.pk).state == TaskState.CLOSED
    assert Task.objects.get(pk=weak.pk).state == TaskState.RETURNED
    assert Notification.objects.filter(recipient=city.uma, task=weak, kind="returned").exists()


def test_a_unit_head_sees_the_bell_count_and_opens_the_notification(phone, city):
    from taskboard import services

    task = TaskFactory(
        lead_unit=city.unit_a,
        title="整治城区背街小巷",
        state=TaskState.CLOSURE_REQUESTED,
        deadline=LATER,
    )
    services.task_return(task=task, by=city.alice, reason="照片材料不全")

    log_in(phone, "uma")
    phone.wait_for_url("**/inbox/")
    assert phone.locator(".bell .badge").inner_text() == "1"
    phone.locator(".bell").click()
    phone.wait_for_url("**/notifications/")
    phone.get_by_role("link", name=task.title).click()
    phone.wait_for_url(f"**/tasks/{task.pk}/")
    expect(phone.locator(".timeline").get_by_text("照片材料不全")).to_be_visible()
    assert phone.locator(".bell .badge").count() == 0
    assert Notification.objects.get(recipient=city.uma, task=task).read_at is not None
