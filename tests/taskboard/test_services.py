import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from taskboard import services
from taskboard.choices import (
    DeadlineSource,
    DueState,
    EventKind,
    ExtensionStatus,
    TaskOrigin,
    TaskState,
)
from taskboard.models import (
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
    YearSequence,
)
from taskboard.services import ActionNotAllowed, TaskChanged, WrongState

from ..factories import TaskFactory

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 28 September 2026: the next three working days end on 8 October, after National Day.
MONDAY = datetime.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def task_in(city, state, **kwargs):
    """A task of unit A in `state`, with dates only when the state needs them."""
    if state in {TaskState.DRAFT, TaskState.CANCELLED}:
        kwargs = {"assigned_on": None, "deadline": None, **kwargs}
    return TaskFactory(lead_unit=city.unit_a, state=state, **kwargs)


def snapshot(task):
    """Everything a refused action must leave as it was."""
    task.refresh_from_db()
    return {
        "state": task.state,
        "version": task.version,
        "deadline": task.deadline,
        "events": TaskEvent.objects.filter(task=task).count(),
        "reports": ProgressReport.objects.filter(task=task).count(),
        "extensions": list(ExtensionRequest.objects.filter(task=task).values_list("pk", "status")),
    }


def pending_extension(task, *, by, days=10):
    return ExtensionRequest.objects.create(
        task=task,
        requested_by=by,
        requested_at=MONDAY,
        reason="拆迁未完成",
        current_deadline=task.deadline,
        proposed_deadline=task.deadline + datetime.timedelta(days=days),
    )


def suspended_from(state):
    def prepare(task, city):
        TaskEvent.objects.create(
            task=task,
            kind=EventKind.SUSPENDED,
            actor=city.pat,
            at=MONDAY - datetime.timedelta(days=3),
            from_state=state,
            to_state=TaskState.SUSPENDED,
        )

    return prepare


def with_pending_extension(task, city):
    pending_extension(task, by=city.uma)


def decide(approve):
    def call(task, by, expected_version):
        request = ExtensionRequest.objects.get(task=task, status=ExtensionStatus.PENDING)
        note = "" if approve else "理由不充分"
        services.task_decide_extension(
            request=request, by=by, approve=approve, note=note, expected_version=expected_version
        )

    return call


