import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from supervision import sweep as daily_sweep
from supervision.choices import WarningKind
from supervision.models import SweepRun, TaskWarning
from supervision.sweep import report_reminder_day, sweep, sweep_range
from supervision.warning_reads import unread_warnings
from taskboard.choices import DueState, FeedbackCadence, TaskState
from taskboard.workdays import add_workdays, is_workday

from ..factories import TaskFactory, progress_report

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + ONE_DAY * n for n in range((end - start).days + 1)]


def warned_on(task, kind) -> list[datetime.date]:
    rows = TaskWarning.objects.filter(task=task, kind=kind).order_by("for_date")
    return list(rows.values_list("for_date", flat=True))


def open_task(city, **fields):
    fields = {
        "lead_unit": city.unit_a,
        "state": TaskState.IN_PROGRESS,
        "assigned_on": D(2026, 8, 3),
        "deadline": D(2026, 12, 31),
        **fields,
    }
    return TaskFactory(**fields)


def report(task, city, at: datetime.datetime):
    return progress_report(task, reporter=city.uma, reported_at=at, text="进展")


# Deadlines, across the 2026 National Day holiday (1–7 October off).


def test_due_soon_reminders_come_3_and_1_working_days_before_the_deadline_across_a_holiday(city):
    task = open_task(city, deadline=D(2026, 10, 9))

    sweep_range(start=D(2026, 9, 24), end=D(2026, 10, 12))

    three_before = [d for d in days(D(2026, 9, 1), D(2026, 10, 9)) if is_workday(d)]
    three_before = [d for d in three_before if add_workdays(d, 3) == task.deadline]
    one_before = [d for d in days(D(2026, 9, 1), D(2026, 10, 9)) if is_workday(d)]
    one_before = [d for d in one_before if add_workdays(d, 1) == task.deadline]
    # 30 September and 8 October are the working days in between.
    assert three_before == [D(2026, 9, 29)]
    assert one_before == [D(2026, 10, 8)]
    assert warned_on(task, WarningKind.DUE_SOON_3) == three_before
    assert warned_on(task, WarningKind.DUE_SOON_1) == one_before
    assert warned_on(task, WarningKind.DUE_TODAY) == [D(2026, 10, 9)]


def test_overdue_warnings_start_the_day_after_the_deadline_and_come_every_day(city):
    task = open_task(city, deadline=D(2026, 10, 9))

    sweep_range(start=D(2026, 10, 8), end=D(2026, 10, 12))

    assert warned_on(task, WarningKind.OVERDUE) == days(D(2026, 10, 10), D(2026, 10, 12))


def test_deadline_on_a_holiday_is_warned_on_the_working_days_before_it(city):
    task = open_task(city, deadline=D(2026, 10, 3))

    sweep_range(start=D(2026, 9, 21), end=D(2026, 10, 4))

    # 28 September is the first working day from which 3 October is within three working
    # days (25–27 September are off); 30 September is the last working day before it.
    assert warned_on(task, WarningKind.DUE_SOON_3) == [D(2026, 9, 28)]
    assert warned_on(task, WarningKind.DUE_SOON_1) == [D(2026, 9, 30)]
    assert warned_on(task, WarningKind.DUE_TODAY) == [D(2026, 10, 3)]
    assert warned_on(task, WarningKind.OVERDUE) == [D(2026, 10, 4)]


def test_sweep_refreshes_the_lights(city):
    overdue = open_task(city, deadline=D(2026, 10, 9), due_state=DueState.GREEN)

    sweep(as_of=D(2026, 10, 10))

    overdue.refresh_from_db()
    assert overdue.due_state == DueState.RED


# Acknowledgement and progress reports: working days only.


def test_unacknowledged_task_is_reminded_from_the_next_working_day_on_working_days_only(city):
    # Thursday 24 September; 25 September (Mid-Autumn) and the weekend are off.
    task = open_task(city, state=TaskState.ASSIGNED, assigned_on=D(2026, 9, 24))

    sweep_range(start=D(2026, 9, 24), end=D(2026, 9, 29))

    assert warned_on(task, WarningKind.UNACKNOWLEDGED) == [D(2026, 9, 28), D(2026, 9, 29)]


