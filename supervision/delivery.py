"""Notifications out of the app: email and SMS, at once or as one digest a day.

The in-app rows are the source: `taskboard.Notification` (written with each task event)
and `TaskWarning` (written by the daily sweep, addressed to a unit; who has read it is
supervision/warning_reads.py's to say). Each outgoing message is a `Delivery` row, created
in the transaction that wrote its source (immediate messages) or by the morning digest job,
and sent from Celery after commit. Two unique keys make every message exist once —
(person, channel, event) and (person, channel, digest date) — and sending claims the row
with a conditional UPDATE, so a job or a hook that runs twice, or a message queued twice,
sends once. Failures are retried with exponential backoff up to DELIVERY_MAX_ATTEMPTS; SMS
inside the quiet hours waits for their end (deferred, never dropped).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from taskboard.choices import EventKind
from taskboard.models import Notification
from taskboard.services import ActionNotAllowed

from . import sms
from .choices import WarningKind
from .models import Channel, ChannelPreference, Delivery, DeliveryMode, DeliveryStatus
from .models.delivery import DEFAULT_MODES
from .warning_reads import unread_warnings_of_date

log = logging.getLogger(__name__)
User = get_user_model()

ONE_DAY = datetime.timedelta(days=1)
# A row claimed this long ago by a worker that never finished is tried again.
STALE_CLAIM = datetime.timedelta(minutes=15)
# Messages queued per Celery message.
SEND_BATCH = 50
# A digest email lists this many items per kind and counts the rest.
DIGEST_LIST_LIMIT = 50


# Quiet hours.


def _parse_quiet_hours(value: str) -> tuple[datetime.time, datetime.time] | None:
    if not value.strip():
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in value.split("-"))
    return None if start == end else (start, end)


def quiet_hours_label() -> str:
    """The quiet hours as people read them ("22:00–07:00"), or "" when there are none."""
    window = _parse_quiet_hours(settings.SMS_QUIET_HOURS)
    if window is None:
        return ""
    return "–".join(moment.strftime("%H:%M") for moment in window)


def quiet_until(at: datetime.datetime) -> datetime.datetime | None:
    """The end of the SMS quiet hours `at` falls in (Beijing time), or None outside them."""
    window = _parse_quiet_hours(settings.SMS_QUIET_HOURS)
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(at)
    now, today = local.time(), local.date()
    if start < end:
        inside, end_day = start <= now < end, today
    else:  # spans midnight, e.g. 22:00-07:00
        inside = now >= start or now < end
        end_day = today + ONE_DAY if now >= start else today
    if not inside:
        return None
    return timezone.make_aware(datetime.datetime.combine(end_day, end))


# Who wants what, where.


@dataclass
class Person:
    """What delivery needs of one person: their modes and addresses."""

    pk: int
    email: str
    phone: str
    modes: dict[str, str]

    def address(self, channel: str) -> str:
        return self.email if channel == Channel.EMAIL else self.phone


def people(user_ids: Iterable[int]) -> dict[int, Person]:
    """Active people by id, with their channel modes (defaults where unset): one query."""
    rows = User.objects.filter(pk__in=set(user_ids), is_active=True).values_list(
        "pk",
        "email",
        "profile__phone",
        "channel_preference__email_mode",
        "channel_preference__sms_mode",
    )
    return {
        pk: Person(
            pk=pk,
            email=email or "",
            phone=phone or "",
            modes={
                Channel.EMAIL: email_mode or DEFAULT_MODES[Channel.EMAIL],
                Channel.SMS: sms_mode or DEFAULT_MODES[Channel.SMS],
            },
        )
        for pk, email, phone, email_mode, sms_mode in rows
    }


def is_urgent(kind: str) -> bool:
    """Overdue warnings, returned tasks …: the kinds SMS_URGENT_KINDS names."""
    return kind in set(settings.SMS_URGENT_KINDS)


def urgent_kind_labels() -> str:
    """The urgent kinds as people read them ("逾期、当日到期、退回")."""
    labels = {**dict(EventKind.choices), **dict(WarningKind.choices)}
    names = [str(labels.get(kind, kind)) for kind in settings.SMS_URGENT_KINDS]
    return _listed(names) if names else ""


def sends_at_once(mode: str, kind: str) -> bool:
    """Whether a notification of this event kind goes out at once in this mode."""
    return mode == DeliveryMode.IMMEDIATE or (mode == DeliveryMode.URGENT and is_urgent(kind))


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _new_delivery(*, person: Person, channel: str, at: datetime.datetime, **fields) -> Delivery:
    """A delivery row, deferred already when it is an SMS due inside the quiet hours."""
    deferred_to = quiet_until(at) if channel == Channel.SMS else None
    return Delivery(
        recipient_id=person.pk,
        channel=channel,
        address=person.address(channel),
        created_at=at,
        status=DeliveryStatus.DEFERRED if deferred_to else DeliveryStatus.QUEUED,
        next_attempt_at=deferred_to or at,
        **fields,
    )


@transaction.atomic
def preferences_update(
    *, user, by, email_mode: str, sms_mode: str, email: str, phone: str | None
) -> ChannelPreference:
    """Save a person's channels and the addresses they go to (own settings only).

    The mobile number lives on the person's profile (the admin edits it there too); a
    person without a profile has no number and cannot turn SMS on (the form says so)."""
    if by.pk != user.pk:
        raise ActionNotAllowed(_("You can only change your own notification settings."))
    preference, _created = ChannelPreference.objects.get_or_create(user=user)
    preference.email_mode, preference.sms_mode = email_mode, sms_mode
    preference.save()
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    profile = getattr(user, "profile", None)
    if profile is not None and phone is not None and profile.phone != phone:
        profile.phone = phone
        profile.save(update_fields=["phone"])
    return preference


# Immediate messages: one per notification and channel, for those who want them.


def _render_notification(notification: Notification, channel: str) -> tuple[str, str]:
    task = notification.task
    context = {
        "kind": notification.get_kind_display(),
        "code": task.code,
        "title": task.title,
        "note": notification.event.note if notification.event_id else "",
        "url": _link(reverse("taskboard:task_detail", args=[task.pk])),
    }
    subject = _("%(kind)s: %(code)s %(title)s") % context if channel == Channel.EMAIL else ""
    body = render_to_string(f"supervision/delivery/notification_{channel}.txt", context)
    return subject[:200], body.strip()


def notifications_written(notifications: list[Notification]) -> list[Delivery]:
    """The `after_notifications` hook: queue email/SMS for people who want them at once.

    Runs inside the transaction that wrote the notifications (whose pk may be None on
    PostgreSQL, so the event is the key); sending is queued for after the commit.
    """
    who = people(n.recipient_id for n in notifications)
    at = timezone.now()
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for notification in notifications:
            person = who.get(notification.recipient_id)
            if person is None or notification.event_id is None:
                continue
            for channel in Channel:
                wanted = sends_at_once(person.modes[channel], notification.kind)
                if not wanted or not person.address(channel):
                    continue
                subject, body = _render_notification(notification, channel)
                rows.append(
                    _new_delivery(
                        person=person,
                        channel=channel,
                        at=at,
                        event_id=notification.event_id,
                        subject=subject,
                        body=body,
                    )
                )
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        queued = Delivery.objects.filter(
            event_id__in={row.event_id for row in rows},
            recipient_id__in={row.recipient_id for row in rows},
            status=DeliveryStatus.QUEUED,
        )
        queue_sending(list(queued.values_list("pk", flat=True)))
    return rows


# The daily digest.


@dataclass
class DigestItem:
    pk: int  # the notification's, or the warning's
    kind: str
    label: str
    code: str
    title: str


@dataclass
class DigestContent:
    notifications: list[DigestItem] = field(default_factory=list)
    warnings: list[DigestItem] = field(default_factory=list)

    def for_mode(self, mode: str) -> DigestContent:
        """What a digest in this mode lists: notifications not already sent at once."""
        if mode == DeliveryMode.DIGEST:
            return self
        if mode == DeliveryMode.IMMEDIATE:
            # The sweep's warnings never go out one by one; they come in the morning.
            return DigestContent(warnings=self.warnings)
        if mode == DeliveryMode.URGENT:
            return DigestContent(warnings=[w for w in self.warnings if is_urgent(w.kind)])
        return DigestContent()

    def __bool__(self) -> bool:
        return bool(self.notifications or self.warnings)


def digest_window(for_date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The notifications in the digest of `for_date`: those of the whole day before."""
    start = timezone.make_aware(datetime.datetime.combine(for_date - ONE_DAY, datetime.time()))
    return start, start + ONE_DAY


