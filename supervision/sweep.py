"""The daily sweep: refresh the lights, raise the day's warnings, tell the units.

Set-based throughout: each warning kind is one `INSERT … SELECT … ON CONFLICT DO NOTHING`
against the unique key (date, kind, task). A warning is addressed to the task's lead unit;
each of the unit's people marks it read for themselves when they read it, so the sweep
writes nothing per person. Working days enter the SQL only as dates computed here in
Python, so the database never needs the calendar. One transaction per date: a worker killed
half-way leaves nothing behind, and the rerun (acks_late redelivers the message) does the
whole date.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, DateField, DateTimeField, Q, Value
from django.utils import timezone

from taskboard import workdays
from taskboard.choices import OPEN_STATES, FeedbackCadence, TaskState
from taskboard.models import Task, feedback_period_start
from taskboard.services import due_states_refresh

from .choices import WarningKind
from .models import SweepRun, TaskWarning
from .notices import draft_due_notices

ONE_DAY = datetime.timedelta(days=1)

# The report reminder goes out this many working days before the period's last working
# day, once per period, so there is still time to report.
REPORT_REMINDER_WORKDAYS = getattr(settings, "REPORT_REMINDER_WORKDAYS", 2)

# A worker that comes back catches up at most this many missed dates by itself; older
# gaps are back-filled on purpose with `manage.py sweep --from … --to …`.
MAX_CATCH_UP_DAYS = 31

# Any constant shared by all sweepers; PostgreSQL advisory lock key ("duban sweep").
SWEEP_LOCK_KEY = 0x64756261_6E5357


# Dates: the calendar is consulted here, never in SQL.


def previous_workday(day: datetime.date) -> datetime.date:
    day -= ONE_DAY
    while not workdays.is_workday(day):
        day -= ONE_DAY
    return day


def period_end(cadence: str, day: datetime.date) -> datetime.date:
    """The last day of the reporting period `day` falls in."""
    if cadence == FeedbackCadence.WEEKLY:
        return feedback_period_start(cadence, day) + datetime.timedelta(days=6)
    months = 1 if cadence == FeedbackCadence.MONTHLY else 3
    start = feedback_period_start(cadence, day)
    return workdays.add_months(start, months) - ONE_DAY


def report_reminder_day(cadence: str, day: datetime.date) -> datetime.date | None:
    """The working day of `day`'s period on which a missing report is reminded."""
    start, last = feedback_period_start(cadence, day), period_end(cadence, day)
    while last >= start and not workdays.is_workday(last):
        last -= ONE_DAY
    remind = last
    for _ in range(REPORT_REMINDER_WORKDAYS):
        if remind <= start:
            break
        remind = previous_workday(remind)
    return remind if remind >= start else None


@dataclass(frozen=True)
class SweepDates:
    """Everything the sweep for one date needs from the calendar."""

    as_of: datetime.date
    is_workday: bool
    previous_workday: datetime.date
    # Per cadence due for a report reminder today: the period's first day.
    report_periods: dict[str, datetime.date] = field(default_factory=dict)

    @classmethod
    def for_date(cls, as_of: datetime.date) -> SweepDates:
        report_periods = {
            cadence: feedback_period_start(cadence, as_of)
            for cadence in (
                FeedbackCadence.WEEKLY,
                FeedbackCadence.MONTHLY,
                FeedbackCadence.QUARTERLY,
            )
            if report_reminder_day(cadence, as_of) == as_of
        }
        return cls(
            as_of=as_of,
            is_workday=workdays.is_workday(as_of),
            previous_workday=previous_workday(as_of),
            report_periods=report_periods,
        )

    def due_window(self, workdays_ahead: int) -> tuple[datetime.date, datetime.date]:
        """Deadlines that came within `workdays_ahead` working days today: (after, up to].

        A window rather than one date, so a deadline on a holiday is warned about too,
        on the last working day before it comes within reach.
        """
        return (
            workdays.add_workdays(self.previous_workday, workdays_ahead),
            workdays.add_workdays(self.as_of, workdays_ahead),
        )


# Which tasks get which warning on a date.

REPORTING_STATES = [TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.RETURNED]


def warning_selections(dates: SweepDates) -> dict[str, Q]:
    """For each warning kind raised on this date, the open tasks it is raised for."""
    selections = {
        WarningKind.DUE_TODAY: Q(deadline=dates.as_of),
        WarningKind.OVERDUE: Q(deadline__lt=dates.as_of),
    }
    if not dates.is_workday:
        # Reminders counted in working days, and asks to act, wait for a working day.
        return selections
    for kind, ahead in ((WarningKind.DUE_SOON_3, 3), (WarningKind.DUE_SOON_1, 1)):
        after, up_to = dates.due_window(ahead)
        selections[kind] = Q(deadline__gt=after, deadline__lte=up_to)
    selections[WarningKind.UNACKNOWLEDGED] = Q(
        state=TaskState.ASSIGNED, assigned_on__lte=dates.previous_workday
    )
    if dates.report_periods:
        selections[WarningKind.REPORT_MISSING] = _report_missing(dates.report_periods)
    return selections


