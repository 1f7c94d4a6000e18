"""Reads that pages and reports need, with their joins done."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, TaskState
from .models import (
    CoordinationRequest,
    CoUnitPart,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    feedback_period_start,
)


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
            queryset=ProgressReport.objects.select_related(
                "reporter", "unit", "milestone"
            ).prefetch_related("attachments", "consolidated_parts__unit"),
        ),
        Prefetch(
            "co_unit_parts",
            queryset=CoUnitPart.objects.select_related("unit", "submitted_by").prefetch_related(
                "attachments"
            ),
        ),
        Prefetch(
            "events",
            queryset=TaskEvent.objects.select_related("actor").prefetch_related("attachments"),
        ),
        Prefetch(
            "coordination_requests",
            queryset=CoordinationRequest.objects.select_related("requested_by", "answered_by"),
        ),
        "extension_requests__requested_by",
        "extension_requests__decided_by",
    )


@dataclass
class InboxGroup:
    key: str
    label: str
    tasks: list[Task] = field(default_factory=list)


INBOX_GROUPS = [
    ("acknowledge", _("To acknowledge")),
    ("returned", _("Returned")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within %(days)s working days")),
    ("report_due", _("Progress report due this period")),
    ("rest", _("Everything else in hand")),
]


def _inbox_group(task: Task, today: datetime.date, due_soon_until: datetime.date) -> str:
    if task.is_lead and task.state == TaskState.ASSIGNED:
        return "acknowledge"
    if task.is_lead and task.state == TaskState.RETURNED:
        return "returned"
    if task.deadline < today:
        return "overdue"
    if task.deadline <= due_soon_until:
        return "due_soon"
    period_start = feedback_period_start(task.feedback_cadence, today)
    if (
        task.is_lead
        and task.state != TaskState.CLOSURE_REQUESTED
        and period_start is not None
        # The period starts at midnight in Beijing, not in UTC.
        and (task.last_report_at is None or timezone.localdate(task.last_report_at) < period_start)
    ):
        return "report_due"
    return "rest"


def unit_inbox(
    *, unit_id: int, today: datetime.date, due_soon_until: datetime.date, days: int
) -> list[InboxGroup]:
    """A unit's running tasks, grouped by what needs doing first. One query."""
    last_report = (
        ProgressReport.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(last=Max("reported_at"))
        .values("last")
    )
    tasks = (
        Task.objects.filter(state__in=OPEN_STATES)
        .involving_units([unit_id])
        .select_related("lead_unit")
        .annotate(
            is_lead=Case(
                When(lead_unit_id=unit_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            last_report_at=Subquery(last_report),
        )
        .order_by("deadline", "code")
    )
    groups = {key: InboxGroup(key, label) for key, label in INBOX_GROUPS}
    groups["due_soon"].label = groups["due_soon"].label % {"days": days}
    for task in tasks:
        groups[_inbox_group(task, today, due_soon_until)].tasks.append(task)
    return list(groups.values())
