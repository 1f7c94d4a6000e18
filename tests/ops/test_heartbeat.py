"""The heartbeat: a beat entry every minute whose task logs one line and writes nothing,
so the logs of `make run` (or production) show that beat and a worker are alive."""

import logging
from io import StringIO

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from supervision import tasks
from supervision.schedule import BEAT_SCHEDULE


def test_heartbeat_fires_every_minute():
    entry = BEAT_SCHEDULE["heartbeat"]

    assert entry["task"] == tasks.heartbeat.name == "supervision.heartbeat"
    assert entry["crontab"] == {"minute": "*"}


def test_heartbeat_logs_beat_alive_and_touches_no_table(db, caplog, django_assert_num_queries):
    with (
        caplog.at_level(logging.INFO, logger="supervision.heartbeat"),
        django_assert_num_queries(0),
    ):
        tasks.heartbeat()

    assert [r.getMessage().split()[:2] for r in caplog.records] == [["beat", "alive"]]


def test_install_beat_schedule_installs_the_heartbeat(db):
    call_command("install_beat_schedule", stdout=StringIO())

    entry = PeriodicTask.objects.get(name="heartbeat")
    assert entry.task == "supervision.heartbeat"
    assert (entry.crontab.minute, entry.crontab.hour) == ("*", "*")
