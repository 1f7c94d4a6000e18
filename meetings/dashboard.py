"""The dashboard's per-meeting panel: each meeting's decisions counted by standing."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from taskboard.filters import source_ref
from taskboard.models import Task
from taskboard.selectors import SourcePanel, SourcePanelRow
from taskboard.stats import Figures, standing_expression

from .models import Meeting


def tasks_of_meeting(queryset: QuerySet[Task], value: str) -> QuerySet[Task]:
    """The task list's `source_ref=meeting:<id>`: the meeting's decisions' tasks."""
    if not value.isdigit():
        return queryset.none()
    return queryset.filter(decision__meeting_id=int(value))


def meeting_panel(*, tasks: QuerySet[Task], year: int) -> SourcePanel | None:
    """Every meeting with decisions among the counted tasks, in date order. One query."""
    rows = (
        tasks.filter(decision__isnull=False)
        .annotate(k_standing=standing_expression())
        .values(
            "decision__meeting",
            "decision__meeting__kind",
            "decision__meeting__year",
            "decision__meeting__number",
            "decision__meeting__date",
            "k_standing",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    meetings: dict[int, tuple] = {}
    for row in rows:
        pk = row["decision__meeting"]
        meeting, counts = meetings.setdefault(
            pk,
            (
                Meeting(
                    pk=pk,
                    kind=row["decision__meeting__kind"],
                    year=row["decision__meeting__year"],
                    number=row["decision__meeting__number"],
                    date=row["decision__meeting__date"],
                ),
                {},
            ),
        )
        counts[row["k_standing"]] = row["n"]
    if not meetings:
        return None
    ordered = sorted(
        meetings.values(), key=lambda pair: (pair[0].date, pair[0].kind, pair[0].number)
    )
    return SourcePanel(
        key="meetings",
        title=_("Meetings"),
        rows=[
            SourcePanelRow(
                label=meeting.short_name,
                url=reverse("meetings:meeting_detail", args=[meeting.pk]),
                figures=Figures(counts),
                ref=source_ref("meeting", meeting.pk),
            )
            for meeting, counts in ordered
        ],
    )
