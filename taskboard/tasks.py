"""Celery jobs of the core: thin wrappers that call a service for a date."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from . import services, workdays

log = logging.getLogger(__name__)


def _as_of(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(name="taskboard.refresh_due_states")
def refresh_due_states(as_of: str | None = None) -> int:
    """Recompute every task's light for a date (default: today in Asia/Shanghai)."""
    return services.due_states_refresh(as_of=_as_of(as_of))


@shared_task(name="taskboard.check_calendar_coverage")
def check_calendar_coverage(as_of: str | None = None) -> list[int]:
    """Warn when next year's official holidays are not known yet."""
    year = _as_of(as_of).year
    missing = workdays.uncovered_years([year, year + 1])
    for missing_year in missing:
        log.warning(
            "Working days of %s are provisional (Monday–Friday): enter the official "
            "calendar as working-day corrections in the admin.",
            missing_year,
        )
    return missing
