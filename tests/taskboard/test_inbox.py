"""The unit's inbox, the home page's redirect and the notifications (the bell and its list)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from taskboard.choices import EventKind, FeedbackCadence, TaskState
from taskboard.models import Notification, TaskEvent

from ..factories import TaskFactory, progress_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 18 November 2026. Three working days on is Monday 23 November; this month
# began on Sunday 1 November and this week on Monday 16 November.
WEDNESDAY = datetime.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI)
INBOX = reverse("taskboard:inbox")
LIST = reverse("taskboard:task_list")
NOTIFICATIONS = reverse("taskboard:notification_list")
D = datetime.date


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


def zh(message: str, **params) -> str:
    """The message as a person reading Chinese sees it on the page (as the catalog has it)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


def at(day: int, hour: int, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def running(city, title, *, state=TaskState.IN_PROGRESS, unit=None, **kwargs):
    """An open task of unit A (or `unit`) due well after the next three working days."""
    return TaskFactory(
        lead_unit=unit or city.unit_a,
        state=state,
        title=title,
        **{"deadline": D(2026, 12, 31), **kwargs},
    )


def reported(task, when, by):
    return progress_report(task, reporter=by, reported_at=when)


def grouped(response) -> dict[str, list[str]]:
    return {group.key: [task.title for task in group.tasks] for group in response.context["groups"]}


def sections(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<section class="card group" id="group-(\w+)">(.*?)</section>', page, re.S)
    )


def shown_counts(page: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(r'class="count-(\w+)[^"]*"><strong>(\d+)</strong>', page)
    }


# ---------------------------------------------------------------------------
# The inbox groups


@pytest.fixture
def unit_a_tasks(city):
    """One task of unit A for each group, and tasks that must not be in the inbox."""
    running(city, "待签收的事项", state=TaskState.ASSIGNED)
    co = running(city, "协办的新事项", state=TaskState.ASSIGNED, unit=city.unit_b)
    co.co_units.add(city.unit_a)
    running(city, "被退回的事项", state=TaskState.RETURNED)
    running(city, "逾期的事项", deadline=D(2026, 11, 17))
    running(city, "三个工作日内到期的事项", deadline=D(2026, 11, 23))
    reported(running(city, "下周二到期的事项", deadline=D(2026, 11, 24)), at(16, 9), city.uma)
    reported(running(city, "本月未反馈的事项"), at(25, 9, month=10), city.uma)
    # 07:30 on the 1st in Beijing is still 31 October in UTC.
    reported(running(city, "本月已反馈的事项"), at(1, 7), city.lisa)
    weekly = FeedbackCadence.WEEKLY
    reported(running(city, "本周未反馈的周报事项", feedback_cadence=weekly), at(15, 20), city.uma)
    reported(running(city, "本周已反馈的周报事项", feedback_cadence=weekly), at(16, 7), city.uma)
    running(city, "完成时反馈一次的事项", feedback_cadence=FeedbackCadence.ONCE)
    running(city, "已申请办结的事项", state=TaskState.CLOSURE_REQUESTED)
    running(city, "财政局独办的事项", unit=city.unit_b, state=TaskState.ASSIGNED)
    running(city, "已销号的事项", state=TaskState.CLOSED)
    running(city, "已暂停的事项", state=TaskState.SUSPENDED)
    running(city, "已撤销的事项", state=TaskState.CANCELLED, assigned_on=None, deadline=None)
    running(city, "草稿事项", state=TaskState.DRAFT, assigned_on=None, deadline=None)


def test_the_inbox_groups_the_units_running_tasks_by_what_needs_doing(client, city, unit_a_tasks):
    client.force_login(city.uma)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert grouped(response) == {
        "acknowledge": ["待签收的事项"],
        "returned": ["被退回的事项"],
        "overdue": ["逾期的事项"],
        "due_soon": ["三个工作日内到期的事项"],
        "report_due": ["本月未反馈的事项", "本周未反馈的周报事项"],
        "rest": [
            "下周二到期的事项",
            "协办的新事项",
            "本月已反馈的事项",
            "本周已反馈的周报事项",
            "完成时反馈一次的事项",
            "已申请办结的事项",
        ],
    }


def test_the_inbox_shows_counts_equal_to_its_groups_and_nothing_of_other_units(
    client, city, unit_a_tasks
):
    client.force_login(city.uma)

    response = client.get(INBOX)

    page = response.content.decode()
    sizes = {key: len(titles) for key, titles in grouped(response).items()}
    assert shown_counts(page) == sizes
    for key, section in sections(page).items():
        assert f"（{sizes[key]}）</span></h2>" in section
        assert section.count("<li>") == sizes[key]
    for absent in ("财政局独办的事项", "已销号的事项", "已暂停的事项", "已撤销的事项", "草稿事项"):
        assert absent not in page


def test_a_co_units_task_is_marked_as_such_and_never_waits_for_its_acknowledgement(
    client, city, unit_a_tasks
):
    client.force_login(city.uma)

    page = client.get(INBOX).content.decode()

    co_task = re.search(r"<li>(?:(?!</li>).)*协办的新事项.*?</li>", page, re.S).group(0)
    assert '<span class="tag">协办 · 牵头： 市财政局</span>' in co_task or (
        '<span class="tag">Co-unit · lead: 市财政局</span>' in co_task
    )
    assert "协办的新事项" not in sections(page)["acknowledge"]
    assert page.count('<span class="tag">') == 1


def test_the_liaison_sees_the_same_inbox_as_the_head(client, city, unit_a_tasks):
    client.force_login(city.uma)
    head = grouped(client.get(INBOX))
    client.force_login(city.lisa)
    assert grouped(client.get(INBOX)) == head


def test_the_lead_units_inbox_of_a_shared_task_is_not_the_co_units(client, city):
    shared = running(city, "共同推进的事项", state=TaskState.ASSIGNED)
    shared.co_units.add(city.unit_b)

    client.force_login(city.uma)
    assert grouped(client.get(INBOX))["acknowledge"] == ["共同推进的事项"]
    client.force_login(city.bob)
    groups = grouped(client.get(INBOX))
    assert groups["acknowledge"] == []
    assert groups["rest"] == ["共同推进的事项"]


def test_a_report_early_on_the_first_of_the_month_counts_for_that_month(client, city):
    task = running(city, "一号清晨反馈的事项")
    reported(task, at(1, 0), city.uma)
    client.force_login(city.uma)

    assert grouped(client.get(INBOX))["report_due"] == []


def test_the_inbox_query_count_does_not_grow_with_the_tasks(
    client, city, django_assert_num_queries
):
    def add_tasks(count):
        for n in range(count):
            lead = city.unit_b if n % 5 == 4 else city.unit_a
            task = TaskFactory(
                lead_unit=lead,
                state=[TaskState.ASSIGNED, TaskState.RETURNED, TaskState.IN_PROGRESS][n % 3],
                deadline=[D(2026, 11, 10), D(2026, 11, 20), D(2026, 12, 31)][n % 3],
            )
            if lead == city.unit_b:
                task.co_units.add(city.unit_a)
            if n % 2:
                reported(task, at(2, 9), city.uma)

    client.force_login(city.uma)
    add_tasks(3)
    with django_assert_num_queries(10):
        response = client.get(INBOX)
    assert sum(len(group.tasks) for group in response.context["groups"]) == 3

    add_tasks(37)
    with django_assert_num_queries(10):
        response = client.get(INBOX)
    assert sum(len(group.tasks) for group in response.context["groups"]) == 40


# ---------------------------------------------------------------------------
# Where people land


@pytest.mark.parametrize("person", ["alice", "pat", "mayor"])
def test_people_without_a_unit_are_sent_from_the_inbox_to_the_task_list(client, city, person):
    client.force_login(getattr(city, person))

    response = client.get(INBOX, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert zh("The inbox is for responsible units; here are your tasks.") in (
        response.content.decode()
    )


def test_the_home_page_sends_unit_staff_to_their_inbox_and_the_office_to_the_list(client, city):
    home = reverse("taskboard:home")
    client.force_login(city.uma)
    assert client.get(home)["Location"] == INBOX
    client.force_login(city.alice)
    assert client.get(home)["Location"] == LIST


# ---------------------------------------------------------------------------
# Notifications


def notify(person, task, count=1, *, read=False, start=None, by=None):
    """`count` notifications for `person`, a minute apart, the last one newest; every
    other event is the system's own (no actor)."""
    start = start or timezone.now() - datetime.timedelta(hours=1)
    made = []
    for n in range(count):
        when = start + datetime.timedelta(minutes=n)
        event = TaskEvent.objects.create(
            task=task,
            kind=EventKind.RETURNED,
            actor=None if n % 2 else by,
            at=when,
            from_state=TaskState.CLOSURE_REQUESTED,
            to_state=TaskState.RETURNED,
            note=f"第{n + 1}次退回",
        )
        made.append(
            Notification.objects.create(
                recipient=person,
                task=task,
                event=event,
                kind=event.kind,
                created_at=when,
                read_at=when if read else None,
            )
        )
    return made


def test_the_bell_shows_the_unread_count_on_any_page(client, city):
    task = running(city, "退回的事项", state=TaskState.RETURNED)
    notify(city.uma, task, 3)
    notify(city.uma, task, 2, read=True)
    notify(city.lisa, task, 4)
    client.force_login(city.uma)

    for url in (INBOX, LIST, reverse("taskboard:task_detail", args=[task.pk]), NOTIFICATIONS):
        assert '<span class="badge" data-unread="3">3</span>' in client.get(url).content.decode()


def test_no_badge_when_everything_is_read(client, city):
    notify(city.uma, running(city, "退回的事项"), 2, read=True)
    client.force_login(city.uma)
    assert 'class="badge"' not in client.get(LIST).content.decode()


def test_notifications_are_listed_newest_first_a_page_at_a_time(client, city):
    task = running(city, "退回的事项", state=TaskState.RETURNED)
    made = notify(city.uma, task, 30, by=city.alice)
    client.force_login(city.uma)

    first = client.get(NOTIFICATIONS)
    second = client.get(NOTIFICATIONS, {"page": 2})

    assert list(first.context["page"]) == made[::-1][:25]
    assert list(second.context["page"]) == made[::-1][25:]
    page = first.content.decode()
    assert page.index("第30次退回") < page.index("第29次退回")
    assert "alice" in page
    assert 'href="?page=2"' in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_task(client, city):
    task = running(city, "退回的事项", state=TaskState.RETURNED)
    opened, other = notify(city.uma, task, 2)
    client.force_login(city.uma)

    response = client.get(reverse("taskboard:notification_open", args=[opened.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("taskboard:task_detail", args=[task.pk])
    opened.refresh_from_db()
    other.refresh_from_db()
    assert opened.read_at == timezone.now()
    assert other.read_at is None


def test_mark_all_read_is_a_post_and_marks_only_ones_own(client, city):
    task = running(city, "退回的事项", state=TaskState.RETURNED)
    notify(city.uma, task, 3)
    notify(city.lisa, task, 2)
    client.force_login(city.uma)
    mark = reverse("taskboard:notifications_mark_read")

    assert client.get(mark).status_code == 405
    response = client.post(mark, follow=True)

    assert response.redirect_chain == [(NOTIFICATIONS, 302)]
    assert not Notification.objects.filter(recipient=city.uma, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=city.lisa, read_at__isnull=True).count() == 2
    page = response.content.decode()
    assert 'class="badge"' not in page
    assert (
        f'<li class="message success">{zh("%(count)s notifications marked as read.", count=3)}</li>'
        in page
    )


def test_a_person_sees_and_opens_only_their_own_notifications(client, city):
    task = running(city, "退回的事项", state=TaskState.RETURNED)
    (lisas,) = notify(city.lisa, task)
    notify(city.uma, task, 2)
    client.force_login(city.uma)

    listed = client.get(NOTIFICATIONS).context["page"]
    assert {notification.recipient for notification in listed} == {city.uma}
    assert client.get(reverse("taskboard:notification_open", args=[lisas.pk])).status_code == 404
    lisas.refresh_from_db()
    assert lisas.read_at is None


def test_the_notification_list_query_count_does_not_grow(client, city, django_assert_num_queries):
    tasks = [running(city, f"事项{n}", state=TaskState.RETURNED) for n in range(3)]
    client.force_login(city.uma)
    for task in tasks:
        notify(city.uma, task, by=city.alice)
    with django_assert_num_queries(10):
        assert len(client.get(NOTIFICATIONS).context["page"]) == 3

    for task in tasks:
        notify(city.uma, task, 9, by=city.dana)
    with django_assert_num_queries(10):
        assert len(client.get(NOTIFICATIONS).context["page"]) == 25
