"""Completion statistics: the one definition of the rates every page and report shows.

Completion rate (落实率/办结率) = closed ÷ counted tasks, where cancelled tasks are not
counted. Shown to one decimal, rounded half up: 187 of 197 → 94.9%, 209 of 228 → 91.7%.
docs/metrics.md writes the definitions out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import TaskState


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
