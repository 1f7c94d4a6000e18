"""Completion rates: closed ÷ decisions not cancelled, to one decimal."""

import datetime

import pytest

from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from meetings.selectors import meeting_decisions, meeting_series
from taskboard.choices import TaskState
from taskboard.models import Task
from taskboard.stats import CompletionRate, completion_of

from ..factories import TaskFactory
from .conftest import make_decision, make_meeting


@pytest.mark.parametrize(
    "done, total, shown",
    [
        (187, 197, "94.9%"),
        (81, 92, "88.0%"),
        (343, 404, "84.9%"),
        (39, 39, "100.0%"),
        (321, 342, "93.9%"),
        (0, 3, "0.0%"),
        (1, 8, "12.5%"),
        (0, 0, "—"),
    ],
)
def test_rates_are_shown_to_one_decimal_rounding_half_up(done, total, shown):
    assert str(CompletionRate(done, total)) == shown


def test_cancelled_decisions_do_not_count_and_only_closed_ones_are_done():
    states = [
        TaskState.CLOSED,
        TaskState.CLOSED,
        TaskState.CLOSURE_REQUESTED,
        TaskState.IN_PROGRESS,
        TaskState.CANCELLED,
    ]
    assert completion_of(states) == CompletionRate(2, 4)


def yongzhou_executive_meetings(city):
    """Yongzhou 2018 (seed 000): 14 executive meetings, 197 decisions, 187 done."""
    meetings = [
        make_meeting(number=n, date=datetime.date(2026, 1, 1) + datetime.timedelta(days=20 * n))
        for n in range(1, 15)
    ]
    tasks = TaskFactory.build_batch(199, lead_unit=city.unit_a)
    for index, task in enumerate(tasks):
        task.code = f"2026-{index + 1:04d}"
        task.state = (
            TaskState.CLOSED
            if index < 187
            else TaskState.CANCELLED
            if index >= 197
            else TaskState.IN_PROGRESS
        )
    tasks = Task.objects.bulk_create(tasks)
    Decision.objects.bulk_create(
        Decision(meeting=meetings[index % 14], number=index // 14 + 1, text=task.title, task=task)
        for index, task in enumerate(tasks)
    )
    return meetings


def test_the_yongzhou_executive_meetings_reach_94_9_percent(city):
    yongzhou_executive_meetings(city)
    rows, total = meeting_series(
        kind=MeetingKind.EXECUTIVE,
        year=2026,
        meetings=Meeting.objects.all(),
        tasks=Task.objects.all(),
    )
    assert len(rows) == 14
    assert (total.done, total.total) == (187, 197)
    assert str(total) == "94.9%"
    assert sum(row.rate.total for row in rows) == 197


def test_a_portfolio_leader_sees_only_the_decisions_in_the_portfolio(city):
    meeting = make_meeting()
    mine = make_decision(meeting, 1, lead_unit=city.unit_a, state=TaskState.CLOSED)
    make_decision(meeting, 2, lead_unit=city.unit_b)
    led = make_decision(meeting, 3, lead_unit=city.unit_b, lead_leader=city.pat)
    visible = meeting_decisions(meeting=meeting, tasks=Task.objects.visible_to(city.pat))
    assert visible == [mine, led]
    assert completion_of(d.task.state for d in visible) == CompletionRate(1, 2)
