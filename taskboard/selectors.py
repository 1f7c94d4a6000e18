"""Reads that pages and reports need, with their joins done."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Milestone, ProgressReport, Task, TaskEvent


def task_list(*, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks ready for a list page: the columns' relations joined, newest first."""
    return tasks.select_related("lead_unit", "lead_leader").order_by("-year", "-code")


def task_detail(*, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks ready for the task page: units, people, schedule, reports and timeline."""
    return tasks.select_related(
        "lead_unit", "lead_leader", "owner", "parent", "created_by"
    ).prefetch_related(
        "co_units",
        "children",
        Prefetch("milestones", queryset=Milestone.objects.order_by("planned_on", "pk")),
        Prefetch(
            "progress_reports",
            queryset=ProgressReport.objects.select_related("reporter", "unit", "milestone"),
        ),
        Prefetch("events", queryset=TaskEvent.objects.select_related("actor")),
        "extension_requests__requested_by",
        "extension_requests__decided_by",
    )