def digest_contents(*, for_date: datetime.date) -> dict[int, DigestContent]:
    """Per person, the unread notifications of the day before and the date's warnings
    addressed to them that they have not read (two queries whatever the number of people).

    Each notification falls in exactly one day's window and each warning has one date,
    so consecutive digests neither repeat nor miss anything.
    """
    start, end = digest_window(for_date)
    contents: dict[int, DigestContent] = defaultdict(DigestContent)
    notifications = Notification.objects.filter(
        read_at__isnull=True, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "pk")
    for pk, recipient, kind, code, title in notifications.values_list(
        "pk", "recipient_id", "kind", "task__code", "task__title"
    ):
        label = str(EventKind(kind).label) if kind in EventKind.values else kind
        contents[recipient].notifications.append(DigestItem(pk, kind, label, code, title))
    warnings = unread_warnings_of_date(for_date=for_date).order_by("kind", "task__code", "pk")
    for pk, reader, kind, code, title in warnings.values_list(
        "pk", "reader", "kind", "task__code", "task__title"
    ):
        label = str(WarningKind(kind).label) if kind in WarningKind.values else kind
        contents[reader].warnings.append(DigestItem(pk, kind, label, code, title))
    return contents


def _render_digest(
    content: DigestContent, channel: str, for_date: datetime.date
) -> tuple[str, str]:
    by_kind: dict[str, int] = defaultdict(int)
    for item in content.warnings:
        by_kind[item.label] += 1
    context = {
        "date": for_date,
        "notifications": content.notifications[:DIGEST_LIST_LIMIT],
        "warnings": content.warnings[:DIGEST_LIST_LIMIT],
        "more_notifications": max(0, len(content.notifications) - DIGEST_LIST_LIMIT),
        "more_warnings": max(0, len(content.warnings) - DIGEST_LIST_LIMIT),
        "notification_count": len(content.notifications),
        "warning_count": len(content.warnings),
        "warning_kinds": sorted(by_kind.items()),
        "notifications_url": _link(reverse("taskboard:notification_list")),
        "warnings_url": _link(reverse("supervision:warning_list")),
    }
    if channel == Channel.SMS:
        return "", _sms_digest(context)
    subject = _("Duban daily digest for %(date)s") % {"date": for_date.isoformat()}
    body = render_to_string("supervision/delivery/digest_email.txt", context)
    return subject, body.strip()