def test_acknowledged_task_is_not_reminded_to_acknowledge(city):
    task = open_task(city, state=TaskState.ACKNOWLEDGED, assigned_on=D(2026, 9, 1))

    sweep_range(start=D(2026, 9, 7), end=D(2026, 9, 11))

    assert warned_on(task, WarningKind.UNACKNOWLEDGED) == []


def test_weekends_bring_no_acknowledgement_or_report_reminders(city):
    unacknowledged = open_task(city, state=TaskState.ASSIGNED, assigned_on=D(2026, 9, 1))
    weekly = open_task(city, feedback_cadence=FeedbackCadence.WEEKLY)

    sweep_range(start=D(2026, 9, 12), end=D(2026, 9, 13))

    assert not TaskWarning.objects.filter(
        kind__in=[WarningKind.UNACKNOWLEDGED, WarningKind.REPORT_MISSING]
    ).exists()
    assert warned_on(unacknowledged, WarningKind.UNACKNOWLEDGED) == []
    assert warned_on(weekly, WarningKind.REPORT_MISSING) == []


def test_missing_monthly_report_is_reminded_once_two_working_days_before_month_end(city):
    task = open_task(city, feedback_cadence=FeedbackCadence.MONTHLY)
    report(task, city, datetime.datetime(2026, 8, 20, 10, tzinfo=datetime.UTC))

    sweep_range(start=D(2026, 9, 1), end=D(2026, 9, 30))

    # 30 September is September's last working day; two working days before it: the 28th.
    assert report_reminder_day(FeedbackCadence.MONTHLY, D(2026, 9, 15)) == D(2026, 9, 28)
    assert warned_on(task, WarningKind.REPORT_MISSING) == [D(2026, 9, 28)]


def test_task_that_reported_this_period_is_not_reminded(city):
    task = open_task(city, feedback_cadence=FeedbackCadence.MONTHLY)
    # Just after midnight on 1 September in Beijing is still 31 August in UTC.
    report(task, city, datetime.datetime(2026, 8, 31, 16, 30, tzinfo=datetime.UTC))

    sweep(as_of=D(2026, 9, 28))

    assert warned_on(task, WarningKind.REPORT_MISSING) == []


def test_publicly_listed_task_is_asked_for_a_report_every_week(city):
    task = open_task(city, feedback_cadence=FeedbackCadence.MONTHLY, publicly_listed=True)

    sweep_range(start=D(2026, 9, 7), end=D(2026, 9, 27))

    # Wednesdays, two working days before Friday; 25 September (Mid-Autumn) is off, so
    # that week's reminder comes on the Tuesday.
    assert warned_on(task, WarningKind.REPORT_MISSING) == [
        D(2026, 9, 9),
        report_reminder_day(FeedbackCadence.WEEKLY, D(2026, 9, 14)),
        D(2026, 9, 22),
    ]


def test_task_assigned_during_the_period_is_not_reminded_of_that_periods_report(city):
    task = open_task(city, state=TaskState.ACKNOWLEDGED, assigned_on=D(2026, 9, 2))

    sweep(as_of=D(2026, 9, 28))

    assert warned_on(task, WarningKind.REPORT_MISSING) == []


@pytest.mark.parametrize(
    "state",
    [TaskState.DRAFT, TaskState.CLOSED, TaskState.SUSPENDED, TaskState.CANCELLED],
)
def test_tasks_not_running_get_no_warnings(city, state):
    open_task(city, state=state, deadline=D(2026, 9, 1), assigned_on=D(2026, 8, 3))

    sweep_range(start=D(2026, 9, 1), end=D(2026, 9, 30))

    assert not TaskWarning.objects.exists()


# At most once.


def test_overdue_task_gets_one_warning_even_if_sweep_runs_twice(city):
    task = open_task(city, deadline=D(2026, 10, 9))

    first = sweep(as_of=D(2026, 10, 12))
    second = sweep(as_of=D(2026, 10, 12))

    assert first["overdue"] == 1
    assert not any(second.values())
    assert warned_on(task, WarningKind.OVERDUE) == [D(2026, 10, 12)]
    assert unread_warnings(city.uma).count() == 1


