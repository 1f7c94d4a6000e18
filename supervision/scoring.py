"""The quarterly review's scoring (季点评): each unit starts from the rule's start score and
loses points per overdue task (as lead unit and as co-unit), per late progress report and per
returned closure request; its score gives its grade (优秀 / 良好 / 合格 / 不合格).

A score exactly on a grade's least score gets that grade: with the default rule 95 is
Excellent, 94.5 Good. Scores may go below zero; they are not floored, so the breakdown
always adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import ScoringRule

# The deductions, in the order the review prints them: (count key, rule field).
DEDUCTIONS = [
    ("overdue_as_lead", "per_overdue_as_lead"),
    ("overdue_as_co_unit", "per_overdue_as_co_unit"),
    ("late_reports", "per_late_report"),
    ("returned_closures", "per_returned_closure"),
]


@dataclass(frozen=True)
class UnitCounts:
    """What a unit is marked down for in a quarter."""

    overdue_as_lead: int = 0
    overdue_as_co_unit: int = 0
    late_reports: int = 0
    returned_closures: int = 0


@dataclass(frozen=True)
class UnitScore:
    counts: UnitCounts
    deductions: dict[str, Decimal]
    score: Decimal
    grade: str

    def as_dict(self) -> dict:
        """The breakdown as the report's snapshot keeps it (numbers as strings: exact)."""
        return {
            "score": str(self.score),
            "grade": self.grade,
            **{key: getattr(self.counts, key) for key, _field in DEDUCTIONS},
            **{f"{key}_points": str(points) for key, points in self.deductions.items()},
        }


# Scores are kept to the hundredth, as the rule's points are.
CENT = Decimal("0.01")


def unit_score(rule: ScoringRule, counts: UnitCounts) -> UnitScore:
    deductions = {
        key: (Decimal(getattr(counts, key)) * Decimal(getattr(rule, field))).quantize(CENT)
        for key, field in DEDUCTIONS
    }
    score = (Decimal(rule.start_score) - sum(deductions.values(), Decimal(0))).quantize(CENT)
    return UnitScore(counts=counts, deductions=deductions, score=score, grade=rule.grade(score))
