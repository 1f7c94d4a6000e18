"""Reads that pages and reports need, with their joins done."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OFFICE_ROLES, OPEN_STATES, UNIT_ROLES, DueState, Role, TaskOrigin, TaskState
from .filters import NO_SOURCE, PERIOD_MONTHS
from .models import (
    CoordinationRequest,
    CoUnitPart,
    Milestone,
    ProgressReport,
    Tally,
    Task,
    TaskEvent,
    feedback_period_start,
    role_of,
)
from .stats import Figures, standing_expression


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
        and (
            task.last_reported_at is None
            or timezone.localdate(task.last_reported_at) < period_start
        )
    ):
        return "report_due"
    return "rest"


def unit_inbox(
    *, unit_id: int, today: datetime.date, due_soon_until: datetime.date, days: int
) -> list[InboxGroup]:
    """A unit's running tasks, grouped by what needs doing first. One query."""
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
        )
        .order_by("deadline", "code")
    )
    groups = {key: InboxGroup(key, label) for key, label in INBOX_GROUPS}
    groups["due_soon"].label = groups["due_soon"].label % {"days": days}
    for task in tasks:
        groups[_inbox_group(task, today, due_soon_until)].tasks.append(task)
    return list(groups.values())


# ---------------------------------------------------------------------------
# The dashboard: figures from the tallies (taskboard/tallies.py), scoped and filtered


@dataclass(frozen=True)
class DashboardScope:
    """Whose tasks a person's dashboard counts. A task counts where it is led: for a
    portfolio leader, the tasks led by the portfolio's units or by the leader; for unit
    staff, their unit's; co-unit work is shown apart (`co_units`)."""

    units: frozenset[int] | None = None  # lead units counted; None: every unit
    leader: int | None = None  # tasks this person leads count too
    portfolio_of: int | None = None  # the portfolio leader (for the task list's filter)

    @property
    def is_everything(self) -> bool:
        return self.units is None and self.leader is None


def dashboard_scope(user) -> DashboardScope | None:
    """The dashboard's scope for this person; None if their role has no dashboard."""
    role = role_of(user)
    if role in {Role.ADMINISTRATOR, Role.PRINCIPAL_LEADER, *OFFICE_ROLES}:
        return DashboardScope()
    if role == Role.PORTFOLIO_LEADER:
        units = frozenset(user.profile.portfolio.values_list("pk", flat=True))
        return DashboardScope(units=units, leader=user.pk, portfolio_of=user.pk)
    if role in UNIT_ROLES:
        return DashboardScope(units=frozenset({user.profile.unit_id}))
    return None


@dataclass(frozen=True)
class DashboardFilters:
    """The filters a dashboard is shown for; `period` is q1–q4, h1, h2 or blank (the year)."""

    year: int
    period: str = ""
    origin: str = ""
    source: str = ""
    unit: int | None = None
    leader: int | None = None


def _tally_rows(
    *,
    scope: DashboardScope,
    filters: DashboardFilters,
    co_units: bool,
    unit_grain: bool,
    month_grain: bool,
    group_by: tuple[str, ...],
):
    """Sums of tally rows for a panel, by `group_by` and standing."""
    by_month = month_grain or bool(filters.period)
    by_unit = unit_grain or co_units or scope.units is not None or filters.unit is not None
    if co_units:
        grain = "co_unit_month" if by_month else "co_unit"
    else:
        grain = {(False, False): "all", (True, False): "unit", (False, True): "month"}.get(
            (by_unit, by_month), "unit_month"
        )
    rows = Tally.objects.filter(grain=grain, year=filters.year)
    if filters.period:
        first, last = PERIOD_MONTHS[filters.period]
        rows = rows.filter(
            month__gte=filters.year * 100 + first, month__lte=filters.year * 100 + last
        )
    if filters.origin:
        rows = rows.filter(origin=filters.origin)
    if filters.source:
        rows = rows.filter(source="" if filters.source == NO_SOURCE else filters.source)
    if filters.unit is not None:
        rows = rows.filter(unit=filters.unit)
    if filters.leader is not None:
        rows = rows.filter(leader=filters.leader)
    if scope.units is not None:
        in_scope = Q(unit__in=scope.units)
        if scope.leader is not None and not co_units:
            in_scope |= Q(leader=scope.leader)
        rows = rows.filter(in_scope)
    return rows.values(*group_by, "standing").annotate(n=Sum("count")).order_by().filter(n__gt=0)


def _figures_by(rows, key) -> dict:
    result: dict = {}
    for row in rows:
        figures = result.setdefault(key(row), {})
        figures[row["standing"]] = figures.get(row["standing"], 0) + row["n"]
    return {k: Figures(v) for k, v in result.items()}


@dataclass
class Dashboard:
    """Everything the dashboard page shows, as numbers; the view adds names and links."""

    headline: Figures
    by_origin: dict[str, Figures]
    by_source: dict[str, Figures]  # meeting decisions, by meeting kind (deadline source)
    by_leader: dict[int, Figures]
    by_unit: dict[int, Figures]
    by_co_unit: dict[int, Figures]
    by_month: dict[int, Figures]
    overdue: list[Task]


OVERDUE_LIST_LENGTH = 20