def test_sweep_killed_half_way_leaves_nothing_and_the_rerun_misses_nothing(city, monkeypatch):
    open_task(city, deadline=D(2026, 10, 9))
    open_task(city, state=TaskState.ASSIGNED, assigned_on=D(2026, 10, 8))
    insert = daily_sweep.warnings_insert
    calls = []

    def killed_after_the_first_statement(**kwargs):
        if calls:
            raise SystemExit("worker killed")
        calls.append(insert(**kwargs))
        return calls[-1]

    monkeypatch.setattr(daily_sweep, "warnings_insert", killed_after_the_first_statement)
    with pytest.raises(SystemExit):
        sweep(as_of=D(2026, 10, 12))
    assert calls  # the first kind was written before the worker died…
    assert not TaskWarning.objects.exists()  # …and went with the transaction
    assert not SweepRun.objects.exists()

    monkeypatch.setattr(daily_sweep, "warnings_insert", insert)
    counts = sweep(as_of=D(2026, 10, 12))

    assert counts["overdue"] == 1
    assert counts["unacknowledged"] == 1
    assert TaskWarning.objects.count() == 2
    assert unread_warnings(city.uma).count() == 2


def test_catching_up_missed_dates_creates_each_dates_warnings_once(city):
    task = open_task(city, deadline=D(2026, 10, 9))
    sweep(as_of=D(2026, 10, 10))

    sweep_range(start=D(2026, 10, 10), end=D(2026, 10, 14))
    sweep_range(start=D(2026, 10, 10), end=D(2026, 10, 14))

    assert warned_on(task, WarningKind.OVERDUE) == days(D(2026, 10, 10), D(2026, 10, 14))


def test_a_worker_coming_back_sweeps_the_dates_since_the_last_sweep(city):
    SweepRun.objects.create(for_date=D(2026, 10, 10), finished_at=timezone.now())

    assert daily_sweep.dates_to_sweep(today=D(2026, 10, 13)) == days(
        D(2026, 10, 11), D(2026, 10, 13)
    )
    assert daily_sweep.dates_to_sweep(today=D(2026, 10, 10)) == [D(2026, 10, 10)]


def test_the_first_sweep_ever_covers_today_only(db):
    assert daily_sweep.dates_to_sweep(today=D(2026, 10, 13)) == [D(2026, 10, 13)]


def test_catch_up_after_long_downtime_is_bounded(db):
    SweepRun.objects.create(for_date=D(2026, 1, 1), finished_at=timezone.now())

    dates = daily_sweep.dates_to_sweep(today=D(2026, 10, 13))

    assert len(dates) == daily_sweep.MAX_CATCH_UP_DAYS
    assert dates[-1] == D(2026, 10, 13)


# Who is told.


def test_a_warning_goes_once_to_the_lead_unit_where_its_active_staff_see_it_unread(city):
    task = open_task(city, deadline=D(2026, 10, 9))
    city.lisa.is_active = False
    city.lisa.save()

    sweep(as_of=D(2026, 10, 12))
    sweep(as_of=D(2026, 10, 12))

    warning = TaskWarning.objects.get(task=task)
    assert warning.unit == city.unit_a
    assert list(unread_warnings(city.uma)) == [warning]
    assert not unread_warnings(city.lisa).exists()


def test_staff_of_other_units_and_the_office_are_not_told(city):
    open_task(city, deadline=D(2026, 10, 9))

    sweep(as_of=D(2026, 10, 12))

    everyone = get_user_model().objects.all()
    told = {person.username for person in everyone if unread_warnings(person).exists()}
    assert told == {"uma", "lisa"}


# Two sweeps at once, on PostgreSQL.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_warning_once(city):
    open_task(city, deadline=D(2026, 10, 9))
    open_task(city, state=TaskState.ASSIGNED, assigned_on=D(2026, 10, 8))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(sweep(as_of=D(2026, 10, 12)))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(r["overdue"] for r in results) == [0, 1]
    assert TaskWarning.objects.filter(kind=WarningKind.OVERDUE).count() == 1
    assert TaskWarning.objects.filter(kind=WarningKind.UNACKNOWLEDGED).count() == 1
    assert unread_warnings(city.uma).count() == 2