@dataclass(frozen=True)
class Case:
    """One lifecycle transition: how to call it, who may, from where, to where."""

    name: str
    call: Callable
    from_state: str
    to_state: str
    event: str
    actor: str
    wrong_actor: str
    wrong_state: str
    prepare: Callable | None = None

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "assign",
        lambda task, by, v: services.task_assign(
            task=task, by=by, deadline=D(2026, 10, 30), expected_version=v
        ),
        TaskState.DRAFT,
        TaskState.ASSIGNED,
        EventKind.ASSIGNED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.ASSIGNED,
    ),
    Case(
        "acknowledge",
        lambda task, by, v: services.task_acknowledge(task=task, by=by, expected_version=v),
        TaskState.ASSIGNED,
        TaskState.ACKNOWLEDGED,
        EventKind.ACKNOWLEDGED,
        actor="uma",
        wrong_actor="bob",
        wrong_state=TaskState.ACKNOWLEDGED,
    ),
    Case(
        "report_progress",
        lambda task, by, v: services.task_report_progress(
            task=task, by=by, text="完成选址", percent=30, expected_version=v
        ),
        TaskState.ACKNOWLEDGED,
        TaskState.IN_PROGRESS,
        EventKind.PROGRESS_REPORTED,
        actor="lisa",
        wrong_actor="alice",
        wrong_state=TaskState.ASSIGNED,
    ),
    Case(
        "request_extension",
        lambda task, by, v: services.task_request_extension(
            task=task,
            by=by,
            proposed_deadline=D(2026, 11, 30),
            reason="拆迁未完成",
            expected_version=v,
        ),
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.EXTENSION_REQUESTED,
        actor="uma",
        wrong_actor="pat",
        wrong_state=TaskState.CLOSURE_REQUESTED,
    ),
    Case(
        "decide_extension_approve",
        decide(approve=True),
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        EventKind.EXTENSION_APPROVED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.SUSPENDED,
        prepare=with_pending_extension,
    ),
    Case(
        "decide_extension_reject",
        decide(approve=False),
        TaskState.ACKNOWLEDGED,
        TaskState.ACKNOWLEDGED,
        EventKind.EXTENSION_REJECTED,
        actor="pat",
        wrong_actor="lisa",
        wrong_state=TaskState.CLOSED,
        prepare=with_pending_extension,
    ),
    Case(
        "request_closure",
        lambda task, by, v: services.task_request_closure(
            task=task, by=by, summary="已建成投用", expected_version=v
        ),
        TaskState.IN_PROGRESS,
        TaskState.CLOSURE_REQUESTED,
        EventKind.CLOSURE_REQUESTED,
        actor="uma",
        wrong_actor="alice",
        wrong_state=TaskState.ASSIGNED,
    ),
    Case(
        "close",
        lambda task, by, v: services.task_close(task=task, by=by, expected_version=v),
        TaskState.CLOSURE_REQUESTED,
        TaskState.CLOSED,
        EventKind.CLOSED,
        actor="alice",
        wrong_actor="uma",
        wrong_state=TaskState.IN_PROGRESS,
    ),
    Case(
        "return",
        lambda task, by, v: services.task_return(
            task=task, by=by, reason="佐证材料不全", expected_version=v
        ),
        TaskState.CLOSURE_REQUESTED,
        TaskState.RETURNED,
        EventKind.RETURNED,
        actor="dana",
        wrong_actor="carl",
        wrong_state=TaskState.CLOSED,
    ),
    Case(
        "suspend",
        lambda task, by, v: services.task_suspend(
            task=task, by=by, reason="政策调整", expected_version=v
        ),
        TaskState.IN_PROGRESS,
        TaskState.SUSPENDED,
        EventKind.SUSPENDED,
        actor="pat",
        wrong_actor="alice",
        wrong_state=TaskState.CLOSED,
    ),
    Case(
        "resume",
        lambda task, by, v: services.task_resume(task=task, by=by, expected_version=v),
        TaskState.SUSPENDED,
        TaskState.ACKNOWLEDGED,
        EventKind.RESUMED,
        actor="dirk",
        wrong_actor="uma",
        wrong_state=TaskState.IN_PROGRESS,
        prepare=suspended_from(TaskState.ACKNOWLEDGED),
    ),
    Case(
        "cancel",
        lambda task, by, v: services.task_cancel(
            task=task, by=by, reason="上级已撤销", expected_version=v
        ),
        TaskState.ASSIGNED,
        TaskState.CANCELLED,
        EventKind.CANCELLED,
        actor="mayor",
        wrong_actor="dana",
        wrong_state=TaskState.CLOSED,
    ),
]


def prepared(city, case, state):
    task = task_in(city, state, version=3)
    if case.prepare:
        case.prepare(task, city)
    return task


# ---------------------------------------------------------------------------
# Every transition: allowed, wrong person, wrong state, stale version


