"""What units do besides moving a task along: co-unit parts (会签), their consolidation into
the lead unit's report, coordination requests (提请协调) and their answers, and how pending
extensions fare when a task is closed, cancelled or asked to close."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from taskboard import services
from taskboard.choices import EventKind, ExtensionStatus, Role, TaskState
from taskboard.models import (
    Attachment,
    CoordinationRequest,
    CoUnitPart,
    ExtensionRequest,
    Notification,
    ProgressReport,
    TaskEvent,
)
from taskboard.services import ActionNotAllowed, WrongState

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


def task_in(city, state, **kwargs):
    """A task led by unit A with unit C cooperating (unit B has nothing to do with it)."""
    if state in {TaskState.DRAFT, TaskState.CANCELLED}:
        kwargs = {"assigned_on": None, "deadline": None, **kwargs}
    task = TaskFactory(lead_unit=city.unit_a, state=state, version=3, **kwargs)
    task.co_units.add(city.unit_c)
    return task


def snapshot(task):
    """Everything a refused action must leave as it was."""
    task.refresh_from_db()
    return {
        "state": task.state,
        "version": task.version,
        "events": TaskEvent.objects.filter(task=task).count(),
        "reports": ProgressReport.objects.filter(task=task).count(),
        "parts": CoUnitPart.objects.filter(task=task).count(),
        "coordination": list(
            CoordinationRequest.objects.filter(task=task).values_list("pk", "answered_at")
        ),
        "attachments": Attachment.objects.filter(task=task).count(),
        "notifications": Notification.objects.filter(task=task).count(),
    }


def pending_extension(task, *, by):
    return ExtensionRequest.objects.create(
        task=task,
        requested_by=by,
        requested_at=MONDAY,
        reason="征地未完成",
        current_deadline=task.deadline,
        proposed_deadline=task.deadline + datetime.timedelta(days=30),
    )


def last_event(task):
    return TaskEvent.objects.filter(task=task).latest("at", "pk")


# ---------------------------------------------------------------------------
# Co-unit parts (会签)


@pytest.mark.parametrize("submitter", ["carol", "cora"])
def test_co_unit_head_or_liaison_submits_a_part_without_moving_the_task(city, submitter):
    task = task_in(city, TaskState.IN_PROGRESS)
    by = getattr(city, submitter)

    part = services.task_submit_part(task=task, by=by, text="已完成用地预审", expected_version=3)

    part = CoUnitPart.objects.get(pk=part.pk)
    assert (part.task, part.unit, part.submitted_by, part.submitted_at, part.text) == (
        task,
        city.unit_c,
        by,
        MONDAY,
        "已完成用地预审",
    )
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.IN_PROGRESS, 4)
    event = last_event(task)
    assert (event.kind, event.actor, event.from_state, event.to_state, event.note) == (
        EventKind.PART_SUBMITTED,
        by,
        TaskState.IN_PROGRESS,
        TaskState.IN_PROGRESS,
        "已完成用地预审",
    )
    assert event.payload == {"part": part.pk, "unit": city.unit_c.pk}


@pytest.mark.parametrize("state", [TaskState.ASSIGNED, TaskState.ACKNOWLEDGED, TaskState.RETURNED])
def test_a_part_may_be_submitted_while_the_task_runs(city, state):
    task = task_in(city, state)

    services.task_submit_part(task=task, by=city.carol, text="配合完成")

    task.refresh_from_db()
    assert (task.state, task.co_unit_parts.count()) == (state, 1)


@pytest.mark.parametrize("submitter", ["uma", "lisa"])
def test_the_lead_unit_reports_and_may_not_submit_a_part(city, submitter):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        services.task_submit_part(task=task, by=getattr(city, submitter), text="牵头单位意见")

    assert snapshot(task) == before


def test_the_lead_unit_may_not_submit_a_part_even_when_also_listed_as_a_co_unit(city):
    # task_create drops the lead unit from the co-units, but the admin writes rows directly.
    task = task_in(city, TaskState.IN_PROGRESS)
    task.co_units.add(city.unit_a)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        services.task_submit_part(task=task, by=city.uma, text="牵头单位意见")

    assert snapshot(task) == before


@pytest.mark.parametrize("submitter", ["bob", "alice", "pat", "mayor", "carl"])
def test_only_a_co_unit_may_submit_a_part(city, submitter):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        services.task_submit_part(task=task, by=getattr(city, submitter), text="无关意见")

    assert snapshot(task) == before


@pytest.mark.parametrize(
    "state",
    [TaskState.DRAFT, TaskState.CLOSED, TaskState.CANCELLED, TaskState.SUSPENDED],
)
def test_a_part_for_a_task_that_is_not_running_is_refused(city, state):
    task = task_in(city, state)
    before = snapshot(task)

    with pytest.raises(WrongState):
        services.task_submit_part(task=task, by=city.carol, text="配合完成")

    assert snapshot(task) == before


@pytest.mark.parametrize(
    "text", ["", "   \n", "用地\x00预审", "会" * 20_001], ids=["empty", "blank", "nul", "long"]
)
def test_a_part_with_bad_text_is_refused_and_nothing_saved(city, text):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_submit_part(task=task, by=city.carol, text=text)

    assert "text" in refused.value.message_dict
    assert snapshot(task) == before


def test_a_part_of_exactly_the_maximum_length_is_accepted(city):
    task = task_in(city, TaskState.IN_PROGRESS)

    part = services.task_submit_part(task=task, by=city.carol, text="会" * 20_000)

    assert len(CoUnitPart.objects.get(pk=part.pk).text) == 20_000


# ---------------------------------------------------------------------------
# Consolidation: the lead unit's report takes in the co-units' parts


def test_the_lead_units_report_consolidates_the_parts_its_co_units_submitted(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    from_head = services.task_submit_part(task=task, by=city.carol, text="用地预审已完成")
    from_liaison = services.task_submit_part(task=task, by=city.cora, text="规划许可已办理")
    left_out = services.task_submit_part(task=task, by=city.cora, text="补充说明")

    report = services.task_report_progress(
        task=task,
        by=city.uma,
        text="汇总各单位进展",
        percent=60,
        parts=[from_head, from_liaison],
    )

    report = ProgressReport.objects.get(pk=report.pk)
    assert set(report.consolidated_parts.all()) == {from_head, from_liaison}
    assert list(from_head.consolidated_into.all()) == [report]
    assert not left_out.consolidated_into.exists()
    assert report.unit == city.unit_a


def test_a_report_without_parts_consolidates_nothing(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    services.task_submit_part(task=task, by=city.carol, text="用地预审已完成")

    report = services.task_report_progress(task=task, by=city.uma, text="自行推进", percent=20)

    assert not report.consolidated_parts.exists()


def test_a_part_from_another_task_is_refused_and_nothing_saved(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    other = task_in(city, TaskState.IN_PROGRESS)
    own = services.task_submit_part(task=task, by=city.carol, text="本事项材料")
    foreign = services.task_submit_part(task=other, by=city.carol, text="另一事项材料")
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_report_progress(
            task=task, by=city.uma, text="汇总", percent=50, parts=[own, foreign]
        )

    assert "parts" in refused.value.message_dict
    assert snapshot(task) == before
    assert not own.consolidated_into.exists()


# ---------------------------------------------------------------------------
# Coordination (提请协调) and its answer


def request_coordination(task, by, **texts):
    return services.task_request_coordination(
        task=task,
        by=by,
        **{
            "tried": "多次与市财政局会商",
            "disagreement": "资金来源意见不一",
            "proposal": "建议由市级财政先行垫付",
            **texts,
        },
    )


@pytest.mark.parametrize("requester", ["uma", "lisa"])
def test_lead_unit_staff_request_coordination_without_moving_the_task(city, requester):
    task = task_in(city, TaskState.ACKNOWLEDGED)
    by = getattr(city, requester)

    request = request_coordination(task, by)

    request = CoordinationRequest.objects.get(pk=request.pk)
    assert (
        request.task,
        request.requested_by,
        request.requested_at,
        request.tried,
        request.disagreement,
        request.proposal,
        request.is_answered,
    ) == (
        task,
        by,
        MONDAY,
        "多次与市财政局会商",
        "资金来源意见不一",
        "建议由市级财政先行垫付",
        False,
    )
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.ACKNOWLEDGED, 4)
    event = last_event(task)
    assert (event.kind, event.actor, event.to_state, event.payload) == (
        EventKind.COORDINATION_REQUESTED,
        by,
        TaskState.ACKNOWLEDGED,
        {"request": request.pk},
    )


@pytest.mark.parametrize("field", ["tried", "disagreement", "proposal"])
@pytest.mark.parametrize(
    "value", ["", "  ", "意\x00见", "议" * 5_001], ids=["empty", "blank", "nul", "long"]
)
def test_a_coordination_request_needs_all_three_texts(city, field, value):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        request_coordination(task, city.uma, **{field: value})

    assert field in refused.value.message_dict
    assert snapshot(task) == before


@pytest.mark.parametrize("requester", ["carol", "bob", "alice", "pat", "mayor"])
def test_only_the_lead_unit_requests_coordination(city, requester):
    task = task_in(city, TaskState.IN_PROGRESS)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        request_coordination(task, getattr(city, requester))

    assert snapshot(task) == before


@pytest.mark.parametrize("state", [TaskState.DRAFT, TaskState.CLOSED])
def test_coordination_for_a_task_that_is_not_running_is_refused(city, state):
    task = task_in(city, state)
    before = snapshot(task)

    with pytest.raises(WrongState):
        request_coordination(task, city.uma)

    assert snapshot(task) == before


@pytest.mark.parametrize("leader", ["pat", "mayor"])
def test_a_leader_over_the_lead_unit_answers_and_the_answer_joins_the_timeline(city, leader):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)
    by = getattr(city, leader)

    services.task_answer_coordination(request=request, by=by, answer="由市财政局先行垫付")

    request.refresh_from_db()
    assert (request.answer, request.answered_by, request.answered_at) == (
        "由市财政局先行垫付",
        by,
        MONDAY,
    )
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.IN_PROGRESS, 5)
    timeline = list(
        TaskEvent.objects.filter(task=task)
        .order_by("at", "pk")
        .values_list("kind", "actor", "note")
    )
    assert timeline == [
        (EventKind.COORDINATION_REQUESTED, city.uma.pk, "建议由市级财政先行垫付"),
        (EventKind.COORDINATION_ANSWERED, by.pk, "由市财政局先行垫付"),
    ]


def test_a_coordination_request_may_be_answered_while_the_task_is_suspended(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)
    services.task_suspend(task=task, by=city.pat, reason="等待协调")

    services.task_answer_coordination(request=request, by=city.pat, answer="同意垫付")

    request.refresh_from_db()
    assert request.is_answered


def test_a_coordination_request_cannot_be_answered_twice(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)
    services.task_answer_coordination(request=request, by=city.pat, answer="同意垫付")
    before = snapshot(task)

    with pytest.raises(WrongState):
        services.task_answer_coordination(request=request, by=city.mayor, answer="改为分期")

    assert snapshot(task) == before
    request.refresh_from_db()
    assert (request.answer, request.answered_by) == ("同意垫付", city.pat)


@pytest.mark.parametrize("person", ["bob", "uma", "alice", "carol"])
def test_only_a_leader_over_the_task_answers_coordination(city, person):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)
    before = snapshot(task)

    with pytest.raises(ActionNotAllowed):
        services.task_answer_coordination(request=request, by=getattr(city, person), answer="x")

    assert snapshot(task) == before


def test_a_portfolio_leader_over_another_unit_answers_only_as_the_named_lead_leader(city):
    pete = person("pete", Role.PORTFOLIO_LEADER, portfolio=[city.unit_b])
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)

    with pytest.raises(ActionNotAllowed):
        services.task_answer_coordination(request=request, by=pete, answer="同意")
    task.lead_leader = pete
    task.save(update_fields=["lead_leader"])
    services.task_answer_coordination(request=request, by=pete, answer="同意")

    request.refresh_from_db()
    assert request.answered_by == pete


@pytest.mark.parametrize("answer", ["", " ", "同\x00意"])
def test_an_empty_answer_is_refused_and_the_request_stays_open(city, answer):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = request_coordination(task, city.uma)
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        services.task_answer_coordination(request=request, by=city.pat, answer=answer)

    assert "answer" in refused.value.message_dict
    assert snapshot(task) == before


# ---------------------------------------------------------------------------
# Pending extensions when a task closes, is cancelled, or asks to close


def test_closing_withdraws_a_pending_extension(city):
    task = task_in(city, TaskState.CLOSURE_REQUESTED)
    request = pending_extension(task, by=city.uma)

    services.task_close(task=task, by=city.alice)

    request.refresh_from_db()
    assert (request.status, request.decided_at) == (ExtensionStatus.WITHDRAWN, MONDAY)
    task.refresh_from_db()
    assert task.deadline == D(2026, 10, 31)


@pytest.mark.parametrize("state", [TaskState.IN_PROGRESS, TaskState.SUSPENDED])
def test_cancelling_withdraws_a_pending_extension(city, state):
    task = task_in(city, state)
    request = pending_extension(task, by=city.uma)

    services.task_cancel(task=task, by=city.mayor, reason="上级已撤销")

    request.refresh_from_db()
    assert request.status == ExtensionStatus.WITHDRAWN


def test_closing_leaves_decided_extensions_as_they_were(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    approved = pending_extension(task, by=city.uma)
    services.task_decide_extension(request=approved, by=city.alice, approve=True)
    services.task_request_closure(task=task, by=city.uma, summary="已完成")

    services.task_close(task=task, by=city.alice)

    approved.refresh_from_db()
    assert approved.status == ExtensionStatus.APPROVED


def test_a_pending_extension_can_still_be_decided_while_closure_is_requested(city):
    task = task_in(city, TaskState.IN_PROGRESS)
    request = services.task_request_extension(
        task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="征地未完成"
    )
    services.task_request_closure(task=task, by=city.uma, summary="已基本完成")

    services.task_decide_extension(request=request, by=city.alice, approve=True)

    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED
    assert (task.state, task.deadline) == (TaskState.CLOSURE_REQUESTED, D(2026, 11, 30))


def test_no_extension_may_be_requested_once_closure_is_requested(city):
    task = task_in(city, TaskState.CLOSURE_REQUESTED)
    before = snapshot(task)

    with pytest.raises(WrongState):
        services.task_request_extension(
            task=task, by=city.uma, proposed_deadline=D(2026, 11, 30), reason="征地未完成"
        )

    assert snapshot(task) == before


# ---------------------------------------------------------------------------
# Return and ask again; extensions only before the deadline


def test_a_returned_task_asks_for_closure_again_and_the_timeline_keeps_both_rounds(city, monday):
    task = task_in(city, TaskState.IN_PROGRESS)
    services.task_request_closure(task=task, by=city.uma, summary="已建成")
    monday.shift(datetime.timedelta(days=1))
    services.task_return(task=task, by=city.alice, reason="缺少验收报告")
    monday.shift(datetime.timedelta(days=1))

    services.task_request_closure(task=task, by=city.lisa, summary="已补充验收报告")

    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.CLOSURE_REQUESTED, 6)
    timeline = list(
        TaskEvent.objects.filter(task=task)
        .order_by("at", "pk")
        .values_list("kind", "from_state", "to_state", "note")
    )
    assert timeline == [
        (
            EventKind.CLOSURE_REQUESTED,
            TaskState.IN_PROGRESS,
            TaskState.CLOSURE_REQUESTED,
            "已建成",
        ),
        (EventKind.RETURNED, TaskState.CLOSURE_REQUESTED, TaskState.RETURNED, "缺少验收报告"),
        (
            EventKind.CLOSURE_REQUESTED,
            TaskState.RETURNED,
            TaskState.CLOSURE_REQUESTED,
            "已补充验收报告",
        ),
    ]


def test_an_extension_may_be_requested_on_the_deadline_day_but_not_the_day_after(city, monday):
    on_time = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 10, 9))
    late = task_in(city, TaskState.IN_PROGRESS, deadline=D(2026, 10, 9))
    monday.move_to(datetime.datetime(2026, 10, 9, 23, 30, tzinfo=SHANGHAI))
    services.task_request_extension(
        task=on_time, by=city.uma, proposed_deadline=D(2026, 10, 30), reason="征地未完成"
    )
    # Just after midnight in Shanghai, while it is still 9 October in UTC.
    monday.move_to(datetime.datetime(2026, 10, 10, 0, 30, tzinfo=SHANGHAI))
    before = snapshot(late)

    with pytest.raises(ValidationError):
        services.task_request_extension(
            task=late, by=city.uma, proposed_deadline=D(2026, 10, 30), reason="征地未完成"
        )

    assert snapshot(late) == before
    assert not late.extension_requests.exists()
    assert on_time.extension_requests.get().status == ExtensionStatus.PENDING