def _report_missing(report_periods: dict[str, datetime.date]) -> Q:
    by_period = []
    for cadence, start in report_periods.items():
        # Publicly listed items are dispatched weekly whatever cadence they were given.
        if cadence == FeedbackCadence.WEEKLY:
            cadence_q = Q(publicly_listed=True) | Q(feedback_cadence=cadence)
        else:
            cadence_q = Q(publicly_listed=False, feedback_cadence=cadence)
        # The period starts at midnight in Beijing; only tasks running all period long.
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
        not_reported = Q(last_reported_at__isnull=True) | Q(last_reported_at__lt=since)
        by_period.append(cadence_q & Q(assigned_on__lt=start) & not_reported)
    return Q(state__in=REPORTING_STATES) & reduce(operator.or_, by_period)


# The statements.


def _insert_select(model, columns: list[str], queryset, conflict: list[str]) -> int:
    select_sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    conflict_list = ", ".join(quote(model._meta.get_field(c).column) for c in conflict)
    with connection.cursor() as cursor:
        # SQLite needs the SELECT to have a WHERE before ON CONFLICT; every one here has.
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) {select_sql} "
            f"ON CONFLICT ({conflict_list}) DO NOTHING",
            params,
        )
        return cursor.rowcount


def warnings_insert(*, kind: str, tasks: Q, for_date: datetime.date, at: datetime.datetime) -> int:
    """Warn about the open tasks matching `tasks`, once per (task, kind, date)."""
    rows = (
        Task.objects.filter(tasks, state__in=OPEN_STATES)
        .order_by()
        .annotate(
            w_kind=Value(kind, CharField()),
            w_date=Value(for_date, DateField()),
            w_at=Value(at, DateTimeField()),
        )
        .values_list("pk", "w_kind", "w_date", "lead_unit_id", "w_at")
    )
    return _insert_select(
        TaskWarning,
        ["task", "kind", "for_date", "unit", "created_at"],
        rows,
        conflict=["for_date", "kind", "task"],
    )


def _prepare_transaction() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers by itself.
    with connection.cursor() as cursor:
        # The unique keys already make a parallel sweep harmless; this lock only spares
        # the second one from waiting on row locks one statement at a time (and from
        # deadlocks between the light updates).
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        # With the default 4 MB, the `pk IN (subquery)` of the light refresh is not
        # hashed at a million tasks and turns quadratic. For this transaction only.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Compiling each statement costs more than it saves on these plain scans.
        cursor.execute("SET LOCAL jit = off")


def _record_run(as_of: datetime.date, counts: dict[str, int], at: datetime.datetime) -> None:
    run, created = SweepRun.objects.get_or_create(
        for_date=as_of, defaults={"finished_at": at, "counts": counts}
    )
    if not created and any(counts.values()):
        run.finished_at = at
        run.counts = {k: run.counts.get(k, 0) + v for k, v in counts.items()}
        run.save(update_fields=["finished_at", "counts"])


def sweep(*, as_of: datetime.date) -> dict[str, int]:
    """Run the daily sweep for a date. Returns rows written: lights changed, warnings per
    kind, notices drafted. Safe to run again, in parallel, or after a crash: nothing is
    written twice."""
    dates = SweepDates.for_date(as_of)
    at = timezone.now()
    with transaction.atomic():
        _prepare_transaction()
        counts = {"lights": due_states_refresh(as_of=as_of)}
        for kind, tasks in warning_selections(dates).items():
            counts[str(kind)] = warnings_insert(kind=kind, tasks=tasks, for_date=as_of, at=at)
        counts.update(draft_due_notices(as_of=as_of))
        _record_run(as_of, counts, at)
    return counts


def sweep_range(*, start: datetime.date, end: datetime.date) -> dict[datetime.date, dict]:
    """Sweep each date from `start` to `end` inclusive, each in its own transaction."""
    results = {}
    day = start
    while day <= end:
        results[day] = sweep(as_of=day)
        day += ONE_DAY
    return results


def dates_to_sweep(*, today: datetime.date) -> list[datetime.date]:
    """The dates since the last sweep up to today (today alone the first time)."""
    last = SweepRun.objects.filter(for_date__lte=today).order_by("-for_date").first()
    first = today if last is None else last.for_date + ONE_DAY
    first = max(first, today - datetime.timedelta(days=MAX_CATCH_UP_DAYS - 1))
    days = (today - first).days + 1
    return [first + datetime.timedelta(days=n) for n in range(days)] or [today]