@pytest.mark.parametrize("case", CASES, ids=str)
def test_transition_moves_the_task_writes_an_event_and_bumps_the_version(city, case):
    task = prepared(city, case, case.from_state)
    actor = getattr(city, case.actor)

    case.call(task, actor, 3)

    task.refresh_from_db()
    assert task.state == case.to_state
    assert task.version == 4
    event = TaskEvent.objects.filter(task=task).latest("at", "pk")
    assert (event.kind, event.actor, event.from_state, event.to_state) == (
        case.event,
        actor,
        case.from_state,
        case.to_state,
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_transition_by_the_wrong_person_is_refused_and_changes_nothing(city, case):
    task = prepared(city, case, case.from_state)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        case.call(task, getattr(city, case.wrong_actor), 3)

    assert snapshot(task) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_transition_from_the_wrong_state_is_refused_and_changes_nothing(city, case):
    task = prepared(city, case, case.wrong_state)
    before = snapshot(task)

    with pytest.raises(WrongState):
        case.call(task, getattr(city, case.actor), 3)

    assert snapshot(task) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_transition_on_a_stale_version_is_refused_and_changes_nothing(city, case):
    task = prepared(city, case, case.from_state)
    before = snapshot(task)

    with pytest.raises(TaskChanged) as refused:
        case.call(task, getattr(city, case.actor), 2)

    assert refused.value.task.version == 3
    assert snapshot(task) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_transition_without_an_expected_version_skips_the_version_check(city, case):
    task = prepared(city, case, case.from_state)

    case.call(task, getattr(city, case.actor), None)

    task.refresh_from_db()
    assert (task.state, task.version) == (case.to_state, 4)


def test_liaison_and_head_of_the_lead_unit_may_both_acknowledge(city):
    for person in (city.uma, city.lisa):
        task = task_in(city, TaskState.ASSIGNED)
        services.task_acknowledge(task=task, by=person)
        task.refresh_from_db()
        assert task.state == TaskState.ACKNOWLEDGED


def test_co_unit_staff_may_not_acknowledge_for_the_lead_unit(city):
    task = task_in(city, TaskState.ASSIGNED)
    task.co_units.add(city.unit_b)

    with pytest.raises(ActionNotAllowed):
        services.task_acknowledge(task=task, by=city.bob)


def test_resume_returns_the_task_to_the_state_it_was_suspended_from(city):
    task = task_in(city, TaskState.RETURNED)
    services.task_suspend(task=task, by=city.mayor, reason="政策调整")

    services.task_resume(task=task, by=city.mayor)

    task.refresh_from_db()
    assert task.state == TaskState.RETURNED


def test_a_draft_may_be_cancelled(city):
    task = task_in(city, TaskState.DRAFT)

    services.task_cancel(task=task, by=city.dirk, reason="重复登记")

    task.refresh_from_db()
    assert task.state == TaskState.CANCELLED


def test_close_records_when_the_task_was_closed_and_puts_its_light_out(city):
    task = task_in(
        city, TaskState.CLOSURE_REQUESTED, deadline=D(2026, 9, 1), assigned_on=D(2026, 8, 1)
    )

    services.task_close(task=task, by=city.alice)

    task.refresh_from_db()
    assert task.closed_at == MONDAY
    assert task.due_state == DueState.NONE


# ---------------------------------------------------------------------------
# Registering tasks


def create(city, **kwargs):
    return services.task_create(
        **{
            "by": city.alice,
            "title": "推进城东污水处理厂建设",
            "lead_unit": city.unit_a,
            "origin": TaskOrigin.MEETING,
            **kwargs,
        }
    )


def test_office_staff_register_a_draft_with_a_created_event(city):
    task = create(
        city,
        co_units=[city.unit_a, city.unit_b],
        milestones=[(D(2026, 10, 15), 50, "完成主体")],
    )

    task.refresh_from_db()
    assert (task.state, task.version, task.code, task.year) == (
        TaskState.DRAFT,
        1,
        "2026-0001",
        2026,
    )
    assert task.created_by == city.alice
    # The lead unit is never also its own co-unit.
    assert list(task.co_units.all()) == [city.unit_b]
    assert list(task.milestones.values_list("planned_on", "percent")) == [(D(2026, 10, 15), 50)]
    event = TaskEvent.objects.get(task=task)
    assert (event.kind, event.actor, event.from_state, event.to_state) == (
        EventKind.CREATED,
        city.alice,
        TaskState.DRAFT,
        TaskState.DRAFT,
    )


@pytest.mark.parametrize("person", ["uma", "lisa", "pat", "mayor", "carl"])
def test_only_the_office_registers_tasks(city, person):
    with pytest.raises(ActionNotAllowed):
        create(city, by=getattr(city, person))

    assert Task.objects.count() == 0
    assert TaskEvent.objects.count() == 0
    assert not YearSequence.objects.exists()


def test_task_codes_are_numbered_per_year_and_a_new_year_starts_again_at_one(city):
    first, second = create(city), create(city)
    next_year = create(city, year=2027)

    assert (first.code, second.code, next_year.code) == ("2026-0001", "2026-0002", "2027-0001")


def test_the_year_of_a_new_task_defaults_to_the_current_one(city, monday):
    create(city)
    monday.move_to(datetime.datetime(2027, 1, 4, 9, tzinfo=SHANGHAI))

    task = create(city)

    assert (task.year, task.code) == (2027, "2027-0001")


@pytest.mark.parametrize(
    "title", ["标题\x00", "", "   ", "长" * 301], ids=["nul", "empty", "blank", "too_long"]
)
def test_a_bad_title_is_refused_and_nothing_saved(city, title):
    with pytest.raises(ValidationError) as refused:
        create(city, title=title)

    assert "title" in refused.value.message_dict
    assert Task.objects.count() == 0
    # The number was not used up: the next task still gets 0001.
    assert create(city).code == "2026-0001"


def test_a_nul_byte_in_the_requirement_is_refused_and_nothing_saved(city):
    with pytest.raises(ValidationError) as refused:
        create(city, requirement="按期完成\x00")

    assert "requirement" in refused.value.message_dict
    assert Task.objects.count() == 0


def test_a_ten_megabyte_requirement_is_refused_and_nothing_saved(city):
    with pytest.raises(ValidationError) as refused:
        create(city, requirement="字" * (10 * 1024 * 1024))

    assert "requirement" in refused.value.message_dict
    assert Task.objects.count() == 0
    assert TaskEvent.objects.count() == 0
    assert create(city).code == "2026-0001"


def test_a_requirement_of_exactly_the_maximum_length_is_accepted(city):
    task = create(city, requirement="字" * 20_000)

    assert len(Task.objects.get(pk=task.pk).requirement) == 20_000


# ---------------------------------------------------------------------------
# Assigning and the deadline rules of the table


def test_assign_sets_dates_and_keeps_the_original_deadline(city):
    task = task_in(city, TaskState.DRAFT)

    services.task_assign(task=task, by=city.alice, deadline=D(2026, 10, 30))

    task.refresh_from_db()
    assert (task.assigned_on, task.deadline, task.original_deadline) == (
        D(2026, 9, 28),
        D(2026, 10, 30),
        D(2026, 10, 30),
    )
    assert task.due_state == DueState.GREEN


def test_assign_with_a_deadline_before_the_assignment_date_is_refused_and_nothing_saved(city):
    task = task_in(city, TaskState.DRAFT)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_assign(
            task=task, by=city.alice, deadline=D(2026, 9, 27), assigned_on=D(2026, 9, 28)
        )

    assert "deadline" in refused.value.message_dict
    assert snapshot(task) == before
    assert task.assigned_on is None


def test_assign_without_any_deadline_is_refused(city):
    task = task_in(city, TaskState.DRAFT)
    before = snapshot(task)

    with pytest.raises(ValidationError):
        services.task_assign(task=task, by=city.alice)

    assert snapshot(task) == before


def test_the_database_refuses_a_deadline_before_the_assignment_date_written_directly(city):
    task = task_in(city, TaskState.ASSIGNED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(deadline=D(2026, 8, 31))

    task.refresh_from_db()
    assert task.deadline == D(2026, 10, 31)


def test_the_database_refuses_a_second_task_with_the_same_code_in_the_same_year(city):
    TaskFactory(lead_unit=city.unit_a, year=2026, code="2026-0900")
    TaskFactory(lead_unit=city.unit_a, year=2025, code="2026-0900")  # another year is fine

    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(lead_unit=city.unit_a, year=2026, code="2026-0900")

    assert Task.objects.filter(code="2026-0900").count() == 2


# ---------------------------------------------------------------------------
# Extensions


def test_an_extension_after_the_deadline_is_refused(city, monday):
    task = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 10, 9))
    monday.move_to(datetime.datetime(2026, 10, 12, 9, tzinfo=SHANGHAI))
    before = snapshot(task)

    with pytest.raises(ValidationError):
        services.task_request_extension(
            task=task, by=city.uma, proposed_deadline=D(2026, 10, 30), reason="拆迁未完成"
        )

    assert snapshot(task) == before


