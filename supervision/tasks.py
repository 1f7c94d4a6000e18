"""Celery jobs of the supervision engine: thin wrappers that call a service for a date."""

import datetime

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
