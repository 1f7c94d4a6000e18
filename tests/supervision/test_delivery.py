"""Email and SMS: immediate messages after commit, daily digests, quiet hours, retries."""

import datetime
import threading
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from supervision import delivery, notices, tasks
from supervision.choices import NoticeKind, WarningKind
from supervision.models import (
    ChannelPreference,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    SweepRun,
    TaskWarning,
    WarningRead,
)
from supervision.schedule import BEAT_SCHEDULE
from supervision.sms import LoggingGateway, SmsError
from supervision.warning_reads import warnings_mark_all_read
from taskboard import services
from taskboard.choices import EventKind, Role, TaskState
from taskboard.models import Notification, TaskEvent

from ..factories import TaskFactory, person

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = D(2026, 10, 12)
ONE_DAY = datetime.timedelta(days=1)
ONE_MINUTE = datetime.timedelta(minutes=1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def sms_outbox():
    LoggingGateway.outbox.clear()
    yield LoggingGateway.outbox
    LoggingGateway.outbox.clear()


@pytest.fixture
def sent_at_once(monkeypatch):
    """Celery's .delay() runs the task in place, and on_commit callbacks run."""
    calls = []

    def delay(ids):
        calls.append(list(ids))
        return tasks.send_deliveries(ids)

    monkeypatch.setattr(tasks.send_deliveries, "delay", delay)
    return calls


def contact(user, *, email="", phone="", email_mode=None, sms_mode=None):
    user.email = email
    user.save(update_fields=["email"])
    user.profile.phone = phone
    user.profile.save(update_fields=["phone"])
    if email_mode or sms_mode:
        ChannelPreference.objects.update_or_create(
            user=user,
            defaults={
                "email_mode": email_mode or DeliveryMode.DIGEST,
                "sms_mode": sms_mode or DeliveryMode.URGENT,
            },
        )


def closure_requested(city, **fields):
    return TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSURE_REQUESTED, **fields)


# Immediate messages.


def test_a_returned_task_texts_the_unit_head_at_once_after_the_commit(
    city, django_capture_on_commit_callbacks, sent_at_once, sms_outbox
):
    contact(city.uma, phone="13800138000")  # defaults: email digest, SMS urgent only
    task = closure_requested(city, title="整治城区背街小巷")

    with time_machine.travel(at(MONDAY, 10)):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.task_return(task=task, by=city.alice, reason="照片材料不全")
        # Nothing leaves before the transaction commits.
        assert not sms_outbox
        assert Delivery.objects.get().status == DeliveryStatus.QUEUED
        for callback in callbacks:
            callback()

    sent = Delivery.objects.get()
    assert (sent.channel, sent.address, sent.status, sent.attempts) == (
        "sms",
        "13800138000",
        DeliveryStatus.SENT,
        1,
    )
    assert sent.event.kind == EventKind.RETURNED
    assert [m.phone for m in sms_outbox] == ["13800138000"]
    assert task.code in sms_outbox[0].text
    assert mail.outbox == []  # email is a daily digest by default


