import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from taskboard import services
from taskboard.choices import EventKind, TaskState
from taskboard.models import Notification
from taskboard.services import ActionNotAllowed, WrongState

from ..factories import TaskFactory

D = datetime.date
NOW = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_office_corrects_a_title_and_the_change_is_on_the_timeline(city):
    task = TaskFactory(lead_unit=city.unit_a, title="旧标题")
    task = services.task_update(task=task, by=city.alice, changes={"title": "新标题"})
    assert task.title == "新标题"
    assert task.version == 2
    event = task.events.get()
    assert event.kind == EventKind.EDITED
    assert event.payload == {"fields": ["title"]}
    assert Notification.objects.filter(recipient=city.uma, event=event).exists()


def test_an_update_that_changes_nothing_writes_nothing(city):
    task = TaskFactory(lead_unit=city.unit_a, title="标题")
    task.co_units.add(city.unit_b)
    same = services.task_update(
        task=task, by=city.alice, changes={"title": "标题"}, co_units=[city.unit_b]
    )
    assert same.version == 1
    assert task.events.count() == 0


def test_co_units_change_is_recorded(city):
    task = TaskFactory(lead_unit=city.unit_a)
    task = services.task_update(task=task, by=city.alice, changes={}, co_units=[city.unit_b])
    assert list(task.co_units.all()) == [city.unit_b]
    assert task.events.get().payload == {"fields": ["co_units"]}


def test_the_deadline_of_an_assigned_task_is_not_edited_but_a_drafts_is(city):
    assigned = TaskFactory(lead_unit=city.unit_a, deadline=D(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        services.task_update(task=assigned, by=city.alice, changes={"deadline": D(2027, 1, 31)})
    assert "deadline" in refused.value.message_dict
    assigned.refresh_from_db()
    assert assigned.deadline == D(2026, 12, 31) and assigned.version == 1

    draft = TaskFactory(lead_unit=city.unit_a, state=TaskState.DRAFT, assigned_on=None)
    draft = services.task_update(task=draft, by=city.alice, changes={"deadline": D(2027, 1, 31)})
    assert draft.deadline == D(2027, 1, 31)


def test_only_the_office_edits_and_not_a_closed_task(city):
    task = TaskFactory(lead_unit=city.unit_a)
    with pytest.raises(ActionNotAllowed):
        services.task_update(task=task, by=city.uma, changes={"title": "改"})
    closed = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED)
    with pytest.raises(WrongState):
        services.task_update(task=closed, by=city.alice, changes={"title": "改"})
    with pytest.raises(ValidationError):
        services.task_update(task=task, by=city.alice, changes={"title": "含\x00空字符"})
    task.refresh_from_db()
    assert task.version == 1 and task.events.count() == 0


def test_a_closed_task_is_reopened_for_a_second_handling_with_a_new_deadline(city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED, deadline=D(2026, 11, 1))
    task = services.task_reopen(
        task=task, by=city.alice, reason="代表不满意，重新办理", deadline=D(2026, 12, 20)
    )
    assert task.state == TaskState.IN_PROGRESS
    assert task.deadline == D(2026, 12, 20)
    assert task.closed_at is None
    event = task.events.get()
    assert (event.kind, event.from_state, event.note) == (
        EventKind.REOPENED,
        TaskState.CLOSED,
        "代表不满意，重新办理",
    )


@pytest.mark.parametrize(
    ("state", "who", "error"),
    [
        (TaskState.IN_PROGRESS, "alice", WrongState),
        (TaskState.CLOSED, "uma", ActionNotAllowed),
    ],
)
def test_reopen_is_refused_for_an_open_task_or_a_unit(city, state, who, error):
    task = TaskFactory(lead_unit=city.unit_a, state=state)
    with pytest.raises(error):
        services.task_reopen(
            task=task, by=getattr(city, who), reason="重新办理", deadline=D(2026, 12, 20)
        )
    task.refresh_from_db()
    assert task.state == state and task.version == 1


def test_reopen_needs_a_reason_and_a_deadline_not_in_the_past(city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED)
    with pytest.raises(ValidationError):
        services.task_reopen(task=task, by=city.alice, reason=" ", deadline=D(2026, 12, 20))
    with pytest.raises(ValidationError):
        services.task_reopen(task=task, by=city.alice, reason="重新办理", deadline=D(2026, 1, 1))
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED and task.events.count() == 0
