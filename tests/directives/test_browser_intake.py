"""Office staff register the other sources through their web forms and assign them: a work
report with targets, one split into child tasks for two units; an assignment from above
with its items; a proposal whose proposer is not satisfied with the reply, which reopens
the task for a second handling. Each checks the tasks the database holds afterwards.

The browser's clock is the machine's, so dates are counted from today (freezing the
server's clock in the past would expire the session cookie in the browser)."""

import datetime

import pytest
from django.utils import timezone

from directives.models import (
    AssignmentItem,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    WorkReport,
)
from directives.services import decomposition_due
from taskboard.choices import DeadlineSource, EventKind, TaskOrigin, TaskState
from taskboard.models import Task
from taskboard.workdays import add_months
from tests.playwright import log_in

from .conftest import close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def iso(day: datetime.date) -> str:
    return day.isoformat()


def save(page) -> None:
    with page.expect_navigation():
        page.click("button[name=save]")


def assign(page, count: int) -> None:
    page.click("button[name=assign]")
    page.locator('#tasks [data-state="assigned"]').nth(count - 1).wait_for()
    assert page.locator('#tasks [data-state="draft"]').count() == 0


def test_office_registers_a_work_report_splits_a_target_and_assigns_it(page, city):
    today = timezone.localdate()
    session_ended = today - 3 * DAY
    target_due, part_a_due, part_b_due = today + 90 * DAY, today + 40 * DAY, today + 60 * DAY
    log_in(page, "alice")
    page.goto("/directives/work-reports/new/")
    page.fill("#id_year", str(session_ended.year))
    page.fill("#id_title", "政府工作报告（测试）")
    page.fill("#id_session_ended_on", iso(session_ended))
    save(page)
    report = WorkReport.objects.get()
    page.wait_for_url(f"**/directives/work-reports/{report.pk}/")
    # The decomposition is due one week after the session ended.
    assert decomposition_due(report) == session_ended + 7 * DAY
    assert page.locator("#issue-by").inner_text().startswith(iso(session_ended + 7 * DAY))

    page.click("#add-target")
    page.fill("#id_chapter", "经济发展")
    page.fill("#id_text", "地区生产总值增长6%左右\n分季度推进。")
    page.fill("#id_indicator", "地区生产总值增速")
    page.fill("#id_target_value", "6%左右")
    page.select_option("#id_lead_leader", str(city.pat.pk))
    page.select_option("#id_lead_unit", str(city.unit_a.pk))
    page.select_option("#id_co_units", [str(city.unit_b.pk)])
    page.select_option("#id_owner", str(city.uma.pk))
    page.fill("#id_deadline", iso(target_due))
    page.fill("#id_milestones-0-planned_on", iso(today + 30 * DAY))
    page.fill("#id_milestones-0-percent", "30")
    page.fill("#id_milestones-1-planned_on", iso(today + 60 * DAY))
    page.fill("#id_milestones-1-description", "完成主体工程")
    save(page)
    page.click("#add-target")
    page.fill("#id_text", "新增城镇就业3万人")
    page.select_option("#id_lead_unit", str(city.unit_b.pk))
    page.fill("#id_deadline", iso(target_due))
    save(page)
    assert page.locator("#tasks tr.task-row").count() == 2

    page.click("#target-1 a.split-link")
    page.fill("#id_parts-0-title", "发改委负责的部分")
    page.select_option("#id_parts-0-lead_unit", str(city.unit_a.pk))
    page.fill("#id_parts-0-deadline", iso(part_a_due))
    page.select_option("#id_parts-1-lead_unit", str(city.unit_b.pk))
    page.fill("#id_parts-1-deadline", iso(part_b_due))
    page.fill("#id_parts-1-requirement", "落实财政资金保障。")
    save(page)
    page.wait_for_url(f"**/directives/work-reports/{report.pk}/")
    assert page.locator("#tasks tr.part").count() == 2

    assign(page, 4)

    first, second = report.targets.order_by("number").select_related("task")
    target_task = first.task
    assert (first.chapter, first.indicator, first.target_value) == (
        "经济发展",
        "地区生产总值增速",
        "6%左右",
    )
    assert (target_task.lead_leader, target_task.lead_unit, target_task.owner) == (
        city.pat,
        city.unit_a,
        city.uma,
    )
    assert list(target_task.co_units.all()) == [city.unit_b]
    assert [(m.planned_on, m.percent, m.description) for m in target_task.milestones.all()] == [
        (today + 30 * DAY, 30, ""),
        (today + 60 * DAY, None, "完成主体工程"),
    ]
    parts = list(target_task.children.order_by("code"))
    assert [(p.lead_unit, p.deadline, p.title) for p in parts] == [
        (city.unit_a, part_a_due, "发改委负责的部分"),
        (city.unit_b, part_b_due, target_task.title),
    ]
    assert parts[1].requirement == "落实财政资金保障。"
    tasks = Task.objects.all()
    assert tasks.count() == 4
    for task in tasks:
        assert (task.state, task.assigned_on, task.origin) == (
            TaskState.ASSIGNED,
            today,
            TaskOrigin.WORK_REPORT,
        )
        assert task.deadline_source == DeadlineSource.WORK_REPORT
    assert (target_task.deadline, second.task.deadline) == (target_due, target_due)

    # A part's task page leads back to the report's target.
    page.click(f'#tasks a.task-link[data-task="{parts[1].pk}"]')
    page.wait_for_url(f"**/tasks/{parts[1].pk}/")
    page.click("a.source-link")
    page.wait_for_url(f"**/directives/work-reports/{report.pk}/#target-1")