def test_an_issued_urge_notice_texts_the_unit_at_once_as_urgent(
    city, django_capture_on_commit_callbacks, sent_at_once, sms_outbox
):
    contact(city.uma, phone="13800138000")  # defaults: email digest, SMS urgent only
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=MONDAY)
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[task])
    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.pat)
    notices.notice_sign(notice=notice, by=city.dirk)

    with (
        time_machine.travel(at(MONDAY + datetime.timedelta(days=3), 10)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notices.notice_issue(notice=notice, by=city.alice)

    sent = Delivery.objects.get()
    assert (sent.channel, sent.status, sent.event.kind) == (
        "sms",
        DeliveryStatus.SENT,
        EventKind.NOTICE_ISSUED,
    )
    assert [m.phone for m in sms_outbox] == ["13800138000"]
    assert task.code in sms_outbox[0].text


def test_a_rolled_back_action_sends_nothing(city, django_capture_on_commit_callbacks):
    contact(city.uma, phone="13800138000", sms_mode=DeliveryMode.IMMEDIATE)
    task = closure_requested(city)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.task_return(task=task, by=city.alice, reason="材料不全")
        raise RuntimeError("the request failed after the action")

    assert callbacks == []
    assert not Delivery.objects.exists()


def test_immediate_email_goes_to_those_who_asked_for_it_and_not_for_routine_sms(
    city, django_capture_on_commit_callbacks, sent_at_once, sms_outbox
):
    contact(city.uma, email="uma@example.gov.cn", phone="13800138000")
    contact(
        city.lisa,
        email="lisa@example.gov.cn",
        phone="13900139000",
        email_mode=DeliveryMode.IMMEDIATE,
        sms_mode=DeliveryMode.URGENT,
    )
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.DRAFT, assigned_on=None)

    with time_machine.travel(at(MONDAY, 10)), django_capture_on_commit_callbacks(execute=True):
        services.task_assign(task=task, by=city.alice, deadline=D(2026, 12, 31))

    # Assignment is routine: lisa's email at once, nobody's SMS, uma waits for the digest.
    assert [m.to for m in mail.outbox] == [["lisa@example.gov.cn"]]
    assert task.code in mail.outbox[0].subject
    assert not sms_outbox
    assert list(Delivery.objects.values_list("recipient__username", "channel")) == [
        ("lisa", "email")
    ]


def test_no_message_without_an_address_or_with_the_channel_off(
    city, django_capture_on_commit_callbacks
):
    contact(city.uma, phone="", sms_mode=DeliveryMode.IMMEDIATE)
    contact(city.lisa, phone="13900139000", sms_mode=DeliveryMode.OFF)

    with django_capture_on_commit_callbacks(execute=False):
        services.task_return(task=closure_requested(city), by=city.alice, reason="材料不全")

    assert not Delivery.objects.exists()


def test_the_hook_run_twice_for_the_same_notifications_queues_one_message(city):
    contact(city.uma, phone="13800138000", sms_mode=DeliveryMode.IMMEDIATE)
    task = closure_requested(city)
    with time_machine.travel(at(MONDAY, 10)):
        services.task_return(task=task, by=city.alice, reason="材料不全")
        written = list(Notification.objects.filter(recipient=city.uma))
        # PostgreSQL hands the hook rows without a pk: the event is the key.
        for notification in written:
            notification.pk = None

        delivery.notifications_written(written)

    assert Delivery.objects.filter(recipient=city.uma).count() == 1


# Quiet hours.


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at(MONDAY, 22), at(MONDAY + datetime.timedelta(days=1), 7)),
        (at(MONDAY, 23, 59), at(MONDAY + datetime.timedelta(days=1), 7)),
        (at(MONDAY, 3), at(MONDAY, 7)),
        (at(MONDAY, 6, 59), at(MONDAY, 7)),
        (at(MONDAY, 7), None),
        (at(MONDAY, 21, 59), None),
    ],
)
def test_quiet_hours_run_from_22_to_7_beijing_time(now, until):
    assert delivery.quiet_until(now) == until


def test_quiet_hours_can_be_set_or_switched_off(settings):
    settings.SMS_QUIET_HOURS = "12:00-14:00"
    assert delivery.quiet_until(at(MONDAY, 13)) == at(MONDAY, 14)
    assert delivery.quiet_until(at(MONDAY, 23)) is None
    settings.SMS_QUIET_HOURS = ""
    assert delivery.quiet_until(at(MONDAY, 23)) is None


