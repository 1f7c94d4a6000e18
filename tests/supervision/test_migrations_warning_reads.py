"""Migration 0005 turns the warning notices already read into reads, and back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from supervision.models import WarningRead
from supervision.warning_reads import unread_warnings

from ..factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("supervision", "0004_reports")]
AFTER = [("supervision", "0005_warnings_addressed_to_units")]
MONDAY_7 = datetime.datetime(2026, 10, 12, 7, tzinfo=datetime.UTC)


def migrate(targets):
    """Migrate to `targets`; the models as they stand there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_notices_read_become_reads_and_unread_ones_stay_unread(city):
    task = TaskFactory(lead_unit=city.unit_a)
    old = migrate(BEFORE)
    warning = old.get_model("supervision", "TaskWarning").objects.create(
        task_id=task.pk,
        kind="overdue",
        for_date=MONDAY_7.date(),
        unit_id=city.unit_a.pk,
        created_at=MONDAY_7,
    )
    notices = old.get_model("supervision", "WarningNotice").objects
    read_at = MONDAY_7 + datetime.timedelta(hours=2)
    notices.create(warning=warning, recipient_id=city.uma.pk, created_at=MONDAY_7, read_at=read_at)
    notices.create(warning=warning, recipient_id=city.lisa.pk, created_at=MONDAY_7)

    migrate(AFTER)

    assert list(WarningRead.objects.values_list("reader", "warning", "read_at")) == [
        (city.uma.pk, warning.pk, read_at)
    ]
    assert not unread_warnings(city.uma).exists()
    assert [w.pk for w in unread_warnings(city.lisa)] == [warning.pk]

    back = migrate(BEFORE)
    notices = back.get_model("supervision", "WarningNotice").objects
    assert list(notices.values_list("recipient", "warning", "read_at")) == [
        (city.uma.pk, warning.pk, read_at)
    ]
    migrate(AFTER)