def test_office_registers_an_assignment_from_above_with_items_and_assigns_it(page, city):
    today = timezone.localdate()
    first_due, second_due = today + 30 * DAY, today + 20 * DAY
    log_in(page, "alice")
    page.goto("/directives/superior/")
    page.click("a.new-link")
    page.fill("#id_issuing_body", "省委第三巡视组")
    page.fill("#id_reference", "湘巡反〔2026〕3号")
    page.fill("#id_title", "巡视反馈问题整改清单")
    page.fill("#id_received_on", iso(today))
    page.fill("#id_items-0-text", "整改项目审批慢问题\n压缩审批时限。")
    page.select_option("#id_items-0-lead_unit", str(city.unit_a.pk))
    page.select_option("#id_items-0-co_units", [str(city.unit_b.pk)])
    page.fill("#id_items-0-deadline", iso(first_due))
    page.fill("#id_items-1-text", "整改资金拨付滞后问题")
    page.select_option("#id_items-1-lead_unit", str(city.unit_b.pk))
    page.fill("#id_items-1-deadline", iso(second_due))
    save(page)
    assignment = SuperiorAssignment.objects.get()
    page.wait_for_url(f"**/directives/superior/{assignment.pk}/")
    assert page.locator("#tasks tr.task-row").count() == 2

    assign(page, 2)

    first, second = AssignmentItem.objects.order_by("number").select_related("task")
    assert (first.number, second.number) == (1, 2)
    assert (first.task.title, first.task.requirement) == (
        "整改项目审批慢问题",
        "整改项目审批慢问题\n压缩审批时限。",
    )
    assert (first.task.lead_unit, list(first.task.co_units.all())) == (city.unit_a, [city.unit_b])
    assert second.task.lead_unit == city.unit_b
    # Assigned today, each due when the superior said.
    for item, due in ((first, first_due), (second, second_due)):
        task = item.task
        assert (task.state, task.assigned_on, task.deadline) == (TaskState.ASSIGNED, today, due)
        assert (task.origin, task.deadline_source) == (TaskOrigin.SUPERIOR, DeadlineSource.SUPERIOR)

    page.click(f'#tasks a.task-link[data-task="{second.task_id}"]')
    page.wait_for_url(f"**/tasks/{second.task_id}/")
    page.click("a.source-link")
    page.wait_for_url(f"**/directives/superior/{assignment.pk}/#item-2")


def test_dissatisfied_proposer_reopens_the_task_for_a_second_handling(page, city):
    today = timezone.localdate()
    log_in(page, "alice")
    page.goto("/directives/proposals/new/")
    page.select_option("#id_kind", "suggestion")
    page.fill("#id_year", str(today.year))
    page.fill("#id_number", "108")
    page.fill("#id_proposer", "张代表")
    page.fill("#id_title", "关于加快老旧小区改造的建议")
    page.fill("#id_received_on", iso(today))
    page.select_option("#id_lead_unit", str(city.unit_a.pk))
    save(page)
    proposal = Proposal.objects.get()
    page.wait_for_url(f"**/directives/proposals/{proposal.pk}/")

    assign(page, 1)
    task = Task.objects.get()
    # Replies are due three months after the assignment (the proposals' rule).
    assert (task.state, task.assigned_on, task.deadline) == (
        TaskState.ASSIGNED,
        today,
        add_months(today, 3),
    )
    assert task.deadline_source == DeadlineSource.PROPOSAL

    page.fill("#reply-form #id_text", "已列入年度改造计划。")
    page.fill("#reply-form #id_replied_on", iso(today))
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    page.locator("#reply-1").wait_for()
    assert page.locator("#satisfaction-form").count() == 1

    close(task, city)  # the unit handles it and the office closes it
    new_deadline = today + 45 * DAY
    page.reload()
    page.check('#satisfaction-form input[value="dissatisfied"]')
    page.fill("#satisfaction-form #id_note", "代表认为改造进度仍然偏慢。")
    page.fill("#satisfaction-form #id_deadline", iso(new_deadline))
    with page.expect_navigation():
        page.click("#satisfaction-form button[type=submit]")
    page.locator("#reply-1 .satisfaction-dissatisfied").wait_for()

    task.refresh_from_db()
    assert (task.state, task.deadline) == (TaskState.IN_PROGRESS, new_deadline)
    assert task.events.filter(kind=EventKind.REOPENED).count() == 1
    first = ProposalReply.objects.get()
    assert (first.round, first.satisfaction) == (1, "dissatisfied")

    # The second handling gets a reply of its own.
    page.fill("#reply-form #id_text", "已调整计划，年内完成改造。")
    page.fill("#reply-form #id_replied_on", iso(today))
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    page.locator("#reply-2").wait_for()
    assert list(proposal.replies.values_list("round", "satisfaction")) == [
        (1, "dissatisfied"),
        (2, ""),
    ]
