"""Official Chinese working days.

Order of authority: the admin-editable override table, then the `chinesecalendar` package
(which knows the State Council's published calendars), then Monday–Friday, marked
*provisional*, for years neither knows.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

import chinese_calendar

from .choices import PeriodUnit
from .models import DeadlineRule, WorkdayOverride

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DayInfo:
    is_workday: bool
    provisional: bool


def _known_by_package(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def year_is_provisional(year: int) -> bool:
    """True when nothing knows this year's holidays: neither the package nor an override."""
    if _known_by_package(year):
        return False
    return not WorkdayOverride.objects.filter(date__year=year).exists()


def _day_info(day: datetime.date, overrides: dict[datetime.date, bool]) -> DayInfo:
    if day in overrides:
        return DayInfo(overrides[day], provisional=False)
    try:
        return DayInfo(chinese_calendar.is_workday(day), provisional=False)
    except NotImplementedError:
        return DayInfo(day.weekday() < 5, provisional=not _overridden_years(overrides, day))


def _overridden_years(overrides: dict[datetime.date, bool], day: datetime.date) -> bool:
    return any(d.year == day.year for d in overrides)


def _overrides_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    # Whole years, so a year with any correction entered is known not to be provisional.
    rows = WorkdayOverride.objects.filter(
        date__gte=datetime.date(start.year, 1, 1), date__lte=datetime.date(end.year, 12, 31)
    ).values_list("date", "is_workday")
    return dict(rows)


def day_info(day: datetime.date) -> DayInfo:
    return _day_info(day, _overrides_between(day, day))


def is_workday(day: datetime.date) -> bool:
    return day_info(day).is_workday


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n ≥ 0; n = 0 gives `day` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return day
    # Long holidays are at most ~9 days; three times n plus a month bounds the search.
    overrides = _overrides_between(day, day + datetime.timedelta(days=3 * n + 31))
    current = day
    while n:
        current += ONE_DAY
        if _day_info(current, overrides).is_workday:
            n -= 1
    return current


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 if end ≤ start)."""
    if end <= start:
        return 0
    overrides = _overrides_between(start, end)
    count, current = 0, start
    while current < end:
        current += ONE_DAY
        count += _day_info(current, overrides).is_workday
    return count


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_period(day: datetime.date, amount: int, unit: str) -> datetime.date:
    """`day` plus a period as the deadline rules state it."""
    if unit == PeriodUnit.WORKDAY:
        return add_workdays(day, amount)
    if unit == PeriodUnit.DAY:
        return day + datetime.timedelta(days=amount)
    if unit == PeriodUnit.WEEK:
        return day + datetime.timedelta(weeks=amount)
    if unit == PeriodUnit.MONTH:
        return add_months(day, amount)
    raise ValueError(f"unknown period unit {unit!r}")


@dataclass(frozen=True)
class RuleDeadlines:
    issue_by: datetime.date
    feedback_by: datetime.date
    rule: DeadlineRule


def deadlines_for(
    source: str, source_date: datetime.date, assigned_on: datetime.date | None = None
) -> RuleDeadlines:
    """When the assignment notice must go out, and when feedback is due, for a source.

    Feedback is counted from the assignment date, or, before assignment, from the latest
    day the notice may be issued.
    """
    rule = DeadlineRule.objects.get(source=source)
    issue_by = add_period(source_date, rule.issuance_amount, rule.issuance_unit)
    feedback_by = add_period(assigned_on or issue_by, rule.feedback_amount, rule.feedback_unit)
    return RuleDeadlines(issue_by=issue_by, feedback_by=feedback_by, rule=rule)


def uncovered_years(years) -> list[int]:
    """Of these years, those whose working days are only provisional."""
    return [year for year in years if year_is_provisional(year)]
