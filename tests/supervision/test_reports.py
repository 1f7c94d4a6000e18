"""The periodic reports' figures: rates on hand-built data, "as of" a date from the task
history, the quarterly scoring and its grade boundaries, one report per period."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from supervision import reports
from supervision.models import Grade, Report, ReportKind, ScoringRule
from supervision.reports import Period, report_generate
from supervision.scoring import UnitCounts, unit_score
from taskboard import services
from taskboard.choices import EventKind, FeedbackCadence, TaskOrigin, TaskState
from taskboard.models import Milestone, ProgressReport, Task, TaskEvent
from taskboard.services import ActionNotAllowed

from ..factories import TaskFactory

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
OCTOBER = Period(D(2026, 10, 1), D(2026, 10, 31))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def bulk_tasks(unit, count: int, start: int = 0, **fields) -> None:
    """`count` tasks straight into the table (hand-built figures need hundreds)."""
    defaults = {
        "year": 2026,
        "origin": TaskOrigin.MEETING,
        "state": TaskState.IN_PROGRESS,
        "assigned_on": D(2026, 1, 10),
        "deadline": D(2026, 12, 31),
    }
    defaults.update(fields)
    Task.objects.bulk_create(
        Task(code=f"2026-{start + n:05d}", title=f"事项{start + n}", lead_unit=unit, **defaults)
        for n in range(count)
    )


def figures(period=OCTOBER, tasks=None):
    return reports.tally(tasks=tasks or Task.objects.all(), period=period).total


# ---------------------------------------------------------------------------
# Rates on hand-built data


def test_completion_rate_of_yongzhou_executive_meetings_is_94_9(city):
    closed_at = at(D(2026, 9, 1))
    bulk_tasks(city.unit_a, 187, state=TaskState.CLOSED, closed_at=closed_at)
    bulk_tasks(city.unit_a, 10, start=187)
    bulk_tasks(city.unit_a, 5, start=300, state=TaskState.CANCELLED)  # not counted
    bulk_tasks(city.unit_a, 4, start=400, state=TaskState.DRAFT, assigned_on=None)

    total = figures()

    assert (total.total, total.closed) == (197, 187)
    assert str(total.completion) == "94.9%"


def test_on_track_rate_of_yongzhou_work_report_targets_is_91_7(city):
    work = {"origin": TaskOrigin.WORK_REPORT, "deadline": D(2027, 3, 31)}
    bulk_tasks(city.unit_a, 150, state=TaskState.CLOSED, closed_at=at(D(2026, 9, 1)), **work)
    bulk_tasks(city.unit_a, 59, start=150, **work)  # running, no milestone: on schedule
    bulk_tasks(city.unit_a, 10, start=300, **{**work, "deadline": D(2026, 10, 15)})  # overdue
    bulk_tasks(city.unit_a, 9, start=400, **work)
    for task in Task.objects.filter(code__gte="2026-00400", code__lt="2026-00500"):
        Milestone.objects.create(task=task, planned_on=D(2026, 9, 30), percent=60)
        ProgressReport.objects.create(
            task=task,
            unit=city.unit_a,
            reporter=city.uma,
            reported_at=at(D(2026, 10, 5)),
            text="进展",
            percent=40,
        )  # behind the milestone

    total = figures()

    assert (total.total, total.on_track, total.closed, total.overdue) == (228, 209, 150, 10)
    assert str(total.on_track_rate) == "91.7%"
    assert str(total.overdue_rate) == "4.4%"


def test_a_report_meeting_its_milestone_is_on_schedule(city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 12, 1))
    Milestone.objects.create(task=task, planned_on=D(2026, 10, 10), percent=50)
    ProgressReport.objects.create(
        task=task,
        unit=city.unit_a,
        reporter=city.uma,
        reported_at=at(D(2026, 10, 9)),
        text="过半",
        percent=50,
    )
    # A report after the month's end does not count for October.
    late = TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 12, 1))
    Milestone.objects.create(task=late, planned_on=D(2026, 10, 10), percent=50)
    ProgressReport.objects.create(
        task=late,
        unit=city.unit_a,
        reporter=city.uma,
        reported_at=at(D(2026, 11, 1), 0),
        text="过半",
        percent=80,
    )

    assert figures().on_track == 1


def test_month_figures_count_newly_overdue_closed_and_overdue_at_the_end(city):
    make = lambda **f: TaskFactory(lead_unit=city.unit_a, **f)  # noqa: E731
    make(state=TaskState.CLOSED, deadline=D(2026, 11, 30), closed_at=at(D(2026, 10, 15)))
    make(state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))  # newly overdue, still open
    make(state=TaskState.IN_PROGRESS, deadline=D(2026, 9, 20))  # overdue since September
    make(state=TaskState.CLOSED, deadline=D(2026, 10, 10), closed_at=at(D(2026, 10, 12)))
    make(state=TaskState.CLOSED, deadline=D(2026, 10, 10), closed_at=at(D(2026, 10, 9)))
    make(state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 31))  # the last day has passed
    make(state=TaskState.IN_PROGRESS, deadline=D(2026, 11, 5))  # on schedule
    make(state=TaskState.SUSPENDED, deadline=D(2026, 10, 5))  # the clock stopped
    make(state=TaskState.CANCELLED, deadline=D(2026, 10, 5))
    make(state=TaskState.IN_PROGRESS, assigned_on=D(2026, 11, 2), deadline=D(2026, 11, 20))

    total = figures()

    assert total.total == 8
    assert total.closed == 3
    assert total.closed_in_period == 3
    assert total.overdue == 3
    assert total.newly_overdue == 3  # 20 Oct open, 10 Oct closed late, 31 Oct
    assert total.on_track == 4
    assert total.overdue_in_period == 4


def test_bulletin_names_units_by_overdue_tasks_and_lists_newly_overdue(city):
    TaskFactory(lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))
    TaskFactory(lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, deadline=D(2026, 9, 20))
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 2))
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 12, 2))

    snapshot = reports.monthly_bulletin_snapshot(period=OCTOBER)

    assert snapshot["named_units"] == [
        {"unit": city.unit_b.name, "overdue": 2, "newly_overdue": 1},
        {"unit": city.unit_a.name, "overdue": 1, "newly_overdue": 1},
    ]
    assert snapshot["newly_overdue"]["count"] == 2
    assert [item["deadline"] for item in snapshot["newly_overdue"]["items"]] == [
        "2026-10-02",
        "2026-10-20",
    ]
    assert [row["origin"] for row in snapshot["by_origin"]] == [TaskOrigin.MEETING]
    assert {row["unit"]: row["total"] for row in snapshot["by_unit"]} == {
        city.unit_a.name: 2,
        city.unit_b.name: 2,
    }


# ---------------------------------------------------------------------------
# As of a date: October regenerated in December says what it said in November


def _live_october(city):
    """Tasks that go through the services in October, then change after it."""
    with time_machine.travel(at(D(2026, 10, 9)), tick=False):
        closing, untouched, cancelled, reopened = (
            services.task_create(
                by=city.alice,
                title=f"事项{n}",
                lead_unit=city.unit_a,
                origin=TaskOrigin.MEETING,
                deadline=D(2026, 10, 20),
            )
            for n in range(4)
        )
        for task in (closing, untouched, cancelled, reopened):
            services.task_assign(task=task, by=city.alice)
            services.task_acknowledge(task=task, by=city.uma)
    with time_machine.travel(at(D(2026, 10, 16)), tick=False):
        services.task_request_closure(task=reopened, by=city.uma, summary="已完成")
        services.task_close(task=reopened, by=city.alice)
    with time_machine.travel(at(D(2026, 11, 3)), tick=False):
        services.task_request_closure(task=closing, by=city.uma, summary="已完成")
        services.task_close(task=closing, by=city.alice)
        services.task_cancel(task=cancelled, by=city.dirk, reason="不再需要")
        services.task_reopen(
            task=reopened, by=city.alice, reason="群众不满意", deadline=D(2026, 12, 31)
        )


def test_a_past_month_is_counted_as_it_stood_at_its_end(city):
    _live_october(city)

    total = figures()

    # At the end of October: three open and overdue (deadline 20 Oct), one closed on 16 Oct.
    assert (total.total, total.closed, total.overdue, total.newly_overdue) == (4, 1, 3, 3)
    assert total.closed_in_period == 1
    # November: one closed (3 Nov), one cancelled, one reopened until 31 December.
    now = figures(Period(D(2026, 11, 1), D(2026, 11, 30)))
    assert (now.total, now.closed, now.overdue) == (3, 1, 1)


def test_october_regenerated_in_december_gives_octobers_figures(city):
    with time_machine.travel(at(D(2026, 10, 9)), tick=False):
        task = services.task_create(
            by=city.alice,
            title="事项",
            lead_unit=city.unit_a,
            origin=TaskOrigin.MEETING,
            deadline=D(2026, 10, 30),
        )
        services.task_assign(task=task, by=city.alice)
        services.task_acknowledge(task=task, by=city.uma)
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        first = report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=OCTOBER).snapshot
    with time_machine.travel(at(D(2026, 11, 20)), tick=False):
        services.task_request_closure(task=task, by=city.uma, summary="已完成")
        services.task_close(task=task, by=city.alice)
    with time_machine.travel(at(D(2026, 12, 10)), tick=False):
        again = report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=OCTOBER).snapshot

    assert again == first
    assert first["totals"]["overdue"] == 1
    assert Report.objects.count() == 1


def test_an_extension_approved_after_the_month_does_not_change_its_deadline(city):
    with time_machine.travel(at(D(2026, 10, 9)), tick=False):
        task = services.task_create(
            by=city.alice,
            title="事项",
            lead_unit=city.unit_a,
            origin=TaskOrigin.MEETING,
            deadline=D(2026, 10, 30),
        )
        services.task_assign(task=task, by=city.alice)
        services.task_acknowledge(task=task, by=city.uma)
    with time_machine.travel(at(D(2026, 10, 28)), tick=False):
        services.task_request_extension(
            task=task, by=city.uma, proposed_deadline=D(2026, 12, 20), reason="天气原因"
        )
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        request = task.extension_requests.get()
        services.task_decide_extension(request=request, by=city.alice, approve=True)

    assert Task.objects.get(pk=task.pk).deadline == D(2026, 12, 20)
    assert figures().overdue == 1  # at the end of October its deadline was 30 October
    assert figures(Period(D(2026, 11, 1), D(2026, 11, 30))).overdue == 0


# ---------------------------------------------------------------------------
# Grades and the scoring rule


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("95", Grade.EXCELLENT),
        ("94.99", Grade.GOOD),
        ("85", Grade.GOOD),
        ("84.99", Grade.PASS),
        ("70", Grade.PASS),
        ("69.99", Grade.FAIL),
        ("-3", Grade.FAIL),
    ],
)
def test_a_score_on_a_grades_least_score_gets_that_grade(score, grade):
    assert ScoringRule(effective_from=D(2026, 1, 1)).grade(Decimal(score)) == grade


def test_unit_score_breaks_down_its_deductions():
    rule = ScoringRule(effective_from=D(2026, 1, 1))
    scored = unit_score(
        rule,
        UnitCounts(overdue_as_lead=1, overdue_as_co_unit=1, late_reports=2, returned_closures=1),
    )

    # 100 - 2 - 1 - 2 × 0.5 - 1 = 95: exactly Excellent.
    assert scored.score == Decimal(95)
    assert scored.grade == Grade.EXCELLENT
    assert scored.as_dict()["late_reports_points"] == "1.00"


def test_the_rule_in_force_on_the_quarters_last_day_scores_it(db):
    ScoringRule.objects.create(effective_from=D(2026, 1, 1), per_overdue_as_lead=2)
    ScoringRule.objects.create(effective_from=D(2026, 10, 1), per_overdue_as_lead=5)

    assert ScoringRule.in_force(D(2026, 9, 30)).per_overdue_as_lead == 2
    assert ScoringRule.in_force(D(2026, 12, 31)).per_overdue_as_lead == 5
    assert ScoringRule.in_force(D(2025, 12, 31)).pk is None  # the defaults


def test_thresholds_that_do_not_descend_are_refused(db):
    rule = ScoringRule(effective_from=D(2026, 1, 1), good_from=95, excellent_from=95)
    with pytest.raises(ValidationError):
        rule.full_clean()
    with pytest.raises(IntegrityError):
        rule.save()


def test_quarterly_review_scores_each_unit_with_its_breakdown(city):
    q3 = Period(D(2026, 7, 1), D(2026, 9, 30))
    overdue = TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 3, 2),
        deadline=D(2026, 8, 14),
        feedback_cadence=FeedbackCadence.ONCE,
    )
    overdue.co_units.add(city.unit_b)
    monthly = TaskFactory(
        lead_unit=city.unit_b,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 3, 2),
        deadline=D(2026, 12, 31),
        feedback_cadence=FeedbackCadence.MONTHLY,
    )
    ProgressReport.objects.create(
        task=monthly,
        unit=city.unit_b,
        reporter=city.bob,
        reported_at=at(D(2026, 8, 20)),
        text="进展",
        percent=30,
    )  # July and September have none: two late reports
    TaskEvent.objects.create(
        task=monthly,
        kind=EventKind.RETURNED,
        at=at(D(2026, 9, 3)),
        from_state=TaskState.CLOSURE_REQUESTED,
        to_state=TaskState.RETURNED,
    )

    snapshot = reports.quarterly_review_snapshot(period=q3)

    grades = {row["unit"]: row for row in snapshot["grades"]}
    assert grades[city.unit_a.name]["overdue_as_lead"] == 1
    assert grades[city.unit_a.name]["score"] == "98.00"
    assert grades[city.unit_a.name]["grade"] == Grade.EXCELLENT
    unit_b = grades[city.unit_b.name]
    assert (unit_b["overdue_as_co_unit"], unit_b["late_reports"], unit_b["returned_closures"]) == (
        1,
        2,
        1,
    )
    assert unit_b["score"] == "97.00"  # 100 - 1 - 1 - 1
    assert snapshot["rule"]["excellent_from"] == "95.00"
    assert snapshot["grade_counts"] == {Grade.EXCELLENT: 2}


# ---------------------------------------------------------------------------
# Generating


def test_regenerating_a_period_replaces_its_report(city):
    TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))
    first = report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=OCTOBER, by=city.alice)
    TaskFactory(lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, deadline=D(2026, 10, 20))

    second = report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=OCTOBER)

    assert Report.objects.count() == 1
    assert second.pk == first.pk
    assert second.snapshot["totals"]["total"] == 2
    assert second.generated_by is None


def test_only_the_office_generates_reports(city):
    with pytest.raises(ActionNotAllowed):
        report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=OCTOBER, by=city.uma)
    assert not Report.objects.exists()


def test_half_year_summary_counts_the_years_work_report_targets(city):
    target = TaskFactory(
        lead_unit=city.unit_a,
        origin=TaskOrigin.WORK_REPORT,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 2, 1),
        deadline=D(2026, 6, 15),
    )
    TaskFactory(
        lead_unit=city.unit_a,
        origin=TaskOrigin.WORK_REPORT,
        parent=target,
        assigned_on=D(2026, 2, 1),
        deadline=D(2026, 6, 1),
    )  # a part of a split target is not a target
    TaskFactory(
        lead_unit=city.unit_a,
        origin=TaskOrigin.MEETING,
        assigned_on=D(2026, 2, 1),
        deadline=D(2026, 6, 1),
    )
    TaskFactory(
        lead_unit=city.unit_b,
        origin=TaskOrigin.WORK_REPORT,
        state=TaskState.CLOSED,
        assigned_on=D(2026, 2, 1),
        closed_at=at(D(2026, 5, 1)),
    )

    report = report_generate(kind=ReportKind.HALF_YEAR, period=reports.half_year_period(2026))

    totals = report.snapshot["totals"]
    assert (totals["total"], totals["closed"], totals["on_track_rate"]) == (2, 1, "50.0%")
    assert report.snapshot["lagging"]["items"][0]["status"] == "overdue"


@pytest.mark.parametrize(
    ("kind", "text", "period"),
    [
        (ReportKind.MONTHLY_BULLETIN, "2026-10", OCTOBER),
        (ReportKind.QUARTERLY_REVIEW, "2026-q4", Period(D(2026, 10, 1), D(2026, 12, 31))),
        (ReportKind.HALF_YEAR, "2026-H1", Period(D(2026, 1, 1), D(2026, 6, 30))),
        (ReportKind.HALF_YEAR, "2026", Period(D(2026, 1, 1), D(2026, 6, 30))),
        (ReportKind.YEAR_END, "2026", Period(D(2026, 1, 1), D(2026, 12, 31))),
    ],
)
def test_periods_are_written_as_people_write_them(kind, text, period):
    assert reports.parse_period(kind, text) == period


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (ReportKind.MONTHLY_BULLETIN, "2026-13"),
        (ReportKind.MONTHLY_BULLETIN, "October"),
        (ReportKind.QUARTERLY_REVIEW, "2026-Q5"),
        (ReportKind.YEAR_END, ""),
    ],
)
def test_a_period_that_is_not_one_is_refused(kind, text):
    with pytest.raises(ValueError, match="2026"):
        reports.parse_period(kind, text)