def test_an_sms_due_at_night_is_deferred_to_seven_and_then_sent_once(
    city, django_capture_on_commit_callbacks, sent_at_once, sms_outbox
):
    contact(city.uma, phone="13800138000")
    task = closure_requested(city)

    with (
        time_machine.travel(at(MONDAY, 23, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.task_return(task=task, by=city.alice, reason="材料不全")

    waiting = Delivery.objects.get()
    tuesday_seven = at(MONDAY + datetime.timedelta(days=1), 7)
    assert (waiting.status, waiting.next_attempt_at) == (DeliveryStatus.DEFERRED, tuesday_seven)
    assert not sms_outbox

    with time_machine.travel(at(MONDAY + datetime.timedelta(days=1), 6, 55), tick=False):
        tasks.send_due_deliveries()
    assert not sms_outbox

    with time_machine.travel(at(MONDAY + datetime.timedelta(days=1), 7, 0), tick=False):
        tasks.send_due_deliveries()
        tasks.send_due_deliveries()

    assert len(sms_outbox) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_an_sms_claimed_inside_quiet_hours_is_deferred_not_sent(city, sms_outbox):
    contact(city.uma, phone="13800138000")
    row = Delivery.objects.create(
        recipient=city.uma,
        channel="sms",
        address="13800138000",
        body="text",
        next_attempt_at=at(MONDAY, 21),
    )

    status = delivery.delivery_send(delivery_id=row.pk, now=at(MONDAY, 22, 10))

    row.refresh_from_db()
    assert status == DeliveryStatus.DEFERRED
    assert row.next_attempt_at == at(MONDAY + datetime.timedelta(days=1), 7)
    assert (row.attempts, list(sms_outbox)) == (0, [])


def test_email_ignores_quiet_hours(city):
    row = Delivery.objects.create(
        recipient=city.uma,
        channel="email",
        address="uma@example.gov.cn",
        subject="s",
        body="b",
        next_attempt_at=at(MONDAY, 23),
    )

    delivery.delivery_send(delivery_id=row.pk, now=at(MONDAY, 23, 30))

    assert len(mail.outbox) == 1


# The daily digest.


def notification(user, task, kind, created_at, read=False):
    event = TaskEvent.objects.create(
        task=task, kind=kind, at=created_at, from_state=task.state, to_state=task.state
    )
    return Notification.objects.create(
        recipient=user,
        task=task,
        event=event,
        kind=kind,
        created_at=created_at,
        read_at=created_at if read else None,
    )


def warning(task, kind, for_date, read_by=()):
    """The sweep's warning about `task`, addressed to its lead unit, read by `read_by`."""
    raised = TaskWarning.objects.create(
        task=task, kind=kind, for_date=for_date, unit=task.lead_unit, created_at=at(for_date, 7)
    )
    for reader in read_by:
        WarningRead.objects.create(warning=raised, reader=reader, read_at=at(for_date, 8))
    return raised


@pytest.fixture
def day_of_news(city):
    """uma's Sunday notifications and Monday-morning warnings."""
    contact(city.uma, email="uma@example.gov.cn", phone="13800138000")
    sunday = MONDAY - datetime.timedelta(days=1)
    first = TaskFactory(lead_unit=city.unit_a, title="老旧小区改造")
    second = TaskFactory(lead_unit=city.unit_a, title="背街小巷整治")
    late = TaskFactory(lead_unit=city.unit_a, title="管网更新", deadline=D(2026, 10, 9))
    return {
        "notifications": [
            notification(city.uma, first, EventKind.ASSIGNED, at(sunday, 9)),
            notification(city.uma, second, EventKind.EDITED, at(sunday, 23, 50)),
        ],
        "read": notification(city.uma, first, EventKind.EDITED, at(sunday, 10), read=True),
        "saturday": notification(city.uma, first, EventKind.EDITED, at(sunday, 0) - ONE_MINUTE),
        "monday": notification(city.uma, second, EventKind.EDITED, at(MONDAY, 0)),
        "overdue": warning(late, WarningKind.OVERDUE, MONDAY),
        "due_soon": warning(first, WarningKind.DUE_SOON_3, MONDAY),
        "tasks": (first, second, late),
    }


def test_the_digest_lists_the_previous_days_unread_notifications_and_the_days_warnings(
    city, day_of_news, sent_at_once, django_capture_on_commit_callbacks, sms_outbox
):
    with (
        time_machine.travel(at(MONDAY, 7, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        delivery.digests_queue(for_date=MONDAY)

    email = Delivery.objects.get(channel="email")
    assert email.covers == {
        "notifications": [n.pk for n in day_of_news["notifications"]],
        "warnings": [day_of_news["due_soon"].pk, day_of_news["overdue"].pk],
    }
    assert email.status == DeliveryStatus.SENT
    [message] = mail.outbox
    assert message.to == ["uma@example.gov.cn"]
    first, second, late = day_of_news["tasks"]
    for task in (first, second, late):
        assert task.code in message.body
    assert "2026-10-12" in message.subject

    # SMS is "urgent only" by default: one text about the overdue task, none per task.
    sms = Delivery.objects.get(channel="sms")
    assert sms.covers == {"notifications": [], "warnings": [day_of_news["overdue"].pk]}
    assert len(sms_outbox) == 1


def test_the_digest_job_run_twice_sends_each_digest_once(
    city, day_of_news, sent_at_once, django_capture_on_commit_callbacks, sms_outbox
):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            delivery.digests_queue(for_date=MONDAY)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.digests_queue(for_date=MONDAY)
        tasks.send_due_deliveries()

    assert Delivery.objects.count() == 2
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1


def test_no_empty_digest(city, sent_at_once, django_capture_on_commit_callbacks):
    contact(city.uma, email="uma@example.gov.cn", phone="13800138000")
    contact(city.lisa, email="lisa@example.gov.cn", phone="13800138001")
    task = TaskFactory(lead_unit=city.unit_a)
    notification(city.uma, task, EventKind.EDITED, at(MONDAY - ONE_DAY, 9), read=True)
    # A warning that is not urgent: no SMS for it, and the email has it; lisa has read it.
    warning(task, WarningKind.DUE_SOON_3, MONDAY, read_by=[city.lisa])

    with django_capture_on_commit_callbacks(execute=True):
        delivery.digests_queue(for_date=MONDAY)

    assert list(Delivery.objects.values_list("recipient__username", "channel")) == [
        ("uma", "email")
    ]


def test_the_digest_lists_for_each_person_the_dates_warnings_of_their_unit_they_have_not_read(
    city, django_assert_num_queries
):
    late = TaskFactory(lead_unit=city.unit_a, deadline=D(2026, 10, 9))
    soon = TaskFactory(lead_unit=city.unit_a)
    overdue = warning(late, WarningKind.OVERDUE, MONDAY, read_by=[city.uma])
    due_soon = warning(soon, WarningKind.DUE_SOON_3, MONDAY)
    warning(late, WarningKind.OVERDUE, MONDAY - ONE_DAY)  # another date's
    finance = warning(TaskFactory(lead_unit=city.unit_b), WarningKind.DUE_TODAY, MONDAY)
    with time_machine.travel(at(MONDAY, 7, 10)):
        assert warnings_mark_all_read(user=city.lisa) == 3
    newcomer = person("nina", Role.UNIT_LIAISON, city.unit_a)
    gone = person("otto", Role.UNIT_HEAD, city.unit_b)
    gone.is_active = False
    gone.save()

    with django_assert_num_queries(2):
        contents = delivery.digest_contents(for_date=MONDAY)

    listed = {pk: [item.pk for item in content.warnings] for pk, content in contents.items()}
    assert listed == {
        city.uma.pk: [due_soon.pk],
        newcomer.pk: [due_soon.pk, overdue.pk],
        city.bob.pk: [finance.pk],
    }
    [item] = contents[city.bob.pk].warnings
    assert (item.kind, item.code) == (WarningKind.DUE_TODAY, finance.task.code)


def test_the_digest_costs_the_same_queries_for_more_people_and_warnings(
    city, django_assert_num_queries
):
    for n in range(5):
        person(f"liaison{n}", Role.UNIT_LIAISON, city.unit_a)
        person(f"head{n}", Role.UNIT_HEAD, city.unit_b)
        warning(TaskFactory(lead_unit=city.unit_a), WarningKind.OVERDUE, MONDAY)
        warning(TaskFactory(lead_unit=city.unit_b), WarningKind.OVERDUE, MONDAY, [city.bob])

    with django_assert_num_queries(2):
        contents = delivery.digest_contents(for_date=MONDAY)

    assert len(contents[city.uma.pk].warnings) == 5
    assert city.bob.pk not in contents
    assert len(contents) == 2 + 5 + 5


def test_consecutive_digests_neither_repeat_nor_miss_a_notification(city, day_of_news):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        delivery.digests_queue(for_date=MONDAY)
    with time_machine.travel(at(MONDAY + ONE_DAY, 7, 30), tick=False):
        delivery.digests_queue(for_date=MONDAY + ONE_DAY)

    monday, tuesday = Delivery.objects.filter(channel="email").order_by("digest_date")
    assert day_of_news["monday"].pk not in monday.covers["notifications"]
    assert tuesday.covers["notifications"] == [day_of_news["monday"].pk]
    assert day_of_news["saturday"].pk not in monday.covers["notifications"]


def test_people_who_get_each_notification_at_once_still_get_the_warnings_in_the_morning(
    city, day_of_news
):
    contact(
        city.uma,
        email="uma@example.gov.cn",
        phone="13800138000",
        email_mode=DeliveryMode.IMMEDIATE,
        sms_mode=DeliveryMode.OFF,
    )

    delivery.digests_queue(for_date=MONDAY)

    email = Delivery.objects.get()
    assert email.covers["notifications"] == []
    assert len(email.covers["warnings"]) == 2


def test_an_sms_digest_is_one_short_message(city, day_of_news):
    contact(city.uma, phone="13800138000", email_mode=DeliveryMode.OFF, sms_mode="digest")

    delivery.digests_queue(for_date=MONDAY)

    sms = Delivery.objects.get()
    assert len(sms.covers["notifications"]) == 2
    assert len(sms.body) <= 140
    assert "/supervision/warnings/" in sms.body


def test_the_digest_task_waits_for_the_mornings_sweep(city, day_of_news, monkeypatch):
    retried = []

    def retry(**kwargs):
        retried.append(kwargs)
        raise RuntimeError("retry")

    monkeypatch.setattr(tasks.send_digests, "retry", retry)
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        with pytest.raises(RuntimeError):
            tasks.send_digests.apply(throw=True)
        assert retried == [{"countdown": 600}]
        assert not Delivery.objects.exists()

        SweepRun.objects.create(for_date=MONDAY, finished_at=timezone.now())
        tasks.send_digests.apply(throw=True)

    assert Delivery.objects.count() == 2


def test_send_digests_command_for_a_date_sends_once_when_run_twice(city, day_of_news, capsys):
    call_command("send_digests", "--date", "2026-10-12", "--send-now")
    call_command("send_digests", "--date", "2026-10-12", "--send-now")

    assert "2026-10-12: 2 digests queued" in capsys.readouterr().out
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_the_digests_run_after_the_sweep_and_retries_every_five_minutes():
    assert BEAT_SCHEDULE["send-digests"]["task"] == tasks.send_digests.name
    assert BEAT_SCHEDULE["send-digests"]["crontab"] == {"minute": "30", "hour": "7"}
    assert BEAT_SCHEDULE["sweep"]["crontab"] == {"minute": "0", "hour": "7"}
    assert BEAT_SCHEDULE["send-due-deliveries"]["task"] == tasks.send_due_deliveries.name
    assert BEAT_SCHEDULE["send-due-deliveries"]["crontab"] == {"minute": "*/5"}


# Failures: retried with backoff, then failed and shown.


class BrokenGateway:
    def send(self, *, phone, text):
        raise SmsError("gateway answered 503")


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("421 try again later")


def test_a_failing_sms_is_retried_with_exponential_backoff_then_marked_failed(city, settings):
    settings.SMS_BACKEND = "tests.supervision.test_delivery.BrokenGateway"
    settings.DELIVERY_MAX_ATTEMPTS = 4
    settings.DELIVERY_RETRY_SECONDS = 60
    start = at(MONDAY, 10)
    row = Delivery.objects.create(
        recipient=city.uma, channel="sms", address="13800138000", body="t", next_attempt_at=start
    )

    now, waits = start, []
    for _ in range(4):
        assert delivery.delivery_send(delivery_id=row.pk, now=now) is not None
        row.refresh_from_db()
        if row.status == DeliveryStatus.FAILED:
            break
        waits.append(row.next_attempt_at - now)
        # Not before its time.
        assert (
            delivery.delivery_send(delivery_id=row.pk, now=row.next_attempt_at - ONE_MINUTE) is None
        )
        now = row.next_attempt_at

    assert waits == [datetime.timedelta(minutes=m) for m in (1, 2, 4)]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 4)
    assert "503" in row.last_error
    # Failed rows are left alone by the periodic job.
    assert delivery.deliveries_send_due(now=now + ONE_DAY) == {}


def test_a_failing_email_is_queued_again_and_sent_by_the_periodic_job(city, settings):
    settings.EMAIL_BACKEND = "tests.supervision.test_delivery.BrokenEmailBackend"
    row = Delivery.objects.create(
        recipient=city.uma, channel="email", address="uma@example.gov.cn", subject="s", body="b"
    )
    now = timezone.now()

    assert delivery.delivery_send(delivery_id=row.pk, now=now) == DeliveryStatus.QUEUED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery.deliveries_send_due(now=now + datetime.timedelta(seconds=61)) == {"sent": 1}

    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (DeliveryStatus.SENT, 2, 1)


def test_a_delivery_sent_already_or_being_sent_is_not_sent_again(city):
    row = Delivery.objects.create(
        recipient=city.uma, channel="email", address="uma@example.gov.cn", subject="s", body="b"
    )
    now = timezone.now()

    assert delivery.deliveries_send(ids=[row.pk, row.pk], now=now) == {"sent": 1, "skipped": 1}
    assert tasks.send_deliveries([row.pk]) == {"skipped": 1}
    assert len(mail.outbox) == 1


def test_a_send_abandoned_by_a_vanished_worker_is_tried_again_later(city):
    now = timezone.now()
    row = Delivery.objects.create(
        recipient=city.uma,
        channel="email",
        address="uma@example.gov.cn",
        subject="s",
        body="b",
        status=DeliveryStatus.SENDING,
        claimed_at=now - datetime.timedelta(minutes=5),
    )

    assert delivery.deliveries_send_due(now=now) == {}
    assert delivery.deliveries_send_due(now=now + datetime.timedelta(minutes=11)) == {"sent": 1}
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


def test_retry_now_queues_a_failed_delivery_for_one_more_attempt(
    city, django_capture_on_commit_callbacks, sent_at_once
):
    row = Delivery.objects.create(
        recipient=city.uma,
        channel="email",
        address="uma@example.gov.cn",
        subject="s",
        body="b",
        status=DeliveryStatus.FAILED,
        attempts=5,
        next_attempt_at=timezone.now() + ONE_DAY,
    )
    sent = Delivery.objects.create(
        recipient=city.uma, channel="email", address="u@x.cn", body="b", status="sent"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.deliveries_retry(ids=[row.pk, sent.pk]) == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 6)
    assert sent_at_once == [[row.pk]]


# Two digest jobs and two senders at once, on PostgreSQL.


def in_parallel(work, times=2):
    barrier = threading.Barrier(times)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_digest_jobs_at_once_create_and_send_each_digest_once(city, day_of_news, sms_outbox):
    # Celery is not running here: the jobs' rows stay queued until sent below.
    in_parallel(lambda: delivery.digests_queue(for_date=MONDAY))
    assert Delivery.objects.count() == 2

    ids = list(Delivery.objects.values_list("pk", flat=True))
    in_parallel(lambda: delivery.deliveries_send(ids=ids))

    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
