"""The heartbeat: a beat entry every minute whose task logs one line and writes nothing,
so the logs of `make run` (or production) show that beat and a worker are alive."""

import logging
from io import StringIO

from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

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


def test_install_beat_schedule_deletes_retired_entries_and_keeps_hand_made_ones(db):
    every_hour = CrontabSchedule.objects.create(minute="0", hour="*")
    PeriodicTask.objects.create(
        name="refresh-due-states", task="taskboard.refresh_due_states", crontab=every_hour
    )
    PeriodicTask.objects.create(name="午间加扫", task="supervision.sweep", crontab=every_hour)
    out = StringIO()

    call_command("install_beat_schedule", stdout=out)
    call_command("install_beat_schedule", stdout=StringIO())

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert "refresh-due-states" not in names
    assert {"午间加扫", *BEAT_SCHEDULE} <= names
    assert "deleted retired refresh-due-states" in out.getvalue()
