"""Notices: the assignment notice on assign, the approval chain, numbering at issue, the
automatic drafts, who sees which notice."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from supervision import notices
from supervision.choices import NoticeAction, NoticeKind, NoticeState
from supervision.models import CopyRecipient, Notice, NoticeStep
from supervision.sweep import sweep
from taskboard import services
from taskboard.choices import EventKind, TaskOrigin, TaskState
from taskboard.models import Notification, TaskEvent, YearSequence
from taskboard.services import ActionNotAllowed, WrongState

from ..factories import TaskFactory

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 November 2026, a working day; the tasks below were due on Saturday 31 October.
MONDAY = datetime.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI)
DUE = D(2026, 10, 31)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def overdue_task(city, unit=None, **kwargs):
    kwargs.setdefault("state", TaskState.IN_PROGRESS)
    return TaskFactory(lead_unit=unit or city.unit_a, deadline=DUE, **kwargs)


def through_the_chain(notice, city):
    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.pat)
    notices.notice_sign(notice=notice, by=city.dirk)
    return notices.notice_issue(notice=notice, by=city.alice)


def steps(notice):
    return list(notice.steps.values_list("action", flat=True))


# The assignment notice


def test_assigning_a_task_issues_its_numbered_assignment_notice(city, monday):
    task = services.task_create(
        by=city.alice,
        title="推进老旧小区改造",
        lead_unit=city.unit_a,
        co_units=[city.unit_b],
        origin=TaskOrigin.MEETING,
    )
    services.task_assign(task=task, by=city.alice, deadline=D(2026, 12, 31))

    notice = Notice.objects.get()
    assert notice.kind == NoticeKind.ASSIGNMENT
    assert notice.state == NoticeState.ISSUED
    assert notice.number_text == "交办〔2026〕1号"
    assert list(notice.tasks.all()) == [task]
    assert set(notice.recipients.all()) == {city.unit_a, city.unit_b}
    assert steps(notice) == [NoticeAction.DRAFTED, NoticeAction.ISSUED]
    assert notice.steps.last().actor == city.alice


def test_each_assigned_task_gets_the_next_assignment_number(city, monday):
    for title in ("一", "二", "三"):
        task = services.task_create(
            by=city.alice, title=title, lead_unit=city.unit_a, origin=TaskOrigin.MEETING
        )
        services.task_assign(task=task, by=city.alice, deadline=D(2026, 12, 31))

    numbers = Notice.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2, 3]
    assert YearSequence.objects.get(series="notice_assignment", year=2026).last == 3


def test_a_refused_assignment_writes_no_notice_and_uses_no_number(city, monday):
    task = services.task_create(
        by=city.alice, title="事项", lead_unit=city.unit_a, origin=TaskOrigin.MEETING
    )
    with pytest.raises(ActionNotAllowed):
        services.task_assign(task=task, by=city.uma, deadline=D(2026, 12, 31))
    assert not Notice.objects.exists()
    assert not YearSequence.objects.filter(series="notice_assignment").exists()


# The chain


def test_an_urge_notice_goes_through_the_chain_and_is_numbered_at_issue(city, monday):
    task = overdue_task(city)
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[task])
    assert notice.number is None

    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.pat)
    notices.notice_sign(notice=notice, by=city.dirk)
    assert Notice.objects.get().number is None
    notices.notice_issue(notice=notice, by=city.alice)

    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED
    assert notice.number_text == "催办〔2026〕1号"
    assert steps(notice) == [
        NoticeAction.DRAFTED,
        NoticeAction.PROPOSED,
        NoticeAction.APPROVED,
        NoticeAction.SIGNED,
        NoticeAction.ISSUED,
    ]
    actors = list(notice.steps.values_list("actor__username", flat=True))
    assert actors == ["alice", "dana", "pat", "dirk", "alice"]


def test_issuing_an_urge_notice_writes_it_into_each_tasks_history_and_tells_the_units(city, monday):
    task = overdue_task(city)
    task.co_units.set([city.unit_b])
    other = overdue_task(city)
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[task, other])
    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.pat)
    notices.notice_sign(notice=notice, by=city.dirk)
    assert not TaskEvent.objects.filter(kind=EventKind.NOTICE_ISSUED).exists()

    notices.notice_issue(notice=notice, by=city.alice)

    events = TaskEvent.objects.filter(kind=EventKind.NOTICE_ISSUED).order_by("task_id")
    assert [(e.task_id, e.actor, e.note) for e in events] == [
        (task.pk, city.alice, "督查事项催办单 催办〔2026〕1号"),
        (other.pk, city.alice, "督查事项催办单 催办〔2026〕1号"),
    ]
    assert all(e.from_state == e.to_state == TaskState.IN_PROGRESS for e in events)
    told = Notification.objects.filter(kind=EventKind.NOTICE_ISSUED)
    assert {(n.recipient.username, n.task_id) for n in told} == {
        ("uma", task.pk),
        ("lisa", task.pk),
        ("bob", task.pk),
        ("uma", other.pk),
        ("lisa", other.pk),
    }


def test_the_assignment_notice_writes_no_notice_event(city, monday):
    task = services.task_create(
        by=city.alice, title="事项", lead_unit=city.unit_a, origin=TaskOrigin.MEETING
    )
    services.task_assign(task=task, by=city.alice, deadline=D(2026, 12, 31))

    assert Notice.objects.get().state == NoticeState.ISSUED
    assert not TaskEvent.objects.filter(kind=EventKind.NOTICE_ISSUED).exists()


def test_urge_and_supervise_notices_are_numbered_separately(city, monday):
    task = overdue_task(city)
    urge = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[task])
    supervise = notices.notice_draft(by=city.alice, kind=NoticeKind.SUPERVISE, tasks=[task])
    through_the_chain(urge, city)
    through_the_chain(supervise, city)

    assert Notice.objects.get(pk=urge.pk).number_text == "催办〔2026〕1号"
    assert Notice.objects.get(pk=supervise.pk).number_text == "督办〔2026〕1号"


@pytest.mark.parametrize(
    "state, step, wrong_people",
    [
        (NoticeState.DRAFT, "propose", ["alice", "dirk", "pat", "uma", "mayor", "carl"]),
        (NoticeState.PROPOSED, "approve", ["alice", "dana", "dirk", "bob", "uma", "carl"]),
        (NoticeState.APPROVED, "sign", ["alice", "dana", "pat", "uma", "carl"]),
        (NoticeState.SIGNED, "issue", ["pat", "uma", "bob", "carl", "mayor"]),
    ],
)
def test_each_step_refuses_the_wrong_person_and_changes_nothing(
    city, monday, state, step, wrong_people
):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    Notice.objects.filter(pk=notice.pk).update(state=state)
    service = getattr(notices, f"notice_{step}")
    for username in wrong_people:
        with pytest.raises(ActionNotAllowed):
            service(notice=notice, by=getattr(city, username))

    assert Notice.objects.get(pk=notice.pk).state == state
    assert steps(notice) == [NoticeAction.DRAFTED]
    assert not YearSequence.objects.filter(series="notice_urge").exists()


def test_the_leader_over_another_unit_may_not_approve(city, monday):
    notice = notices.notice_draft(
        by=city.alice,
        kind=NoticeKind.URGE,
        tasks=[overdue_task(city), overdue_task(city, unit=city.unit_b)],
    )
    notices.notice_propose(notice=notice, by=city.dana)
    # pat leads unit A only; the notice also names a task of unit B.
    with pytest.raises(ActionNotAllowed):
        notices.notice_approve(notice=notice, by=city.pat)
    notices.notice_approve(notice=notice, by=city.mayor)
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.APPROVED


def test_steps_out_of_order_are_refused_as_wrong_state(city, monday):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    with pytest.raises(WrongState):
        notices.notice_issue(notice=notice, by=city.alice)  # not yet signed
    with pytest.raises(WrongState):
        notices.notice_sign(notice=notice, by=city.dirk)
    with pytest.raises(WrongState):
        notices.notice_reject(notice=notice, by=city.dirk, reason="a draft is not on its way")
    notices.notice_propose(notice=notice, by=city.dana)
    with pytest.raises(WrongState):
        notices.notice_propose(notice=notice, by=city.dana)
    assert steps(notice) == [NoticeAction.DRAFTED, NoticeAction.PROPOSED]


def test_rejection_sends_the_notice_back_to_draft_with_its_reason(city, monday):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    notices.notice_propose(notice=notice, by=city.dana)
    notices.notice_approve(notice=notice, by=city.pat)
    with pytest.raises(ActionNotAllowed):
        notices.notice_reject(notice=notice, by=city.pat, reason="not my turn any more")
    with pytest.raises(ValidationError) as error:
        notices.notice_reject(notice=notice, by=city.dirk, reason="  ")
    assert "reason" in error.value.message_dict
    assert Notice.objects.get(pk=notice.pk).state == NoticeState.APPROVED

    notices.notice_reject(notice=notice, by=city.dirk, reason="请补充逾期天数。")

    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT
    rejected = notice.steps.last()
    assert (rejected.action, rejected.actor, rejected.reason) == (
        NoticeAction.REJECTED,
        city.dirk,
        "请补充逾期天数。",
    )
    assert (rejected.from_state, rejected.to_state) == (NoticeState.APPROVED, NoticeState.DRAFT)
    # Back in draft, it goes round again.
    through_the_chain(notice, city)
    assert Notice.objects.get(pk=notice.pk).number == 1


def test_steps_are_append_only(city, monday):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    step = notice.steps.get()
    step.reason = "changed"
    with pytest.raises(ValidationError):
        step.save()


# Drafting by hand


def test_office_staff_draft_one_notice_about_several_tasks(city, monday):
    first, second = overdue_task(city), overdue_task(city, unit=city.unit_b)
    notice = notices.notice_draft(
        by=city.alice, kind=NoticeKind.SUPERVISE, tasks=[first, second], body="请于本周内办结。"
    )
    assert set(notice.tasks.all()) == {first, second}
    assert set(notice.recipients.all()) == {city.unit_a, city.unit_b}
    assert notice.body == "请于本周内办结。"
    assert notice.created_by == city.alice
    # Copied by default to the bodies configured for supervise notices (seeded).
    assert set(notice.copy_recipients.values_list("name", flat=True)) == {
        "组织部",
        "纪委监委（监督局）",
        "作风办",
    }


@pytest.mark.parametrize(
    "kind, tasks, field",
    [
        (NoticeKind.URGE, "none", "tasks"),
        (NoticeKind.URGE, "closed", "tasks"),
        (NoticeKind.ASSIGNMENT, "open", "kind"),
        ("nonsense", "open", "kind"),
    ],
)
def test_a_bad_draft_is_refused_and_saves_nothing(city, monday, kind, tasks, field):
    chosen = {
        "none": [],
        "closed": [overdue_task(city, state=TaskState.CLOSED)],
        "open": [overdue_task(city)],
    }[tasks]
    with pytest.raises(ValidationError) as error:
        notices.notice_draft(by=city.alice, kind=kind, tasks=chosen)
    assert field in error.value.message_dict
    assert not Notice.objects.exists()
    assert not NoticeStep.objects.exists()


def test_only_the_office_drafts(city, monday):
    for person in (city.uma, city.pat, city.carl, city.mayor):
        with pytest.raises(ActionNotAllowed):
            notices.notice_draft(by=person, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    assert not Notice.objects.exists()


def test_a_draft_is_edited_by_the_office_only_while_it_is_a_draft(city, monday):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    with pytest.raises(ActionNotAllowed):
        notices.notice_edit(notice=notice, by=city.uma, body="x")
    with pytest.raises(ValidationError):
        notices.notice_edit(notice=notice, by=city.alice, body="")
    notices.notice_edit(notice=notice, by=city.alice, body="新的正文", copy_recipients=[])
    notice.refresh_from_db()
    assert notice.body == "新的正文"
    assert not notice.copy_recipients.exists()
    notices.notice_propose(notice=notice, by=city.dana)
    with pytest.raises(WrongState):
        notices.notice_edit(notice=notice, by=city.alice, body="再改")


# The automatic drafts


def test_an_overdue_task_gets_one_urge_draft_even_if_drafting_runs_twice(city, monday):
    task = overdue_task(city)
    TaskFactory(lead_unit=city.unit_a, deadline=D(2026, 12, 31))  # not overdue
    TaskFactory(lead_unit=city.unit_a, deadline=DUE, state=TaskState.CLOSED)  # done

    first = notices.draft_due_notices(as_of=D(2026, 11, 2))
    second = notices.draft_due_notices(as_of=D(2026, 11, 2))

    assert first == {"urge_notices": 1, "supervise_notices": 0}
    assert second == {"urge_notices": 0, "supervise_notices": 0}
    notice = Notice.objects.get()
    assert (notice.kind, notice.state, notice.created_by) == (
        NoticeKind.URGE,
        NoticeState.DRAFT,
        None,
    )
    assert list(notice.tasks.all()) == [task]
    assert list(notice.recipients.all()) == [city.unit_a]
    assert notice.copy_recipients.count() == 3
    assert steps(notice) == [NoticeAction.DRAFTED]


def test_the_urge_draft_is_addressed_to_the_co_units_too(city, monday):
    task = overdue_task(city)
    task.co_units.set([city.unit_b])
    notices.draft_due_notices(as_of=D(2026, 11, 2))
    assert set(Notice.objects.get().recipients.all()) == {city.unit_a, city.unit_b}


def test_a_task_urged_by_hand_or_withdrawn_is_not_drafted_again(city, monday):
    by_hand, withdrawn = overdue_task(city), overdue_task(city)
    notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[by_hand])
    notices.draft_due_notices(as_of=D(2026, 11, 2))
    auto = Notice.objects.get(auto_task=withdrawn)
    notices.notice_withdraw(notice=auto, by=city.alice, reason="已电话催办。")

    assert notices.draft_due_notices(as_of=D(2026, 11, 3)) == {
        "urge_notices": 0,
        "supervise_notices": 0,
    }
    assert Notice.objects.count() == 2


def test_an_extended_deadline_missed_again_gets_a_new_urge_draft(city, monday):
    task = overdue_task(city)
    notices.draft_due_notices(as_of=D(2026, 11, 2))
    # An approved extension moved the deadline; it was missed again.
    task.deadline = D(2026, 11, 4)
    task.save(update_fields=["deadline"])
    with time_machine.travel(datetime.datetime(2026, 11, 5, 9, tzinfo=SHANGHAI), tick=False):
        assert notices.draft_due_notices(as_of=D(2026, 11, 5))["urge_notices"] == 1
    assert Notice.objects.filter(kind=NoticeKind.URGE, auto_task=task).count() == 2


def test_a_supervise_draft_follows_n_working_days_after_the_urge_notice_was_issued(
    city, monday, settings
):
    settings.NOTICE_SUPERVISE_AFTER_WORKDAYS = 5
    task = overdue_task(city)
    notices.draft_due_notices(as_of=D(2026, 11, 2))
    through_the_chain(Notice.objects.get(kind=NoticeKind.URGE), city)  # issued on 2 Nov

    # Friday 6 November: four working days since the issue.
    assert notices.draft_due_notices(as_of=D(2026, 11, 6))["supervise_notices"] == 0
    # Monday 9 November: five.
    assert notices.draft_due_notices(as_of=D(2026, 11, 9))["supervise_notices"] == 1
    assert notices.draft_due_notices(as_of=D(2026, 11, 10))["supervise_notices"] == 0

    supervise = Notice.objects.get(kind=NoticeKind.SUPERVISE)
    assert list(supervise.tasks.all()) == [task]
    assert supervise.state == NoticeState.DRAFT


def test_no_supervise_draft_while_the_urge_notice_is_not_issued(city, monday):
    overdue_task(city)
    notices.draft_due_notices(as_of=D(2026, 11, 2))
    assert notices.draft_due_notices(as_of=D(2026, 11, 30))["supervise_notices"] == 0


def test_the_daily_sweep_drafts_the_notices_and_counts_them(city, monday):
    overdue_task(city)
    assert sweep(as_of=D(2026, 11, 2))["urge_notices"] == 1
    assert sweep(as_of=D(2026, 11, 2))["urge_notices"] == 0
    assert Notice.objects.count() == 1


def test_the_command_drafts_for_a_date_once(city, monday, capsys):
    overdue_task(city)
    call_command("draft_notices", "--date", "2026-11-02")
    call_command("draft_notices", "--date", "2026-11-02")
    assert Notice.objects.filter(kind=NoticeKind.URGE).count() == 1
    assert "urge_notices 1" in capsys.readouterr().out


# Who sees which notice


def test_units_see_issued_notices_addressed_to_them_and_leaders_their_portfolio(city, monday):
    copies = CopyRecipient.objects.get(name="作风办")
    copies.users.add(city.carl)
    draft = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    issued = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    through_the_chain(issued, city)
    of_b = notices.notice_draft(
        by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city, unit=city.unit_b)]
    )

    def seen(user):
        return set(notices.notices_visible_to(user))

    assert seen(city.alice) == seen(city.mayor) == {draft, issued, of_b}
    assert seen(city.pat) == {draft, issued}  # drafts too: pat approves them
    assert seen(city.uma) == seen(city.lisa) == {issued}  # issued only
    assert seen(city.bob) == set()
    assert seen(city.carl) == {issued}  # copied to 作风办, which carl belongs to
    copies.users.remove(city.carl)
    assert seen(city.carl) == set()


def test_staff_of_a_copy_recipient_unit_see_the_copies(city, monday):
    from taskboard.choices import Role
    from tests.factories import UnitFactory, person

    bureau = UnitFactory(name="市纪委监委")
    CopyRecipient.objects.filter(name="纪委监委（监督局）").update(unit=bureau)
    officer = person("olga", Role.UNIT_HEAD, bureau)
    issued = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    through_the_chain(issued, city)
    assert list(notices.notices_visible_to(officer)) == [issued]


# Numbering under concurrency, on PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notices_issued_at_the_same_moment_get_unique_numbers_without_gaps(city):
    signed = []
    for _ in range(8):
        notice = notices.notice_draft(
            by=city.alice, kind=NoticeKind.SUPERVISE, tasks=[overdue_task(city)]
        )
        Notice.objects.filter(pk=notice.pk).update(state=NoticeState.SIGNED)
        signed.append(notice)
    barrier = threading.Barrier(len(signed))
    errors = []

    def issue(notice):
        try:
            barrier.wait(timeout=10)
            notices.notice_issue(notice=notice, by=city.alice)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(notice,)) for notice in signed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(signed) + 1))
    assert YearSequence.objects.get(series="notice_supervise").last == len(signed)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_notice_issued_twice_at_once_is_numbered_once(city):
    notice = notices.notice_draft(by=city.alice, kind=NoticeKind.URGE, tasks=[overdue_task(city)])
    Notice.objects.filter(pk=notice.pk).update(state=NoticeState.SIGNED)
    barrier = threading.Barrier(2)
    outcomes = []

    def issue():
        try:
            barrier.wait(timeout=10)
            notices.notice_issue(notice=notice, by=city.alice)
            outcomes.append("issued")
        except WrongState:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["issued", "refused"]
    assert Notice.objects.get().number == 1
    assert YearSequence.objects.get(series="notice_urge").last == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drafting_runs_at_once_draft_each_notice_once(city):
    for _ in range(5):
        overdue_task(city)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(notices.draft_due_notices(as_of=D(2026, 11, 2)))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(r["urge_notices"] for r in results) == [0, 5]
    assert Notice.objects.count() == 5
    assert NoticeStep.objects.count() == 5