def test_an_extension_must_move_the_deadline_later(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_request_extension(
            task=task, by=city.uma, proposed_deadline=task.deadline, reason="拆迁未完成"
        )

    assert "proposed_deadline" in refused.value.message_dict
    assert snapshot(task) == before


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="拆迁未完成"
    )

    services.task_decide_extension(request=request, by=city.pat, approve=True)

    task.refresh_from_db()
    request.refresh_from_db()
    assert (task.deadline, task.original_deadline, task.extended) == (
        D(2026, 11, 30),
        D(2026, 10, 31),
        True,
    )
    assert (request.status, request.decided_by, request.decided_at) == (
        ExtensionStatus.APPROVED,
        city.pat,
        MONDAY,
    )


def test_a_rejected_extension_keeps_the_deadline_and_needs_a_reason(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = pending_extension(task, by=city.uma)
    before = snapshot(task)

    with pytest.raises(ValidationError):
        services.task_decide_extension(request=request, by=city.alice, approve=False)
    assert snapshot(task) == before

    services.task_decide_extension(request=request, by=city.alice, approve=False, note="不充分")

    task.refresh_from_db()
    request.refresh_from_db()
    assert (task.deadline, request.status) == (D(2026, 10, 31), ExtensionStatus.REJECTED)


def test_a_second_pending_extension_is_refused(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="拆迁未完成"
    )
    before = snapshot(task)

    with pytest.raises(WrongState):
        services.task_request_extension(
            task=task, by=city.lisa, proposed_deadline=D(2026, 12, 31), reason="再延"
        )

    assert snapshot(task) == before


def test_after_a_rejection_a_new_extension_may_be_requested(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    first = pending_extension(task, by=city.uma)
    services.task_decide_extension(request=first, by=city.alice, approve=False, note="不充分")

    second = services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 15), reason="补充理由"
    )

    assert second.status == ExtensionStatus.PENDING


