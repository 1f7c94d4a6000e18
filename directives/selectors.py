"""Reads the source pages need, with their joins and counts done in the query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from taskboard.choices import Role, TaskState
from taskboard.models import Task

from .models import AssignmentItem, Instruction, Proposal, SuperiorAssignment, Target, WorkReport

LEADER_ROLES = [Role.PRINCIPAL_LEADER, Role.PORTFOLIO_LEADER]


def leaders() -> QuerySet:
    """People who can give instructions and lead tasks."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__role__in=LEADER_ROLES)
        .order_by("last_name", "first_name", "username")
    )


def _count(tasks: QuerySet) -> Coalesce:
    """A correlated COUNT of `tasks`, usable as an annotation (no GROUP BY on the outer row)."""
    counted = tasks.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _task_counts(path: str, tasks: QuerySet[Task] | None = None) -> dict:
    """Counts of a source row's tasks (and their split parts) among `tasks` (the ones the
    reader may see): all, and still drafts."""
    tasks = Task.objects.all() if tasks is None else tasks
    own = Q(**{path: OuterRef("pk")}) | Q(**{f"parent__{path}": OuterRef("pk")})
    return {
        "task_count": _count(tasks.filter(own)),
        "draft_count": _count(tasks.filter(own, state=TaskState.DRAFT)),
    }


def _with_visible_or_no_rows(queryset: QuerySet, rows: QuerySet, tasks: QuerySet[Task]):
    """The containers (reports, assignments) with a row whose task the reader may see, or
    with no rows yet: a portfolio leader is not shown another portfolio's list."""
    return queryset.filter(~Exists(rows) | Exists(rows.filter(task__in=tasks)))


def work_report_list(
    *, reports: QuerySet[WorkReport], tasks: QuerySet[Task] | None = None
) -> QuerySet[WorkReport]:
    """Reports with their counts; given the reader's `tasks`, only what the reader may see."""
    if tasks is not None:
        targets = Target.objects.filter(report=OuterRef("pk"))
        reports = _with_visible_or_no_rows(reports, targets, tasks)
        target_count = _count(targets.filter(task__in=tasks))
    else:
        target_count = Count("targets")
    return reports.annotate(
        target_count=target_count, **_task_counts("work_report_target__report", tasks)
    ).order_by("-year", "title")


def superior_assignment_list(
    *, assignments: QuerySet[SuperiorAssignment], tasks: QuerySet[Task] | None = None
) -> QuerySet[SuperiorAssignment]:
    """Assignments with their counts; given the reader's `tasks`, only what the reader may
    see."""
    if tasks is not None:
        items = AssignmentItem.objects.filter(assignment=OuterRef("pk"))
        assignments = _with_visible_or_no_rows(assignments, items, tasks)
        item_count = _count(items.filter(task__in=tasks))
    else:
        item_count = Count("items")
    return assignments.annotate(
        item_count=item_count, **_task_counts("assignment_item__assignment", tasks)
    ).order_by("-received_on", "-pk")


_TASK_COLUMNS = ("task__lead_unit", "task__lead_leader")


def instruction_list(*, instructions: QuerySet[Instruction]) -> QuerySet[Instruction]:
    return instructions.select_related("leader__profile", *_TASK_COLUMNS).order_by(
        "-issued_on", "-pk"
    )


def proposal_list(*, proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return proposals.select_related(*_TASK_COLUMNS).order_by("-year", "kind", "number")


def _task_detail_prefetch(prefix: str = "task") -> list:
    return [
        f"{prefix}__co_units",
        Prefetch(
            f"{prefix}__children",
            queryset=Task.objects.select_related("lead_unit").order_by("code"),
        ),
    ]


def targets_of(report: WorkReport) -> QuerySet[Target]:
    return (
        report.targets.select_related(*_TASK_COLUMNS, "task__owner")
        .prefetch_related(*_task_detail_prefetch(), "task__milestones")
        .order_by("number")
    )


def items_of(assignment: SuperiorAssignment) -> QuerySet[AssignmentItem]:
    return (
        assignment.items.select_related(*_TASK_COLUMNS)
        .prefetch_related(*_task_detail_prefetch())
        .order_by("number")
    )


def instruction_detail(*, instructions: QuerySet[Instruction]) -> QuerySet[Instruction]:
    return instructions.select_related(
        "leader__profile", "created_by", *_TASK_COLUMNS
    ).prefetch_related(*_task_detail_prefetch())


def proposal_detail(*, proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return proposals.select_related(*_TASK_COLUMNS).prefetch_related(
        *_task_detail_prefetch(), "replies__recorded_by"
    )


def source_counts() -> dict[str, dict[str, int]]:
    """For the landing page: how many rows each source has, and how many tasks still drafts."""
    drafts = {
        "work_reports": Task.objects.filter(
            Q(work_report_target__isnull=False) | Q(parent__work_report_target__isnull=False),
            state=TaskState.DRAFT,
        ),
        "instructions": Task.objects.filter(instruction__isnull=False, state=TaskState.DRAFT),
        "superior": Task.objects.filter(assignment_item__isnull=False, state=TaskState.DRAFT),
        "proposals": Task.objects.filter(proposal__isnull=False, state=TaskState.DRAFT),
    }
    rows = {
        "work_reports": WorkReport.objects.count(),
        "instructions": Instruction.objects.count(),
        "superior": SuperiorAssignment.objects.count(),
        "proposals": Proposal.objects.count(),
    }
    return {key: {"rows": rows[key], "drafts": drafts[key].count()} for key in rows}
