"""The office registers an executive meeting, turns its minutes into decisions, reviews
them, saves them and assigns them all; the meeting page then links each to its task."""

import pytest
from django.utils import timezone

from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from taskboard.choices import TaskOrigin, TaskState
from tests.playwright import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUTES = """市人民政府常务会议纪要
会议听取了全市重点项目推进情况汇报，议定如下：
一、由市发展和改革委员会牵头，市财政局配合，
加快推进城区重点项目建设，年内完成3.5亿元投资。
二、市财政局统筹安排防汛资金。
三、做好国庆假期安全生产工作。
抄送：市委办公室"""


def test_office_turns_minutes_into_three_assigned_decisions(page, city):  # noqa: F811
    today = timezone.localdate()
    log_in(page, "alice")
    page.wait_for_url("**/tasks/")

    page.goto("/meetings/")
    page.locator("#new-meeting").click()
    page.locator("[name=kind]").select_option(MeetingKind.EXECUTIVE)
    page.locator("[name=date]").fill(today.isoformat())
    page.locator("[name=subject]").fill("研究重点项目和安全生产工作")
    page.locator("select[name=chair]").select_option(str(city.mayor.pk))
    page.locator("#meeting-form button[name=save]").click()

    meeting = Meeting.objects.get()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert meeting.kind == MeetingKind.EXECUTIVE and meeting.number == 1

    page.locator("#minutes-form [name=minutes]").fill(MINUTES)
    page.locator("#minutes-form button[name=review]").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/decisions/review/")
    rows = page.locator("fieldset.decision-row")
    assert rows.count() == 3
    assert "3.5亿元" in page.locator("[name=decisions-0-text]").input_value()
    # Proposed from the text: the first unit named leads, the next cooperates.
    assert page.locator("select[name=decisions-0-lead_unit]").input_value() == str(city.unit_a.pk)
    assert page.locator("select[name=decisions-1-lead_unit]").input_value() == str(city.unit_b.pk)
    # The third names no unit: the office chooses one.
    page.locator("select[name=decisions-2-lead_unit]").select_option(str(city.unit_b.pk))
    page.locator("#review-form button[name=save]").click()

    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert page.locator("#decisions tbody tr[data-state=draft]").count() == 3
    page.locator("#assign-all button[name=assign_all]").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
    assert page.locator("#decisions tbody tr[data-state=assigned]").count() == 3
    assert page.locator("#assign-all").count() == 0
    assert page.locator("#decisions a.task-link").count() == 3

    decisions = list(Decision.objects.select_related("task").order_by("number"))
    assert [d.number for d in decisions] == [1, 2, 3]
    assert decisions[0].text.startswith("由市发展和改革委员会牵头")
    assert all(d.task.state == TaskState.ASSIGNED for d in decisions)
    assert all(d.task.origin == TaskOrigin.MEETING for d in decisions)
    assert [d.task.lead_unit for d in decisions] == [city.unit_a, city.unit_b, city.unit_b]
    assert list(decisions[0].task.co_units.all()) == [city.unit_b]

    page.locator("#decision-1 a.task-link").click()
    page.wait_for_url(f"**/tasks/{decisions[0].task.pk}/")
    assert page.locator("a.source-link").get_attribute("href") == f"/meetings/{meeting.pk}/"