def _listed(items: list[str]) -> str:
    """Items joined the way the active language lists them ("逾期 3、今日到期 1")."""
    return reduce(lambda a, b: _("%(first)s, %(second)s") % {"first": a, "second": b}, items)


def _sms_digest(context: dict) -> str:
    """Counts only, and where to read: a digest SMS must stay one short message."""
    parts = []
    if context["warning_count"]:
        kinds = _listed([f"{label} {count}" for label, count in context["warning_kinds"]])
        parts.append(
            _("%(count)s warnings (%(kinds)s)")
            % {"count": context["warning_count"], "kinds": kinds}
        )
    if context["notification_count"]:
        parts.append(_("%(count)s unread notifications") % {"count": context["notification_count"]})
    url = context["warnings_url" if context["warning_count"] else "notifications_url"]
    items = reduce(lambda a, b: _("%(first)s; %(second)s") % {"first": a, "second": b}, parts)
    return _("Duban: %(items)s. Details: %(url)s") % {"items": items, "url": url}


def digests_queue(*, for_date: datetime.date) -> list[int]:
    """Create the date's digests, one per person and channel with something to say, and
    queue their sending after commit. Returns the ids queued. Safe to run again or in
    parallel: the unique (person, channel, date) key lets each digest be written once."""
    at = timezone.now()
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        contents = digest_contents(for_date=for_date)  # labels in the office's language
        who = people(contents)
        for pk, everything in contents.items():
            person = who.get(pk)
            if person is None:
                continue
            for channel in Channel:
                content = everything.for_mode(person.modes[channel])
                if not content or not person.address(channel):
                    continue  # no empty digests, and nowhere to send
                subject, body = _render_digest(content, channel, for_date)
                covers = {
                    "notifications": [item.pk for item in content.notifications],
                    "warnings": [item.pk for item in content.warnings],
                }
                rows.append(
                    _new_delivery(
                        person=person,
                        channel=channel,
                        at=at,
                        digest_date=for_date,
                        subject=subject,
                        body=body,
                        covers=covers,
                    )
                )
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        ids = list(
            Delivery.objects.filter(digest_date=for_date, status=DeliveryStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        queue_sending(ids)
    return ids


# Sending.


def queue_sending(ids: list[int]) -> None:
    """After the current transaction commits, hand the deliveries to Celery workers.

    A broker that is down loses nothing: the rows stay queued and the every-few-minutes
    job sends what is due.
    """
    if not ids:
        return

    def send_later() -> None:
        from .tasks import send_deliveries

        for start in range(0, len(ids), SEND_BATCH):
            send_deliveries.delay(ids[start : start + SEND_BATCH])

    transaction.on_commit(send_later, robust=True)


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4, 8 … base periods."""
    return datetime.timedelta(seconds=settings.DELIVERY_RETRY_SECONDS * 2 ** (attempts - 1))


def _transmit(delivery: Delivery) -> None:
    if delivery.channel == Channel.EMAIL:
        EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
        ).send()
    else:
        sms.get_gateway().send(phone=delivery.address, text=delivery.body)


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> str | None:
    """Send one delivery if it is due and nobody else is sending it. Returns its new
    status, or None when there was nothing to do (sent already, claimed, not yet due)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
        next_attempt_at__lte=now,
    ).update(status=DeliveryStatus.SENDING, claimed_at=now)
    if not claimed:
        return None
    delivery = Delivery.objects.get(pk=delivery_id)
    deferred_to = quiet_until(now) if delivery.channel == Channel.SMS else None
    if deferred_to:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DEFERRED, deferred_to
        delivery.save(update_fields=["status", "next_attempt_at"])
        return delivery.status
    delivery.attempts += 1
    try:
        _transmit(delivery)
    except Exception as error:  # any failure of a backend is retried, then shown
        log.warning("Delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.QUEUED
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    else:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return delivery.status


def deliveries_send(*, ids: Iterable[int], now: datetime.datetime | None = None) -> dict:
    """Send each delivery that is due; returns how many ended in each status."""
    counts: dict[str, int] = defaultdict(int)
    for pk in ids:
        status = delivery_send(delivery_id=pk, now=now)
        counts[status or "skipped"] += 1
    return dict(counts)


def deliveries_send_due(*, now: datetime.datetime | None = None) -> dict:
    """The periodic job: retries whose backoff is over, SMS whose quiet hours ended, and
    rows a vanished worker had claimed."""
    now = now or timezone.now()
    # A worker killed mid-send: try again (the message may go out twice, never not at all).
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=now
    )
    due = Delivery.objects.filter(
        Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.DEFERRED),
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "pk")
    return deliveries_send(ids=list(due.values_list("pk", flat=True)[:5000]), now=now)


def deliveries_retry(*, ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """Queue failed (or waiting) deliveries for another attempt now: the admin's action.

    Deferred SMS stay subject to the quiet hours when they are sent."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = Delivery.objects.filter(
            pk__in=list(ids),
            status__in=[DeliveryStatus.FAILED, DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
        )
        pks = list(waiting.values_list("pk", flat=True))
        count = Delivery.objects.filter(pk__in=pks).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=now
        )
        queue_sending(pks)
    return count
