"""Warnings are addressed to units; each head and liaison reads them for themselves."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from supervision.choices import WarningKind
from supervision.models import TaskWarning, WarningRead, WarningsReadUpTo
from supervision.sweep import sweep
from supervision.warning_reads import (
    unread_warnings,
    warning_mark_read,
    warnings_for,
    warnings_mark_all_read,
)
from taskboard.choices import Role, TaskState

from ..factories import TaskFactory, person

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
MONDAY = D(2026, 10, 12)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def warn(task, kind=WarningKind.OVERDUE, day=MONDAY, created_at=None):
    return TaskWarning.objects.create(
        task=task,
        kind=kind,
        for_date=day,
        unit=task.lead_unit,
        created_at=created_at or at(day, 7),
    )


def unread_of(*people) -> dict[str, int]:
    return {someone.username: unread_warnings(someone).count() for someone in people}


# Who a warning is addressed to.


def test_a_warning_is_unread_for_each_head_and_liaison_of_its_unit_and_for_nobody_else(city):
    warning = warn(TaskFactory(lead_unit=city.unit_a))
    retired = person("ruth", Role.UNIT_LIAISON, city.unit_a)
    retired.is_active = False
    retired.save()

    assert list(unread_warnings(city.uma)) == [warning]
    assert list(unread_warnings(city.lisa)) == [warning]
    nobody_else = (city.bob, retired, city.alice, city.dirk, city.pat, city.mayor, city.carl)
    for someone in nobody_else:
        assert not warnings_for(someone).exists(), someone.username
        assert not unread_warnings(someone).exists(), someone.username


def test_someone_joining_a_unit_sees_its_earlier_warnings_unread(city):
    earlier = warn(TaskFactory(lead_unit=city.unit_a), day=MONDAY - datetime.timedelta(days=7))

    newcomer = person("nina", Role.UNIT_LIAISON, city.unit_a)

    assert list(unread_warnings(newcomer)) == [earlier]


# Opening one.


def test_opening_a_warning_marks_it_read_for_that_person_only_and_once(city):
    warning = warn(TaskFactory(lead_unit=city.unit_a))

    assert warning_mark_read(user=city.uma, warning=warning) is True
    assert warning_mark_read(user=city.uma, warning=warning) is False

    assert unread_of(city.uma, city.lisa) == {"uma": 0, "lisa": 1}
    assert list(WarningRead.objects.values_list("reader__username", "warning")) == [
        ("uma", warning.pk)
    ]


def test_a_warning_not_addressed_to_the_person_is_not_marked(city):
    warning = warn(TaskFactory(lead_unit=city.unit_a))

    assert warning_mark_read(user=city.bob, warning=warning) is False
    assert warning_mark_read(user=city.alice, warning=warning) is False

    assert not WarningRead.objects.exists()


def test_opening_a_warning_covered_by_mark_all_writes_nothing(city):
    warning = warn(TaskFactory(lead_unit=city.unit_a))
    warnings_mark_all_read(user=city.uma)

    assert warning_mark_read(user=city.uma, warning=warning) is False
    assert not WarningRead.objects.exists()


# Mark all as read.


def test_mark_all_marks_all_and_a_later_sweeps_warning_is_unread_again(city):
    task = TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.IN_PROGRESS,
        assigned_on=D(2026, 8, 3),
        deadline=D(2026, 10, 9),
    )
    with time_machine.travel(at(MONDAY, 7)):
        sweep(as_of=MONDAY)
    first = TaskWarning.objects.get()
    warning_mark_read(user=city.uma, warning=first)
    warn(task, WarningKind.DUE_SOON_1, created_at=at(MONDAY, 9))

    with time_machine.travel(at(MONDAY, 10)):
        assert warnings_mark_all_read(user=city.uma) == 1

    assert unread_of(city.uma, city.lisa) == {"uma": 0, "lisa": 2}
    # The mark covers what was opened: those rows say nothing more.
    assert not WarningRead.objects.exists()
    assert WarningsReadUpTo.objects.get(user=city.uma).read_up_to == at(MONDAY, 9)

    tuesday = MONDAY + datetime.timedelta(days=1)
    with time_machine.travel(at(tuesday, 7)):
        sweep(as_of=tuesday)

    later = TaskWarning.objects.get(for_date=tuesday, task=task)
    assert list(unread_warnings(city.uma)) == [later]
    assert unread_of(city.lisa) == {"lisa": 3}


def test_mark_all_leaves_unread_a_warning_a_running_sweep_commits_afterwards(city):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(task, WarningKind.DUE_SOON_3, day=MONDAY - datetime.timedelta(days=1))
    # A sweep started at 07:00 stamps its warnings 07:00 and commits at 07:00:30 …
    with time_machine.travel(at(MONDAY, 7, 0) + datetime.timedelta(seconds=10)):
        assert warnings_mark_all_read(user=city.uma) == 1
    # … after the person marked all read at 07:00:10: what it raised is news to them.
    stamped_before = warn(task, created_at=at(MONDAY, 7))

    assert list(unread_warnings(city.uma)) == [stamped_before]


def test_mark_all_with_nothing_addressed_to_the_person_writes_nothing(city):
    warn(TaskFactory(lead_unit=city.unit_a))

    assert warnings_mark_all_read(user=city.bob) == 0
    assert warnings_mark_all_read(user=city.alice) == 0

    assert not WarningsReadUpTo.objects.exists()


def test_mark_all_never_moves_the_mark_back(city):
    warn(TaskFactory(lead_unit=city.unit_a), created_at=at(MONDAY, 7))
    warn(TaskFactory(lead_unit=city.unit_b), created_at=at(MONDAY - datetime.timedelta(days=3), 7))
    warnings_mark_all_read(user=city.uma)

    # uma moves to the unit whose newest warning is older than her mark.
    city.uma.profile.unit = city.unit_b
    city.uma.profile.save()
    assert warnings_mark_all_read(user=city.uma) == 0

    assert WarningsReadUpTo.objects.get(user=city.uma).read_up_to == at(MONDAY, 7)