def test_a_decided_extension_cannot_be_decided_again(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = pending_extension(task, by=city.uma)
    services.task_decide_extension(request=request, by=city.alice, approve=True)
    before = snapshot(task)

    with pytest.raises(WrongState):
        services.task_decide_extension(request=request, by=city.alice, approve=False, note="x")

    assert snapshot(task) == before


def test_extensions_of_a_topic_meeting_task_are_decided_by_leaders_not_the_office(city):
    task = task_in(city, TaskState.IN_PROGRESS, deadline_source=DeadlineSource.TOPIC_MEETING)
    request = pending_extension(task, by=city.uma)

    with pytest.raises(ActionNotAllowed):
        services.task_decide_extension(request=request, by=city.alice, approve=True)
    services.task_decide_extension(request=request, by=city.pat, approve=True)

    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED


# ---------------------------------------------------------------------------
# Progress, closure and return


def test_return_then_request_closure_again_works(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    services.task_request_closure(task=task, by=city.uma, summary="已完成")
    services.task_return(task=task, by=city.alice, reason="佐证材料不全")

    services.task_request_closure(task=task, by=city.lisa, summary="已补充材料")

    task.refresh_from_db()
    assert task.state == TaskState.CLOSURE_REQUESTED
    assert list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True)) == [
        EventKind.CLOSURE_REQUESTED,
        EventKind.RETURNED,
        EventKind.CLOSURE_REQUESTED,
    ]


def test_a_progress_report_repeating_the_previous_one_is_flagged(city, monday):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    first = services.task_report_progress(task=task, by=city.uma, text="正在推进", percent=40)
    monday.shift(datetime.timedelta(days=7))

    repeat = services.task_report_progress(task=task, by=city.uma, text=" 正在推进 ", percent=40)
    monday.shift(datetime.timedelta(days=7))
    changed = services.task_report_progress(task=task, by=city.uma, text="正在推进", percent=50)

    assert (first.is_repeat, repeat.is_repeat, changed.is_repeat) == (False, True, False)
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    # The sweep's "report missing" reads this instead of the reports themselves.
    assert task.last_reported_at == changed.reported_at != first.reported_at


@pytest.mark.parametrize("percent", [101, -1])
def test_a_progress_report_outside_zero_to_a_hundred_percent_is_refused(city, percent):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_report_progress(task=task, by=city.uma, text="超额完成", percent=percent)

    assert "percent" in refused.value.message_dict
    assert snapshot(task) == before


def test_a_progress_report_may_not_name_another_tasks_milestone(city):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    other = Milestone.objects.create(
        task=task_in(city, TaskState.ACKNOWLEDGED), planned_on=D(2026, 10, 1)
    )
    before = snapshot(task)

    with pytest.raises(ValidationError):
        services.task_report_progress(
            task=task, by=city.uma, text="完成节点", percent=50, milestone=other
        )

    assert snapshot(task) == before


def test_a_progress_report_longer_than_the_field_allows_is_refused(city):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_report_progress(task=task, by=city.uma, text="进" * 20_001, percent=50)

    assert "text" in refused.value.message_dict
    assert snapshot(task) == before


