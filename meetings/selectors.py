"""Reads the meeting pages need, scoped to the tasks the person may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from taskboard.choices import Role, TaskState
from taskboard.models import Profile, Task, Unit
from taskboard.stats import CompletionRate
from taskboard.workdays import RuleDeadlines, deadlines_for

from .models import Decision, Meeting


def _with_counts(meetings: QuerySet[Meeting], tasks: QuerySet[Task]) -> QuerySet[Meeting]:
    """Meetings with their counted decisions (visible ones, tasks not cancelled) and done."""
    visible = Q(decisions__task__in=tasks) & ~Q(decisions__task__state=TaskState.CANCELLED)
    return meetings.annotate(
        decision_count=Count("decisions", filter=visible),
        done_count=Count("decisions", filter=visible & Q(decisions__task__state=TaskState.CLOSED)),
        draft_count=Count("decisions", filter=visible & Q(decisions__task__state=TaskState.DRAFT)),
    )


def meeting_list(*, meetings: QuerySet[Meeting], tasks: QuerySet[Task]) -> QuerySet[Meeting]:
    """Meetings for the list page: chair joined, decisions counted, newest first."""
    return _with_counts(meetings.select_related("chair").defer("minutes"), tasks).order_by(
        "-date", "kind", "-number"
    )


def meeting_detail(*, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("chair", "created_by").prefetch_related(
        Prefetch("attending_units", queryset=Unit.objects.order_by("sort_order", "name"))
    )


def meeting_decisions(*, meeting: Meeting, tasks: QuerySet[Task]) -> list[Decision]:
    """The meeting's decisions whose tasks this person may see, with the tasks' columns."""
    return list(
        Decision.objects.filter(meeting=meeting, task__in=tasks)
        .select_related("task__lead_unit", "task__lead_leader")
        .prefetch_related(Prefetch("task__co_units", queryset=Unit.objects.order_by("name")))
        .order_by("number")
    )


@dataclass
class SeriesRow:
    meeting: Meeting
    rate: CompletionRate


def meeting_series(
    *, kind: str, year: int, meetings: QuerySet[Meeting], tasks: QuerySet[Task]
) -> tuple[list[SeriesRow], CompletionRate]:
    """All meetings of a kind in a year, each with its rate, and the rate over them all
    (e.g. 14 executive meetings, 197 decisions, 187 done: 94.9%)."""
    rows = [
        SeriesRow(meeting, CompletionRate(meeting.done_count, meeting.decision_count))
        for meeting in _with_counts(meetings.filter(kind=kind, year=year), tasks).order_by("number")
    ]
    return rows, sum((row.rate for row in rows), CompletionRate(0, 0))


def meeting_years(*, meetings: QuerySet[Meeting]) -> list[int]:
    return list(meetings.order_by("-year").values_list("year", flat=True).distinct())


# ---------------------------------------------------------------------------
# Proposals for new decisions


@dataclass(frozen=True)
class DecisionProposal:
    text: str
    lead_unit: Unit | None
    co_units: list[Unit]
    lead_leader: object
    deadline: datetime.date


def meeting_deadlines(
    *, meeting: Meeting, assigned_on: datetime.date | None = None
) -> RuleDeadlines:
    """When the meeting's assignment notices are due, and, for decisions assigned on
    `assigned_on` (never before the meeting), when feedback is due."""
    start = max(assigned_on, meeting.date) if assigned_on else None
    return deadlines_for(meeting.deadline_source, meeting.date, start)


def _units_named_in(text: str, units: list[Unit]) -> list[Unit]:
    """Units whose name (or short name) the text mentions, in the order it mentions them.
    A name inside a longer matched name (财政局 in 市财政局) does not count twice."""
    spans = []
    for unit in units:
        for name in sorted({unit.name, unit.short_name} - {""}, key=len, reverse=True):
            start = text.find(name)
            if start >= 0:
                spans.append((start, -len(name), start + len(name), unit))
                break
    found, covered = [], []
    for start, _negative_length, end, unit in sorted(spans, key=lambda s: (s[0], s[1])):
        if any(a <= start and end <= b for a, b in covered) or unit in found:
            continue
        covered.append((start, end))
        found.append(unit)
    return found


def _leaders_by_unit() -> dict[int, object]:
    """Each unit's portfolio leader (the first, if several)."""
    leaders = {}
    through = Profile.portfolio.through
    rows = (
        through.objects.filter(profile__role=Role.PORTFOLIO_LEADER, profile__user__is_active=True)
        .select_related("profile__user")
        .order_by("profile__user__username")
    )
    for row in rows:
        leaders.setdefault(row.unit_id, row.profile.user)
    return leaders


def decision_proposals(
    *, meeting: Meeting, texts: list[str], assigned_on: datetime.date
) -> list[DecisionProposal]:
    """For each decision text: the units it names (the first leads, the rest cooperate),
    the lead unit's portfolio leader (or the chair), and the deadline the rule gives for
    feedback when assigned on `assigned_on`."""
    deadline = meeting_deadlines(meeting=meeting, assigned_on=assigned_on).feedback_by
    units = list(Unit.objects.filter(is_active=True))
    leaders = _leaders_by_unit()
    proposals = []
    for text in texts:
        named = _units_named_in(text, units)
        lead = named[0] if named else None
        leader = leaders.get(lead.pk) if lead else None
        proposals.append(
            DecisionProposal(
                text=text,
                lead_unit=lead,
                co_units=named[1:],
                lead_leader=leader or meeting.chair,
                deadline=deadline,
            )
        )
    return proposals
