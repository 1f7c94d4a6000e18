"""Summaries the dashboard reads instead of counting a million tasks per request.

A tally row counts the tasks that share one key: year, assigned month, origin, deadline
source, unit, lead leader and standing (taskboard/stats.py), at one *grain* — the set of
dimensions the row keeps (the others are 0 or blank):

    all            year, origin, source, leader              the headline, sources, leaders
    unit           + lead unit                               units ranked; unit-scoped panels
    month          + assigned month                          the trend; a period filter
    unit_month     + lead unit, assigned month
    co_unit        year, origin, source, leader, co-unit     the co-unit panel
    co_unit_month  + assigned month

Every grain is a GROUP BY over the same annotated tasks (`keyed_tasks`), so a tally row is
by definition what that GROUP BY says. The writers keep it so:

- a service that changes a task reads the task's keys when it locks the row
  (`snapshot`), and after the change adds the difference (`record_change`): −1 on the old
  keys, +1 on the new, as one INSERT … ON CONFLICT DO UPDATE in the same transaction;
- `due_states_refresh` does the same around its behind-schedule marks, and for the
  lights counts the difference before its update with one GROUP BY over the tasks whose
  light changes (`light_change`), so the daily refresh of a million tasks touches only
  the tally rows of the few thousand that changed;
- `manage.py rebuild_tallies` rebuilds them from scratch (after a bulk load or a restore).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Expression, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from .models import Tally, Task
from .stats import standing_expression

DIMENSIONS = ("year", "month", "origin", "source", "unit", "leader", "standing")
BLANK = {"year": 0, "month": 0, "origin": "", "source": "", "unit": 0, "leader": 0}

LEAD_GRAINS = {
    "all": ("year", "origin", "source", "leader", "standing"),
    "unit": ("year", "origin", "source", "unit", "leader", "standing"),
    "month": ("year", "month", "origin", "source", "leader", "standing"),
    "unit_month": ("year", "month", "origin", "source", "unit", "leader", "standing"),
}
CO_GRAINS = {
    "co_unit": ("year", "origin", "source", "unit", "leader", "standing"),
    "co_unit_month": ("year", "month", "origin", "source", "unit", "leader", "standing"),
}
GRAINS = {**LEAD_GRAINS, **CO_GRAINS}

Key = tuple  # (grain, year, month, origin, source, unit, leader, standing)


def keyed_tasks(tasks: QuerySet[Task], unit: str = "lead_unit_id") -> QuerySet[Task]:
    """Tasks with their tally dimensions as `k_<dimension>` (unit: the lead unit)."""
    return tasks.annotate(
        k_year=F("year"),
        k_month=Coalesce(
            ExtractYear("assigned_on") * 100 + ExtractMonth("assigned_on"),
            Value(0),
            output_field=IntegerField(),
        ),
        k_origin=F("origin"),
        k_source=F("deadline_source"),
        k_unit=F(unit),
        k_leader=Coalesce(F("lead_leader_id"), Value(0), output_field=IntegerField()),
        k_standing=standing_expression(),
    )


def _grouped(grain: str, tasks: QuerySet[Task]) -> QuerySet:
    """The GROUP BY that defines a grain's rows for these tasks: k_* columns and n."""
    dims = GRAINS[grain]
    rows = keyed_tasks(tasks) if grain in LEAD_GRAINS else _co_unit_rows(tasks)
    return rows.values(*[f"k_{dim}" for dim in dims]).annotate(n=Count("*")).order_by()


def _co_unit_rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """One row per (task, co-unit): the keyed task with k_unit replaced by the co-unit."""
    return keyed_tasks(tasks, unit="co_units").filter(k_unit__isnull=False)


def _key(grain: str, row: dict) -> Key:
    kept = GRAINS[grain]
    return (grain, *(row[f"k_{dim}"] if dim in kept else BLANK[dim] for dim in DIMENSIONS))


# ---------------------------------------------------------------------------
# Incremental upkeep


def snapshot(task_ids: Iterable[int]) -> Counter:
    """The tally keys these tasks count under now: two queries whatever the grains."""
    task_ids = list(task_ids)
    keys: Counter = Counter()
    if not task_ids:
        return keys
    tasks = Task.objects.filter(pk__in=task_ids)
    lead = list(keyed_tasks(tasks).values(*[f"k_{dim}" for dim in DIMENSIONS]))
    for row in lead:
        for grain in LEAD_GRAINS:
            keys[_key(grain, row)] += 1
    co = list(_co_unit_rows(tasks).values(*[f"k_{dim}" for dim in DIMENSIONS]))
    for row in co:
        for grain in CO_GRAINS:
            keys[_key(grain, row)] += 1
    return keys


