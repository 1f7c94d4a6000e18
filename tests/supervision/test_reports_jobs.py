"""The reports' scheduled jobs and the generate_report command: each generates on the day
its report falls due, and running it twice leaves one report."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from supervision import reports, tasks
from supervision.models import Report, ReportKind
from supervision.schedule import BEAT_SCHEDULE
from taskboard.choices import TaskState
from taskboard.workdays import add_workdays, is_workday

from ..factories import TaskFactory

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)


def first_workday(year: int, month: int) -> datetime.date:
    day = D(year, month, 1)
    while not is_workday(day):
        day += ONE_DAY
    return day


def overdue_in_october(city):
    return TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))


def test_monthly_bulletin_falls_due_on_the_first_working_day_of_the_month(db):
    # November 2026 starts on a Sunday: the bulletin waits for Monday the 2nd.
    first = first_workday(2026, 11)
    assert first == D(2026, 11, 2)

    assert reports.due_period(ReportKind.MONTHLY_BULLETIN, D(2026, 11, 1)) is None
    assert reports.due_period(ReportKind.MONTHLY_BULLETIN, first) == reports.month_period(2026, 10)


def test_a_missed_bulletin_is_caught_up_later_in_the_month_once(city):
    later = D(2026, 11, 5)

    assert reports.reports_generate_due(kind=ReportKind.MONTHLY_BULLETIN, today=later)
    assert reports.reports_generate_due(kind=ReportKind.MONTHLY_BULLETIN, today=later) == []
    assert Report.objects.count() == 1


def test_quarterly_half_year_and_year_end_fall_due_after_their_periods(db):
    october, july, january = first_workday(2026, 10), first_workday(2026, 7), first_workday(2027, 1)

    assert reports.due_period(ReportKind.QUARTERLY_REVIEW, october) == reports.quarter_period(
        2026, 3
    )
    assert reports.due_period(ReportKind.QUARTERLY_REVIEW, first_workday(2026, 11)) is None
    assert reports.due_period(ReportKind.HALF_YEAR, july) == reports.half_year_period(2026)
    assert reports.due_period(ReportKind.HALF_YEAR, october) is None
    assert reports.due_period(ReportKind.YEAR_END, january) == reports.year_period(2026)


def test_monthly_job_run_twice_on_its_day_leaves_one_bulletin(city):
    overdue_in_october(city)
    morning = datetime.datetime(2026, 11, 2, 8, tzinfo=SHANGHAI)

    with time_machine.travel(morning, tick=False):
        first = tasks.monthly_bulletin()
        second = tasks.monthly_bulletin()

    assert first == second
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.period_end) == (
        ReportKind.MONTHLY_BULLETIN,
        D(2026, 10, 1),
        D(2026, 10, 31),
    )
    assert report.generated_by is None
    assert report.snapshot["totals"]["newly_overdue"] == 1
    assert "2026" in report.title and "10" in report.title


def test_jobs_do_nothing_on_other_days(city):
    with time_machine.travel(datetime.datetime(2026, 11, 18, 8, tzinfo=SHANGHAI), tick=False):
        Report.objects.create(
            kind=ReportKind.MONTHLY_BULLETIN,
            period_start=D(2026, 10, 1),
            period_end=D(2026, 10, 31),
            title="x",
            as_of=D(2026, 10, 31),
            generated_at=datetime.datetime(2026, 11, 2, tzinfo=SHANGHAI),
        )
        assert tasks.monthly_bulletin() == []
        assert tasks.quarterly_review() == []
        assert tasks.half_year_summary() == []
        assert tasks.year_end_account() == []
        assert tasks.executive_meeting_report() == []


def test_every_report_job_is_on_the_beat_schedule_and_explains_itself():
    names = {entry["task"]: entry for entry in BEAT_SCHEDULE.values()}
    for task in (
        tasks.monthly_bulletin,
        tasks.quarterly_review,
        tasks.half_year_summary,
        tasks.year_end_account,
        tasks.executive_meeting_report,
    ):
        assert task.name in names
        assert len(names[task.name]["description"]) > 30


def test_command_generates_a_period_and_twice_leaves_one(city, capsys):
    overdue_in_october(city)

    call_command("generate_report", "monthly", "--period", "2026-10")
    call_command("generate_report", "monthly", "--period", "2026-10")

    assert Report.objects.count() == 1
    assert "as of 2026-10-31" in capsys.readouterr().out


def test_command_refuses_a_period_it_cannot_read(db):
    with pytest.raises(CommandError):
        call_command("generate_report", "quarterly", "--period", "2026-10")
    assert not Report.objects.exists()


# ---------------------------------------------------------------------------
# The report on the previous executive meeting


def executive(number: int, day: datetime.date) -> Meeting:
    return Meeting.objects.create(kind=MeetingKind.EXECUTIVE, number=number, date=day)


def test_meeting_report_is_generated_the_working_day_before_the_next_meeting(city):
    previous = executive(11, D(2026, 10, 12))
    for number, state in ((1, TaskState.CLOSED), (2, TaskState.IN_PROGRESS)):
        task = TaskFactory(
            lead_unit=city.unit_a,
            state=state,
            assigned_on=D(2026, 10, 14),
            deadline=D(2026, 10, 29),
            closed_at=datetime.datetime(2026, 10, 20, 9, tzinfo=SHANGHAI)
            if state == TaskState.CLOSED
            else None,
        )
        Decision.objects.create(meeting=previous, number=number, text=f"议定{number}", task=task)
    Meeting.objects.create(kind=MeetingKind.TOPIC, number=3, date=D(2026, 10, 30))
    coming = executive(12, D(2026, 11, 2))  # a Monday: Friday 30 October is the day before
    day_before = D(2026, 10, 30)
    assert add_workdays(day_before, 1) == coming.date

    assert reports.executive_meeting_reports_generate_due(today=D(2026, 10, 29)) == []
    reports.executive_meeting_reports_generate_due(today=day_before)
    reports.executive_meeting_reports_generate_due(today=day_before)

    report = Report.objects.get()
    assert report.subject_key == f"meetings.meeting:{previous.pk}"
    snapshot = report.snapshot
    assert snapshot["next_meeting"] == coming.display_name
    assert [row["status"] for row in snapshot["decisions"]] == ["closed", "overdue"]
    assert snapshot["totals"]["completion_rate"] == "50.0%"
    assert [row["meeting"] for row in snapshot["series"]] == [previous.short_name]


def test_meeting_command_generates_for_a_meeting(city):
    previous = executive(11, D(2026, 10, 12))

    call_command("generate_report", "meeting", "--meeting", str(previous.pk))
    call_command("generate_report", "meeting", "--meeting", str(previous.pk))

    assert Report.objects.filter(kind=ReportKind.EXECUTIVE_MEETING).count() == 1
