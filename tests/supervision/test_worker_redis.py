"""The daily sweep through a real Celery worker on the real Redis broker: the message goes
to Redis, a worker takes it, the result comes back, and the warnings are written once."""

import datetime
import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from supervision import tasks
from supervision.choices import WarningKind
from supervision.models import SweepRun, TaskWarning
from taskboard.choices import TaskState

from ..factories import TaskFactory

# The worker runs in a thread with its own database connection: it sees only what the
# test has committed, hence transactional_db.
pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # Celery's Redis result backend calls redis-py's deprecated setex.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

D = datetime.date


@pytest.fixture
def redis_worker(monkeypatch):
    """A worker thread consuming a queue of its own on the Redis broker, with results in
    Redis. The project ignores results (CELERY_TASK_IGNORE_RESULT); this test asks for
    them per message."""
    broker = os.environ["CELERY_BROKER_URL"]
    assert app.connection_for_write().transport.driver_type == "redis"
    monkeypatch.setattr(app.conf, "result_backend", broker)
    app._local.__dict__.pop("backend", None)  # the backend is cached per thread
    queue = "duban-test-worker-redis"
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)  # left by an interrupted run
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue]) as worker:
        yield queue, worker
    app._local.__dict__.pop("backend", None)


def send_sweep(queue: str, as_of: str) -> dict:
    result = tasks.sweep.apply_async(kwargs={"as_of": as_of}, queue=queue, ignore_result=False)
    try:
        return result.get(timeout=30)
    finally:
        result.forget()


def test_sweep_sent_through_redis_writes_the_warnings(city, redis_worker):
    queue, _ = redis_worker
    task = TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 9, 1),
        deadline=D(2026, 10, 9),
    )

    result = send_sweep(queue, "2026-10-12")

    assert result["2026-10-12"][WarningKind.OVERDUE] == 1
    assert list(TaskWarning.objects.values_list("task", "kind", "for_date")) == [
        (task.pk, WarningKind.OVERDUE, D(2026, 10, 12))
    ]


def test_sweep_sent_twice_through_redis_writes_the_warnings_once(city, redis_worker):
    queue, _ = redis_worker
    TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 9, 1),
        deadline=D(2026, 10, 9),
    )

    first = send_sweep(queue, "2026-10-12")
    second = send_sweep(queue, "2026-10-12")

    assert first["2026-10-12"][WarningKind.OVERDUE] == 1
    assert second["2026-10-12"][WarningKind.OVERDUE] == 0
    assert TaskWarning.objects.filter(kind=WarningKind.OVERDUE).count() == 1
    assert SweepRun.objects.filter(for_date=D(2026, 10, 12)).count() == 1