def test_an_extension_reason_longer_than_the_field_allows_is_refused(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_request_extension(
            task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="因" * 5_001
        )

    assert "reason" in refused.value.message_dict
    assert snapshot(task) == before


@pytest.mark.parametrize(
    ("state", "act"),
    [
        (
            TaskState.CLOSURE_REQUESTED,
            lambda task, city: services.task_close(task=task, by=city.alice, note="核\x00查"),
        ),
        (
            TaskState.SUSPENDED,
            lambda task, city: services.task_resume(task=task, by=city.dirk, note="恢\x00复"),
        ),
        (
            TaskState.IN_PROGRESS,
            lambda task, city: services.task_decide_extension(
                request=pending_extension(task, by=city.uma),
                by=city.alice,
                approve=True,
                note="同\x00意",
            ),
        ),
    ],
    ids=["close", "resume", "decide_extension"],
)
def test_a_nul_byte_in_an_optional_note_is_refused_and_nothing_changed(city, state, act):
    task = task_in(city, state)

    with pytest.raises(ValidationError) as refused:
        act(task, city)

    assert "note" in refused.value.message_dict
    task.refresh_from_db()
    assert (task.state, task.version, TaskEvent.objects.filter(task=task).count()) == (
        state,
        1,
        0,
    )


# ---------------------------------------------------------------------------
# Append-only records


def test_progress_reports_cannot_be_changed_or_deleted(city):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    report = services.task_report_progress(task=task, by=city.uma, text="正在推进", percent=40)

    report.percent = 90
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        report.delete()

    assert ProgressReport.objects.get(pk=report.pk).percent == 40


def test_task_events_cannot_be_changed_or_deleted(city):
    task = task_in(city, TaskState.ASSIGNED)
    services.task_acknowledge(task=task, by=city.uma)
    event = TaskEvent.objects.get(task=task)

    event.note = "改写历史"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()

    assert TaskEvent.objects.get(pk=event.pk).note == ""


# ---------------------------------------------------------------------------
# The cached light


def light_of(task):
    task.refresh_from_db(fields=["due_state"])
    return task.due_state


def test_lights_follow_deadline_milestones_and_state(city):
    overdue = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 9, 27))
    due_today = task_in(city, TaskState.ACKNOWLEDGED, deadline=D(2026, 9, 28))
    # Ten calendar days away, but only three working days because of National Day.
    due_in_three_workdays = task_in(city, TaskState.ASSIGNED, deadline=D(2026, 10, 8))
    due_in_four_workdays = task_in(city, TaskState.RETURNED, deadline=D(2026, 10, 9))
    behind = task_in(city, TaskState.IN_PROGRESS)
    on_schedule = task_in(city, TaskState.IN_PROGRESS)
    closed = task_in(city, TaskState.CLOSED, deadline=D(2026, 9, 2), due_state=DueState.RED)
    draft = task_in(city, TaskState.DRAFT)
    for task in (behind, on_schedule):
        Milestone.objects.create(task=task, planned_on=D(2026, 9, 15), percent=60)
        # A milestone not yet due does not count.
        Milestone.objects.create(task=task, planned_on=D(2026, 10, 15), percent=90)
    ProgressReport.objects.create(
        task=behind,
        unit=city.unit_a,
        reporter=city.uma,
        reported_at=MONDAY,
        text="进展缓慢",
        percent=40,
    )
    ProgressReport.objects.create(
        task=on_schedule,
        unit=city.unit_a,
        reporter=city.uma,
        reported_at=MONDAY,
        text="按计划推进",
        percent=60,
    )

    changed = services.due_states_refresh(as_of=D(2026, 9, 28))

    assert changed == 7
    assert {
        "overdue": light_of(overdue),
        "due_today": light_of(due_today),
        "due_in_three_workdays": light_of(due_in_three_workdays),
        "due_in_four_workdays": light_of(due_in_four_workdays),
        "behind": light_of(behind),
        "on_schedule": light_of(on_schedule),
        "closed": light_of(closed),
        "draft": light_of(draft),
    } == {
        "overdue": DueState.RED,
        "due_today": DueState.YELLOW,
        "due_in_three_workdays": DueState.YELLOW,
        "due_in_four_workdays": DueState.GREEN,
        "behind": DueState.YELLOW,
        "on_schedule": DueState.GREEN,
        "closed": DueState.NONE,
        "draft": DueState.NONE,
    }


def test_a_task_behind_its_milestone_without_any_report_is_yellow(city):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    Milestone.objects.create(task=task, planned_on=D(2026, 9, 20), percent=10)

    services.due_states_refresh(as_of=D(2026, 9, 28))

    assert light_of(task) == DueState.YELLOW


