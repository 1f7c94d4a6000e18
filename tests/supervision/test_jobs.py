import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from supervision import tasks
from supervision.choices import WarningKind
from supervision.models import SweepRun, TaskWarning
from supervision.schedule import BEAT_SCHEDULE
from taskboard.choices import TaskState

from ..factories import TaskFactory

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def overdue_task(city):
    return TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 9, 1),
        deadline=D(2026, 10, 9),
    )


def test_sweep_command_sweeps_the_given_date(city, capsys):
    overdue_task(city)

    call_command("sweep", "--date", "2026-10-12")

    assert "2026-10-12:" in capsys.readouterr().out
    assert list(TaskWarning.objects.values_list("for_date", "kind")) == [
        (D(2026, 10, 12), WarningKind.OVERDUE)
    ]


def test_sweep_command_back_fills_a_range_of_dates(city):
    overdue_task(city)

    call_command("sweep", "--from", "2026-10-10", "--to", "2026-10-12")

    assert TaskWarning.objects.filter(kind=WarningKind.OVERDUE).count() == 3
    assert list(SweepRun.objects.order_by("for_date").values_list("for_date", flat=True)) == [
        D(2026, 10, 10),
        D(2026, 10, 11),
        D(2026, 10, 12),
    ]


def test_celery_task_sweeps_today_in_beijing(city):
    overdue_task(city)

    # 17:00 UTC on 11 October is already the 12th in Beijing.
    with time_machine.travel(datetime.datetime(2026, 10, 11, 17, tzinfo=datetime.UTC)):
        result = tasks.sweep()

    assert list(result) == ["2026-10-12"]


def test_celery_task_catches_up_the_dates_it_missed_once(city):
    overdue_task(city)
    with time_machine.travel(datetime.datetime(2026, 10, 10, 7, tzinfo=SHANGHAI)):
        tasks.sweep()

    with time_machine.travel(datetime.datetime(2026, 10, 13, 7, tzinfo=SHANGHAI)):
        result = tasks.sweep()
        tasks.sweep()

    assert list(result) == ["2026-10-11", "2026-10-12", "2026-10-13"]
    assert TaskWarning.objects.filter(kind=WarningKind.OVERDUE).count() == 4


def test_celery_task_sweeps_an_explicit_date(city):
    overdue_task(city)

    tasks.sweep("2026-10-12")

    assert TaskWarning.objects.get().for_date == D(2026, 10, 12)


def test_the_sweep_runs_every_morning_in_place_of_the_light_refresh():
    entry = BEAT_SCHEDULE["sweep"]

    assert entry["task"] == tasks.sweep.name
    assert entry["crontab"] == {"minute": "0", "hour": "7"}
    assert "refresh-due-states" not in BEAT_SCHEDULE
    assert "check-calendar-coverage" in BEAT_SCHEDULE
