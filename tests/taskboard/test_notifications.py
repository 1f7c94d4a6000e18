"""Who is told, in the app, about each thing that happens on a task."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from taskboard import services
from taskboard.choices import DeadlineSource, EventKind, Role, TaskState
from taskboard.models import ExtensionRequest, Notification, TaskEvent
from taskboard.notifications import notify_event
from taskboard.services import ActionNotAllowed

from ..factories import TaskFactory, UnitFactory, person

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def city(city):
    """The shared city, plus unit C: a co-unit with its head carol and its liaison cora."""
    city.unit_c = UnitFactory(name="市自然资源和规划局")
    city.carol = person("carol", Role.UNIT_HEAD, city.unit_c)
    city.cora = person("cora", Role.UNIT_LIAISON, city.unit_c)
    return city


def draft(city, **kwargs):
    """A draft led by unit A with unit C cooperating; unit B has nothing to do with it."""
    task = TaskFactory(
        lead_unit=city.unit_a,
        state=TaskState.DRAFT,
        assigned_on=None,
        deadline=None,
        **kwargs,
    )
    task.co_units.add(city.unit_c)
    return task


def assigned_by(city, assigner, **kwargs):
    """A task dana (or whoever) assigned through the service, so the assigner is on record."""
    task = draft(city, **kwargs)
    services.task_assign(task=task, by=assigner, deadline=D(2026, 10, 30))
    return task


def working(city, assigner=None, **kwargs):
    """An acknowledged task assigned by dana (unless told otherwise)."""
    task = assigned_by(city, assigner or city.dana, **kwargs)
    services.task_acknowledge(task=task, by=city.uma)
    return task


def told(task, kind):
    """The usernames notified about the (only) event of `kind` on `task`."""
    event = TaskEvent.objects.get(task=task, kind=kind)
    return set(event.notifications.values_list("recipient__username", flat=True))


# ---------------------------------------------------------------------------
# Who is told about what


def test_assigning_tells_the_lead_and_co_units_staff_but_not_other_units_or_the_office(city):
    task = assigned_by(city, city.alice)

    assert told(task, EventKind.ASSIGNED) == {"uma", "lisa", "carol", "cora"}


@pytest.mark.parametrize("assigner", ["alice", "dana"])
def test_acknowledging_tells_the_person_who_assigned_the_task(city, assigner):
    task = assigned_by(city, getattr(city, assigner))

    services.task_acknowledge(task=task, by=city.lisa)

    assert told(task, EventKind.ACKNOWLEDGED) == {assigner}


def test_a_progress_report_tells_the_person_who_assigned_the_task(city):
    task = working(city)

    services.task_report_progress(task=task, by=city.lisa, text="主体完工", percent=80)

    assert told(task, EventKind.PROGRESS_REPORTED) == {"dana"}


def test_a_closure_request_tells_the_person_who_assigned_the_task(city):
    task = working(city)

    services.task_request_closure(task=task, by=city.uma, summary="已建成")

    assert told(task, EventKind.CLOSURE_REQUESTED) == {"dana"}


def test_without_a_recorded_assigner_the_office_staff_are_told(city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ASSIGNED)

    services.task_acknowledge(task=task, by=city.uma)

    assert told(task, EventKind.ACKNOWLEDGED) == {"alice"}


def test_an_extension_request_tells_the_person_who_assigned_the_task(city):
    task = working(city, lead_leader=city.pat)

    services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="征地未完成"
    )

    assert told(task, EventKind.EXTENSION_REQUESTED) == {"dana"}


@pytest.mark.parametrize(
    "source", [DeadlineSource.TOPIC_MEETING, DeadlineSource.PORTFOLIO_INSTRUCTION]
)
def test_an_extension_request_goes_to_the_portfolio_leader_where_the_rule_says_so(city, source):
    vic = person("vic", Role.PORTFOLIO_LEADER)
    person("pete", Role.PORTFOLIO_LEADER, portfolio=[city.unit_b])
    task = working(city, deadline_source=source, lead_leader=vic)

    services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="征地未完成"
    )

    assert told(task, EventKind.EXTENSION_REQUESTED) == {"pat", "vic"}


@pytest.mark.parametrize("approve", [True, False])
def test_the_extension_decision_tells_the_lead_units_staff(city, approve):
    task = working(city)
    request = services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="征地未完成"
    )

    services.task_decide_extension(request=request, by=city.dana, approve=approve, note="已审")

    kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED
    assert told(task, kind) == {"uma", "lisa"}


def test_closing_tells_the_lead_and_co_units_staff(city):
    task = working(city)
    services.task_request_closure(task=task, by=city.uma, summary="已建成")

    services.task_close(task=task, by=city.alice)

    assert told(task, EventKind.CLOSED) == {"uma", "lisa", "carol", "cora"}


def test_returning_tells_only_the_lead_units_staff(city):
    task = working(city)
    services.task_request_closure(task=task, by=city.uma, summary="已建成")

    services.task_return(task=task, by=city.alice, reason="缺少验收报告")

    assert told(task, EventKind.RETURNED) == {"uma", "lisa"}


def test_a_co_unit_part_tells_the_lead_units_staff(city):
    task = working(city)

    services.task_submit_part(task=task, by=city.cora, text="用地手续已办")

    assert told(task, EventKind.PART_SUBMITTED) == {"uma", "lisa"}


def test_a_coordination_request_tells_the_leaders_over_the_lead_unit_and_the_lead_leader(city):
    vic = person("vic", Role.PORTFOLIO_LEADER)
    person("pete", Role.PORTFOLIO_LEADER, portfolio=[city.unit_b])
    task = working(city, lead_leader=vic)

    services.task_request_coordination(
        task=task, by=city.lisa, tried="多次会商", disagreement="资金来源", proposal="先行垫付"
    )

    assert told(task, EventKind.COORDINATION_REQUESTED) == {"pat", "vic"}


def test_the_coordination_answer_tells_the_lead_units_staff(city):
    task = working(city)
    request = services.task_request_coordination(
        task=task, by=city.lisa, tried="多次会商", disagreement="资金来源", proposal="先行垫付"
    )

    services.task_answer_coordination(request=request, by=city.pat, answer="同意垫付")

    assert told(task, EventKind.COORDINATION_ANSWERED) == {"uma", "lisa"}


def test_suspending_tells_every_unit_on_the_task_and_the_assigner(city):
    task = working(city)

    services.task_suspend(task=task, by=city.pat, reason="政策调整")

    assert told(task, EventKind.SUSPENDED) == {"uma", "lisa", "carol", "cora", "dana"}


# ---------------------------------------------------------------------------
# Who is never told


def test_the_person_who_acted_is_not_told_about_their_own_action(city):
    task = working(city, assigner=city.dirk)

    services.task_cancel(task=task, by=city.dirk, reason="重复交办")

    assert told(task, EventKind.CANCELLED) == {"uma", "lisa", "carol", "cora"}


def test_a_refused_action_tells_nobody(city):
    task = working(city)
    before = Notification.objects.count()

    with pytest.raises(ActionNotAllowed):
        services.task_submit_part(task=task, by=city.bob, text="无关")
    with pytest.raises(ValidationError):
        services.task_request_closure(
            task=task,
            by=city.uma,
            summary="已建成",
            files=[SimpleUploadedFile("setup.exe", b"MZ\x90\x00")],
        )

    assert Notification.objects.count() == before


def test_inactive_people_are_not_told(city):
    city.lisa.is_active = False
    city.lisa.save(update_fields=["is_active"])
    vic = person("vic", Role.PORTFOLIO_LEADER)
    vic.is_active = False
    vic.save(update_fields=["is_active"])
    task = assigned_by(city, city.alice, lead_leader=vic)
    services.task_acknowledge(task=task, by=city.uma)

    services.task_request_coordination(
        task=task, by=city.uma, tried="多次会商", disagreement="资金来源", proposal="先行垫付"
    )

    assert told(task, EventKind.ASSIGNED) == {"uma", "carol", "cora"}
    assert told(task, EventKind.COORDINATION_REQUESTED) == {"pat"}


def test_when_the_assigner_has_left_the_office_staff_are_told_instead(city):
    task = assigned_by(city, city.dana)
    city.dana.is_active = False
    city.dana.save(update_fields=["is_active"])

    services.task_acknowledge(task=task, by=city.uma)

    assert told(task, EventKind.ACKNOWLEDGED) == {"alice"}


# ---------------------------------------------------------------------------
# The notification rows themselves


def test_each_notification_is_linked_to_its_event_and_says_what_happened(city):
    task = working(city)

    services.task_request_closure(task=task, by=city.uma, summary="已建成")

    event = TaskEvent.objects.get(task=task, kind=EventKind.CLOSURE_REQUESTED)
    notification = Notification.objects.get(event=event)
    assert (
        notification.recipient,
        notification.task,
        notification.kind,
        notification.created_at,
        notification.read_at,
    ) == (city.dana, task, EventKind.CLOSURE_REQUESTED, MONDAY, None)


def test_a_person_in_several_recipient_groups_is_told_once(city):
    # pat leads the task by name and also has unit A in his portfolio.
    task = working(city, lead_leader=city.pat)

    services.task_request_coordination(
        task=task, by=city.uma, tried="多次会商", disagreement="资金来源", proposal="先行垫付"
    )

    event = TaskEvent.objects.get(task=task, kind=EventKind.COORDINATION_REQUESTED)
    assert list(event.notifications.values_list("recipient__username", flat=True)) == ["pat"]


def test_telling_people_about_the_same_event_twice_adds_no_second_notification(city):
    task = working(city)
    services.task_request_closure(task=task, by=city.uma, summary="已建成")
    event = TaskEvent.objects.get(task=task, kind=EventKind.CLOSURE_REQUESTED)

    notify_event(event)

    assert event.notifications.count() == 1


def test_withdrawing_a_pending_extension_on_close_tells_no_one_beyond_the_close(city):
    task = working(city)
    task.refresh_from_db()
    ExtensionRequest.objects.create(
        task=task,
        requested_by=city.uma,
        requested_at=MONDAY,
        reason="征地未完成",
        current_deadline=task.deadline,
        proposed_deadline=D(2026, 11, 30),
    )
    services.task_request_closure(task=task, by=city.uma, summary="已建成")
    already = set(Notification.objects.values_list("pk", flat=True))

    services.task_close(task=task, by=city.alice)

    new = Notification.objects.exclude(pk__in=already)
    assert sorted(new.values_list("kind", "recipient__username")) == [
        (EventKind.CLOSED, "carol"),
        (EventKind.CLOSED, "cora"),
        (EventKind.CLOSED, "lisa"),
        (EventKind.CLOSED, "uma"),
    ]