def test_an_overdue_task_behind_its_milestone_is_red_not_yellow(city):
    task = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 9, 20))
    Milestone.objects.create(task=task, planned_on=D(2026, 9, 10), percent=50)

    services.due_states_refresh(as_of=D(2026, 9, 28))

    assert light_of(task) == DueState.RED


def test_refreshing_lights_twice_changes_nothing_the_second_time(city):
    task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 9, 27))
    task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 10, 8))
    task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 12, 31))
    task_in(city, TaskState.CLOSED, due_state=DueState.GREEN)
    behind = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 12, 31))
    Milestone.objects.create(task=behind, planned_on=D(2026, 9, 1), percent=30)

    first = services.due_states_refresh(as_of=D(2026, 9, 28))
    second = services.due_states_refresh(as_of=D(2026, 9, 28))

    assert (first, second) == (5, 0)


def test_the_light_turns_red_when_the_deadline_passes(city):
    task = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 10, 9))
    services.due_states_refresh(as_of=D(2026, 9, 28))
    assert light_of(task) == DueState.GREEN

    services.due_states_refresh(as_of=D(2026, 10, 8))
    assert light_of(task) == DueState.YELLOW

    services.due_states_refresh(as_of=D(2026, 10, 10))
    assert light_of(task) == DueState.RED


def test_refreshing_only_some_tasks_leaves_the_others_alone(city):
    chosen = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 9, 27))
    other = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 9, 27))

    services.due_states_refresh(as_of=D(2026, 9, 28), tasks=Task.objects.filter(pk=chosen.pk))

    assert (light_of(chosen), light_of(other)) == (DueState.RED, DueState.NONE)


# ---------------------------------------------------------------------------
# Concurrency (PostgreSQL: SQLite has no row locks)


def run_at_once(count, work):
    """Run `work` in `count` threads released together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - collected and asserted on
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_handed_out_at_once_are_one_to_eight_without_gaps_or_duplicates():
    results, errors = run_at_once(8, lambda: services.next_in_sequence(series="task", year=2026))

    assert errors == []
    assert sorted(results) == list(range(1, 9))
    assert YearSequence.objects.get(series="task", year=2026).last == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_acknowledging_the_same_version_at_once_one_wins(city, monkeypatch):
    task = task_in(city, TaskState.ASSIGNED, version=5)
    refresh = services.due_states_refresh

    def slow_refresh(**kwargs):
        # Hold the row lock a while, so the other person's attempt overlaps it.
        time.sleep(0.3)
        return refresh(**kwargs)

    monkeypatch.setattr(services, "due_states_refresh", slow_refresh)

    def acknowledge():
        fresh = Task.objects.get(pk=task.pk)
        return services.task_acknowledge(task=fresh, by=city.uma, expected_version=5)

    results, errors = run_at_once(2, acknowledge)

    assert len(results) == 1
    assert [type(error) for error in errors] == [TaskChanged]
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.ACKNOWLEDGED, 6)
    assert TaskEvent.objects.filter(task=task, kind=EventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transition_locks_its_task_row_but_not_the_lead_units_row(city):
    task = task_in(city, TaskState.ASSIGNED)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                services.task_acknowledge(task=task, by=city.uma)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        # Other work on the same unit (its other tasks, an admin editing it) must not wait.
        with transaction.atomic():
            Unit.objects.select_for_update(nowait=True).get(pk=city.unit_a.pk)
        with pytest.raises(DatabaseError), transaction.atomic():
            Task.objects.select_for_update(nowait=True).get(pk=task.pk)
    finally:
        release.set()
        holder.join(10)


def test_last_reports_refresh_sets_each_tasks_latest_report_time(city):
    reported, silent = (task_in(city, TaskState.IN_PROGRESS) for _ in "ab")
    early = datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC)
    late = early + datetime.timedelta(days=3)
    for at in (late, early):
        ProgressReport.objects.create(
            task=reported,
            unit=city.unit_a,
            reporter=city.uma,
            reported_at=at,
            text="进展",
            percent=30,
        )
    Task.objects.update(last_reported_at=None)

    assert services.last_reports_refresh() == Task.objects.count()

    reported.refresh_from_db()
    silent.refresh_from_db()
    assert (reported.last_reported_at, silent.last_reported_at) == (late, None)
