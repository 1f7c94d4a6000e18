"""The dashboard's overdue list: the longest overdue running tasks, across every running
state, for any filter, served by the partial index `task_overdue_idx` (migration 0007)."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from taskboard import selectors, tallies
from taskboard.choices import DueState, TaskOrigin, TaskState
from taskboard.models import Task

from ..factories import TaskFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
DASHBOARD = reverse("taskboard:dashboard")
RUNNING = [
    TaskState.ASSIGNED,
    TaskState.ACKNOWLEDGED,
    TaskState.IN_PROGRESS,
    TaskState.CLOSURE_REQUESTED,
    TaskState.RETURNED,
]


@pytest.fixture
def overdue(city):
    """Red tasks in every running state, of two kinds of source, assigned in two quarters,
    with deadlines interleaved so that no state alone fills the list; green ones between."""
    tasks = []
    for n in range(60):
        assigned_on = datetime.date(YEAR, 2 if n % 2 else 5, 1 + n % 20)
        tasks.append(
            TaskFactory(
                state=RUNNING[n % len(RUNNING)],
                due_state=DueState.RED if n % 7 else DueState.GREEN,
                origin=TaskOrigin.MEETING if n % 3 else TaskOrigin.INSTRUCTION,
                lead_unit=city.unit_a if n % 4 else city.unit_b,
                assigned_on=assigned_on,
                deadline=assigned_on + datetime.timedelta(days=30 + (n * 37) % 50),
            )
        )
    TaskFactory(
        state=TaskState.CLOSED,
        due_state=DueState.NONE,
        assigned_on=datetime.date(YEAR, 1, 5),
        deadline=datetime.date(YEAR, 1, 31),
    )
    tallies.rebuild()
    return city


def _expected(**filters):
    return list(
        Task.objects.filter(
            year=YEAR, due_state=DueState.RED, state__in=RUNNING, **filters
        ).order_by("deadline", "code")[: selectors.OVERDUE_LIST_LENGTH]
    )


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ({}, {}),
        ({"period": "q2"}, {"assigned_on__month__gte": 4, "assigned_on__month__lte": 6}),
        (
            {"period": "q1", "origin": TaskOrigin.MEETING},
            {"assigned_on__month__lte": 3, "origin": TaskOrigin.MEETING},
        ),
        ({"origin": TaskOrigin.INSTRUCTION}, {"origin": TaskOrigin.INSTRUCTION}),
    ],
)
def test_the_overdue_list_merges_every_running_state_under_any_filter(
    client, overdue, query, filters
):
    client.force_login(overdue.mayor)
    listed = client.get(DASHBOARD, {"year": YEAR, **query}).context["overdue"]
    expected = _expected(**filters)
    assert listed == expected
    assert len({task.state for task in listed}) > 1  # the states are merged, not one walked


def test_a_portfolio_leaders_overdue_list_is_their_portfolios(client, overdue):
    client.force_login(overdue.pat)
    listed = client.get(DASHBOARD, {"year": YEAR}).context["overdue"]
    assert listed == _expected(lead_unit=overdue.unit_a)


def test_the_overdue_index_exists_as_a_partial_index():
    constraints = connection.introspection.get_constraints(connection.cursor(), Task._meta.db_table)
    index = constraints["task_overdue_idx"]
    assert index["index"] and not index["unique"]
    assert index["columns"][:2] == ["deadline", "code"]
    assert {"id", "state", "year", "origin", "assigned_on", "lead_unit_id"} <= set(index["columns"])


@pytest.mark.postgres
def test_postgresql_can_answer_the_overdue_list_from_the_index_alone(overdue):
    """The query the list runs matches the index's predicate and needs no other column:
    with the alternatives switched off, the plan is an index-only scan of it."""
    user = overdue.mayor
    tasks = selectors.dashboard_tasks(
        user=user,
        scope=selectors.dashboard_scope(user),
        filters=selectors.DashboardFilters(year=YEAR, period="q2", origin=TaskOrigin.MEETING),
    )
    candidates = (
        tasks.filter(due_state=DueState.RED, state__in=RUNNING)
        .order_by("deadline", "code")
        .values("pk")[: selectors.OVERDUE_LIST_LENGTH]
    )
    sql, params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using task_overdue_idx" in plan, plan