def light_change(tasks: QuerySet[Task], light: Expression) -> Counter:
    """What setting these tasks' light to `light` would add to the tallies, read before the
    update: the changing tasks grouped by their keys and new standing, one GROUP BY for
    the lead unit and one for the co-units, whatever the number of tasks."""
    changing = tasks.annotate(new_light=light).exclude(due_state=F("new_light"))
    delta: Counter = Counter()
    by_unit = ((LEAD_GRAINS, keyed_tasks(changing)), (CO_GRAINS, _co_unit_rows(changing)))
    for grains, rows in by_unit:
        grouped = (
            rows.annotate(k_new_standing=standing_expression(light="new_light"))
            .values(*[f"k_{dim}" for dim in DIMENSIONS], "k_new_standing")
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in grouped:
            after = {**row, "k_standing": row["k_new_standing"]}
            for grain in grains:
                delta[_key(grain, row)] -= row["n"]
                delta[_key(grain, after)] += row["n"]
    return delta


def record_change(*, before: Counter, task_ids: Iterable[int]) -> None:
    """Add to the tallies the difference between `before` and these tasks' keys now."""
    after = snapshot(task_ids)
    delta = Counter(after)
    delta.subtract(before)
    add(delta)


def add(delta: Counter) -> None:
    """Add counts to tally rows, creating missing rows: one statement, keys sorted so
    two transactions never wait for each other's rows in opposite orders."""
    rows = sorted((key, n) for key, n in delta.items() if n)
    if not rows:
        return
    table = connection.ops.quote_name(Tally._meta.db_table)
    columns = ("grain", *DIMENSIONS, "count")
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    conflict = ", ".join(connection.ops.quote_name(c) for c in ("grain", *DIMENSIONS))
    count = connection.ops.quote_name("count")
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    params = [value for key, n in rows for value in (*key, n)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) VALUES {placeholders} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
            params,
        )


# ---------------------------------------------------------------------------
# Rebuilding


def insert_select(table: str, columns: Iterable[str], queryset: QuerySet) -> int:
    """INSERT INTO table (columns) <the queryset's SELECT>, in the database; rows written."""
    sql, params = queryset.query.sql_with_params()
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) {sql}", params)
        return cursor.rowcount


# A rebuild counts the finest grains from the tasks and sums the others from them.
DERIVED = {
    "unit": "unit_month",
    "month": "unit_month",
    "all": "unit_month",
    "co_unit": "co_unit_month",
}


def _columns(kept: Iterable[str], grain: str, source: str) -> dict:
    """The SELECT list of a tally row: the grain, kept dimensions from `source`, blanks."""
    return {
        "t_grain": Value(grain),
        **{
            f"t_{dim}": F(source.format(dim)) if dim in kept else Value(BLANK[dim])
            for dim in DIMENSIONS
            if dim != "standing"
        },
        "t_standing": F(source.format("standing")),
    }


COLUMNS = ("grain", *DIMENSIONS, "count")
SELECTED = ("t_grain", *(f"t_{dim}" for dim in DIMENSIONS), "n")


@transaction.atomic
def rebuild(tasks: QuerySet[Task] | None = None) -> int:
    """Recount every tally: one INSERT … SELECT … GROUP BY over the tasks for each of the
    two finest grains, then one over those rows for each coarser grain.

    Writers that change a task add their difference to the tally rows; on PostgreSQL the
    rebuild first locks the table against those writes (reads go on), so no change falls
    between the recount and the rows it replaces."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Tally._meta.db_table} IN EXCLUSIVE MODE")
    tasks = Task.objects.all() if tasks is None else tasks
    Tally.objects.all().delete()
    written = 0
    for grain in ("unit_month", "co_unit_month"):
        # values() puts annotations after the grouped columns: name them all explicitly.
        rows = (
            _grouped(grain, tasks)
            .annotate(**_columns(GRAINS[grain], grain, "k_{}"))
            .values(*SELECTED)
        )
        written += insert_select(Tally._meta.db_table, COLUMNS, rows)
    for grain, base in DERIVED.items():
        kept = GRAINS[grain]
        rows = (
            Tally.objects.filter(grain=base)
            .values(*kept)
            .annotate(n=Sum("count"))
            .annotate(**_columns(kept, grain, "{}"))
            .values(*SELECTED)
            .order_by()
        )
        written += insert_select(Tally._meta.db_table, COLUMNS, rows)
    return written


def totals_agree() -> bool:
    """A cheap check, not a proof (two counts and a sum over the coarsest rows): the
    tallies count every task once (grain "all") and every task's co-unit once (grain
    "co_unit"). Empty or stale tallies fail it, e.g. those of a database migrated through
    the tally migration and never rebuilt."""
    totals = dict(
        Tally.objects.filter(grain__in=["all", "co_unit"])
        .values_list("grain")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return (
        totals.get("all", 0) == Task.objects.count()
        and totals.get("co_unit", 0) == Task.co_units.through.objects.count()
    )


def counts_from_tasks() -> dict[Key, int]:
    """What every tally row should hold, counted from the tasks (for tests and checks)."""
    expected: dict[Key, int] = {}
    tasks = Task.objects.all()
    for grain in GRAINS:
        for row in _grouped(grain, tasks):
            expected[_key(grain, row)] = row["n"]
    return expected


def counts_in_tallies() -> dict[Key, int]:
    """The tally rows as they are, leaving out rows that have come down to zero."""
    return {
        (row["grain"], *(row[dim] for dim in DIMENSIONS)): row["count"]
        for row in Tally.objects.exclude(count=0).values("grain", *DIMENSIONS, "count")
    }