def dashboard_tasks(*, user, scope: DashboardScope, filters: DashboardFilters) -> QuerySet[Task]:
    """The tasks the dashboard counts, as a queryset (for lists and source panels).

    A narrowed scope (a portfolio, a unit) is a subset of what `visible_to` gives the
    person (tests/taskboard/test_dashboard.py checks it), so it is applied instead of
    `visible_to`: with a million tasks, visible_to's OR over co-units costs seconds."""
    if scope.units is None:
        tasks = Task.objects.visible_to(user)
    else:
        in_scope = Q(lead_unit__in=scope.units)
        if scope.leader is not None:
            in_scope |= Q(lead_leader=scope.leader)
        tasks = Task.objects.filter(in_scope)
    tasks = tasks.filter(year=filters.year)
    if filters.period:
        first, last = PERIOD_MONTHS[filters.period]
        tasks = tasks.filter(
            assigned_on__year=filters.year,
            assigned_on__month__gte=first,
            assigned_on__month__lte=last,
        )
    if filters.origin:
        tasks = tasks.filter(origin=filters.origin)
    if filters.source:
        tasks = tasks.filter(deadline_source="" if filters.source == NO_SOURCE else filters.source)
    if filters.unit is not None:
        tasks = tasks.filter(lead_unit=filters.unit)
    if filters.leader is not None:
        tasks = tasks.filter(lead_leader=filters.leader)
    return tasks


def dashboard(*, user, scope: DashboardScope, filters: DashboardFilters) -> Dashboard:
    """The dashboard's figures: five tally queries and the overdue list, whatever the
    number of tasks."""
    main = list(
        _tally_rows(
            scope=scope,
            filters=filters,
            co_units=False,
            unit_grain=False,
            month_grain=False,
            group_by=("origin", "source", "leader"),
        )
    )
    units = _tally_rows(
        scope=scope,
        filters=filters,
        co_units=False,
        unit_grain=True,
        month_grain=False,
        group_by=("unit",),
    )
    co_units = _tally_rows(
        scope=scope,
        filters=filters,
        co_units=True,
        unit_grain=True,
        month_grain=False,
        group_by=("unit",),
    )
    months = _tally_rows(
        scope=scope,
        filters=filters,
        co_units=False,
        unit_grain=False,
        month_grain=True,
        group_by=("month",),
    )
    overdue = _longest_overdue(dashboard_tasks(user=user, scope=scope, filters=filters))
    return Dashboard(
        headline=_figures_by(main, lambda row: "all").get("all", Figures()),
        by_origin=_figures_by(main, lambda row: row["origin"]),
        by_source=_figures_by(
            [row for row in main if row["origin"] == TaskOrigin.MEETING],
            lambda row: row["source"] or NO_SOURCE,
        ),
        by_leader=_figures_by(main, lambda row: row["leader"]),
        by_unit=_figures_by(units, lambda row: row["unit"]),
        by_co_unit=_figures_by(co_units, lambda row: row["unit"]),
        by_month=_figures_by(months, lambda row: row["month"]),
        overdue=list(overdue),
    )


def _longest_overdue(tasks: QuerySet[Task]) -> list[Task]:
    """The tasks overdue longest, in one query whatever their number. The red tasks have
    their own partial index in (deadline, code) order that carries every column the
    filters read (`task_overdue_idx`), so PostgreSQL walks it index-only and stops at the
    twentieth match, filtered or not, instead of sorting every red task (a quarter of a
    million at province scale); narrowed to one unit, the (lead unit, state) index may find
    them faster, and the planner picks."""
    candidates = (
        tasks.filter(due_state=DueState.RED, state__in=OPEN_STATES)
        .order_by("deadline", "code")
        .values("pk")[:OVERDUE_LIST_LENGTH]
    )
    return list(
        Task.objects.filter(pk__in=candidates)
        .select_related("lead_unit", "lead_leader")
        .order_by("deadline", "code")[:OVERDUE_LIST_LENGTH]
    )


def dashboard_from_tasks(*, tasks: QuerySet[Task]) -> Figures:
    """The headline counted straight from tasks: what the tallies must equal (tests, checks)."""
    rows = (
        tasks.annotate(k_standing=standing_expression())
        .values("k_standing")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Figures({row["k_standing"]: row["n"] for row in rows})


# Panels from source apps (per meeting, …): taskboard imports no source app, so each
# registers, from AppConfig.ready(), a function giving its panel for the counted tasks.


@dataclass(frozen=True)
class SourcePanelRow:
    label: str
    url: str  # the source row's own page
    figures: Figures
    ref: str  # the task list's `source_ref=` that gives exactly these tasks


@dataclass(frozen=True)
class SourcePanel:
    key: str
    title: str
    rows: list[SourcePanelRow]


_source_panels: list = []


def register_source_panel(panel) -> None:
    """Add `panel(tasks=…, year=…) -> SourcePanel | None`: one query, few rows."""
    if panel not in _source_panels:
        _source_panels.append(panel)


def source_panels(*, tasks: QuerySet[Task], year: int) -> list[SourcePanel]:
    panels = [panel(tasks=tasks, year=year) for panel in _source_panels]
    return [panel for panel in panels if panel is not None]
