"""Celery jobs of the supervision engine: thin wrappers that call a service for a date."""

import datetime
import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import sweep as daily_sweep


@shared_task(
    name="supervision.sweep",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep(as_of: str | None = None) -> dict[str, dict[str, int]]:
    """Sweep a date; by default every date since the last sweep up to today (Beijing)."""
    if as_of:
        dates = [datetime.date.fromisoformat(as_of)]
    else:
        dates = daily_sweep.dates_to_sweep(today=timezone.localdate())
    return {day.isoformat(): daily_sweep.sweep(as_of=day) for day in dates}


@shared_task(name="supervision.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Prove beat and a worker are alive: log one line, write nothing."""
    now = timezone.localtime().isoformat(timespec="seconds")
    logging.getLogger("supervision.heartbeat").info("beat alive %s", now)
    return now


# Notifications by email and SMS (supervision/delivery.py).


@shared_task(name="supervision.send_deliveries", acks_late=True)
def send_deliveries(ids: list[int]) -> dict[str, int]:
    """Send the given deliveries (queued after the commit that created them)."""
    from . import delivery

    return delivery.deliveries_send(ids=ids)


@shared_task(name="supervision.send_due_deliveries", acks_late=True)
def send_due_deliveries() -> dict[str, int]:
    """Retry failed sends whose backoff is over and SMS whose quiet hours ended."""
    from . import delivery

    return delivery.deliveries_send_due()


@shared_task(name="supervision.send_digests", bind=True, acks_late=True, max_retries=12)
def send_digests(self, for_date: str | None = None) -> int:
    """Queue each person's daily digest (default: today in Beijing, after its sweep)."""
    from . import delivery
    from .models import SweepRun

    day = datetime.date.fromisoformat(for_date) if for_date else timezone.localdate()
    swept = SweepRun.objects.filter(for_date=day).exists()
    if not for_date and not swept and self.request.retries < self.max_retries:
        # The digest carries the morning's warnings: wait for the sweep (10 min at a time,
        # two hours at most, then send what there is).
        raise self.retry(countdown=600)
    return len(delivery.digests_queue(for_date=day))


# Periodic reports (supervision/reports.py). Each runs daily and generates only on the day
# its report falls due; a second run that day replaces the report with the same figures.


def _reports_due(kind: str, today: str | None) -> list[int]:
    from django.conf import settings
    from django.utils import translation

    from . import reports

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        if kind == "executive_meeting":
            generated = reports.executive_meeting_reports_generate_due(today=day)
        else:
            generated = reports.reports_generate_due(kind=kind, today=day)
    return [report.pk for report in generated]


@shared_task(name="supervision.monthly_bulletin", acks_late=True)
def monthly_bulletin(today: str | None = None) -> list[int]:
    return _reports_due("monthly_bulletin", today)


@shared_task(name="supervision.quarterly_review", acks_late=True)
def quarterly_review(today: str | None = None) -> list[int]:
    return _reports_due("quarterly_review", today)


@shared_task(name="supervision.half_year_summary", acks_late=True)
def half_year_summary(today: str | None = None) -> list[int]:
    return _reports_due("half_year", today)


@shared_task(name="supervision.year_end_account", acks_late=True)
def year_end_account(today: str | None = None) -> list[int]:
    return _reports_due("year_end", today)


@shared_task(name="supervision.executive_meeting_report", acks_late=True)
def executive_meeting_report(today: str | None = None) -> list[int]:
    return _reports_due("executive_meeting", today)
