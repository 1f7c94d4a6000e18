"""Migration 0008 fills `Task.last_reported_at` from the reports already there."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from taskboard.choices import TaskState

from ..factories import TaskFactory, progress_report

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("taskboard", "0007_overdue_index")]
AFTER = [("taskboard", "0008_task_last_reported_at")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_the_migration_fills_the_latest_report_time_of_each_task(city):
    reported, silent = (
        TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS) for _ in "ab"
    )
    first = datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC)
    latest = first + datetime.timedelta(days=14)
    for at in (latest, first):
        progress_report(reported, reporter=city.uma, reported_at=at)

    migrate(BEFORE)
    migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, last_reported_at FROM taskboard_task WHERE id IN (%s, %s)",
            [reported.pk, silent.pk],
        )
        filled = dict(cursor.fetchall())
    assert filled[silent.pk] is None
    assert filled[reported.pk] is not None
    reported.refresh_from_db()
    assert reported.last_reported_at == latest
