"""Completion statistics: the one definition of the rates every page and report shows.

Completion rate (落实率/办结率) = closed ÷ counted tasks, where cancelled tasks are not
counted. On-track rate = closed or on schedule against milestones ÷ counted; overdue rate =
overdue ÷ counted. Shown to one decimal, rounded half up: 187 of 197 → 94.9%, 209 of 228 →
91.7%. docs/metrics.md writes the definitions out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .choices import DueState, TaskState


@dataclass(frozen=True)
class CompletionRate:
    """Closed ÷ all decisions whose task is not cancelled (落实率), shown to one decimal."""

    done: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        exact = Decimal(self.done) * 100 / Decimal(self.total)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        percent = self.percent
        return "—" if percent is None else f"{percent}%"

    def __add__(self, other: CompletionRate) -> CompletionRate:
        return CompletionRate(self.done + other.done, self.total + other.total)


def completion_of(states) -> CompletionRate:
    """The rate over tasks in these states."""
    states = [state for state in states if state != TaskState.CANCELLED]
    return CompletionRate(sum(state == TaskState.CLOSED for state in states), len(states))


# ---------------------------------------------------------------------------
# Where each task stands: the one classification every dashboard number counts by


class Standing(models.TextChoices):
    """Where a task stands as of its last light refresh. Every task has exactly one."""

    DRAFT = "draft", _("Not yet assigned")
    ON_SCHEDULE = "on_schedule", _("On schedule")
    DUE_SOON = "due_soon", _("Due soon, on schedule")
    BEHIND = "behind", _("Behind schedule")
    OVERDUE = "overdue", _("Overdue")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled (not counted)")


# Closed, or running and meeting the milestone due and the deadline (达到时序进度).
ON_TRACK = frozenset({Standing.CLOSED, Standing.ON_SCHEDULE, Standing.DUE_SOON})
COUNTED = frozenset(set(Standing) - {Standing.CANCELLED})
# The light a running task shows, by standing.
LIGHTS = {
    "green": frozenset({Standing.ON_SCHEDULE}),
    "yellow": frozenset({Standing.DUE_SOON, Standing.BEHIND}),
    "red": frozenset({Standing.OVERDUE}),
}
# The groups of standings a dashboard number can link to (the task list's `standing=`).
STANDING_GROUPS = {
    "counted": COUNTED,
    "on_track": ON_TRACK,
    "open": frozenset({Standing.ON_SCHEDULE, Standing.DUE_SOON, Standing.BEHIND, Standing.OVERDUE}),
    "not_closed": COUNTED - {Standing.CLOSED},
    "yellow": LIGHTS["yellow"],
}


def standing_expression(light: str = "due_state") -> Case:
    """SQL for a task's standing. The tallies are GROUP BYs over it and the task list
    filters on it, so a number and the list it links to cannot disagree.

    Cancelled, draft, closed and suspended go by state; a running task is overdue on a
    red light, behind when its progress is below the milestone due (BehindSchedule, kept
    with the light), due soon on any other yellow light, and otherwise on schedule (an open
    task whose light has not been computed yet counts as on schedule until the refresh).
    `light` names the light to read: the stored one, or an annotation holding a new one
    (the daily refresh counts what a change of light does to the tallies before making it)."""
    # A LEFT JOIN rather than EXISTS: a million-task GROUP BY hashes it once instead of
    # probing the marks once per task (a third off a million-task tally rebuild).
    behind = Q(behind_schedule__isnull=False)
    return Case(
        When(state=TaskState.CANCELLED, then=Value(Standing.CANCELLED.value)),
        When(state=TaskState.DRAFT, then=Value(Standing.DRAFT.value)),
        When(state=TaskState.CLOSED, then=Value(Standing.CLOSED.value)),
        When(state=TaskState.SUSPENDED, then=Value(Standing.SUSPENDED.value)),
        When(Q((light, DueState.RED)), then=Value(Standing.OVERDUE.value)),
        When(behind, then=Value(Standing.BEHIND.value)),
        When(Q((light, DueState.YELLOW)), then=Value(Standing.DUE_SOON.value)),
        default=Value(Standing.ON_SCHEDULE.value),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Figures:
    """Counts of tasks by standing, and the rates the office reports from them."""

    counts: dict[str, int] = field(default_factory=dict)

    def count(self, *standings: str) -> int:
        return sum(self.counts.get(str(standing), 0) for standing in standings)

    @property
    def total(self) -> int:
        """Counted tasks: all but the cancelled."""
        return self.count(*COUNTED)

    @property
    def closed(self) -> int:
        return self.count(Standing.CLOSED)

    @property
    def on_track_count(self) -> int:
        return self.count(*ON_TRACK)

    @property
    def overdue(self) -> int:
        return self.count(Standing.OVERDUE)

    @property
    def cancelled(self) -> int:
        return self.count(Standing.CANCELLED)

    @property
    def completion(self) -> CompletionRate:
        """落实率/办结率: closed ÷ counted."""
        return CompletionRate(self.closed, self.total)

    @property
    def on_track(self) -> CompletionRate:
        """Closed or on schedule against milestones (全面完成或达到时序进度) ÷ counted."""
        return CompletionRate(self.on_track_count, self.total)

    @property
    def overdue_rate(self) -> CompletionRate:
        """Overdue ÷ counted."""
        return CompletionRate(self.overdue, self.total)

    def light(self, colour: str) -> int:
        return self.count(*LIGHTS[colour])

    def __add__(self, other: Figures) -> Figures:
        counts = dict(self.counts)
        for key, value in other.counts.items():
            counts[key] = counts.get(key, 0) + value
        return Figures(counts)
