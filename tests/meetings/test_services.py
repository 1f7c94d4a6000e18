"""Meetings and decisions through the services: numbering, proposals, assign all."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings import services
from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from meetings.selectors import decision_proposals, meeting_deadlines
from meetings.services import DecisionDraft
from taskboard.choices import DeadlineSource, EventKind, FeedbackCadence, TaskOrigin, TaskState
from taskboard.models import Task
from taskboard.services import ActionNotAllowed, TaskActionError

from ..factories import UnitFactory
from .conftest import MEETING_DAY, make_meeting

D = datetime.date


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=datetime.UTC), tick=False):
        yield MEETING_DAY


def draft(city, text="由市发展和改革委员会牵头推进重点项目建设。", **fields):
    fields.setdefault("lead_unit", city.unit_a)
    fields.setdefault("deadline", D(2026, 10, 31))
    return DecisionDraft(text=text, **fields)


# ---------------------------------------------------------------------------
# Meetings


def test_a_meeting_left_unnumbered_gets_the_next_number_of_its_kind_and_year(city):
    first = services.meeting_create(by=city.alice, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY)
    second = services.meeting_create(by=city.alice, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY)
    topic = services.meeting_create(by=city.alice, kind=MeetingKind.TOPIC, date=MEETING_DAY)
    next_year = services.meeting_create(
        by=city.alice, kind=MeetingKind.EXECUTIVE, date=D(2027, 1, 5)
    )
    assert (first.number, second.number, topic.number, next_year.number) == (1, 2, 1, 1)
    assert second.year == 2026 and next_year.year == 2027
    assert first.created_by == city.alice


def test_automatic_numbering_skips_numbers_typed_by_hand(city):
    services.meeting_create(by=city.alice, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY, number=1)
    meeting = services.meeting_create(by=city.alice, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY)
    assert meeting.number == 2


def test_a_number_taken_in_the_same_kind_and_year_is_refused(city):
    make_meeting(number=12)
    with pytest.raises(ValidationError) as error:
        services.meeting_create(
            by=city.alice, kind=MeetingKind.EXECUTIVE, date=D(2026, 11, 3), number=12
        )
    assert "number" in error.value.message_dict
    # The same number is free in another kind or another year.
    services.meeting_create(by=city.alice, kind=MeetingKind.TOPIC, date=MEETING_DAY, number=12)
    services.meeting_create(
        by=city.alice, kind=MeetingKind.EXECUTIVE, date=D(2027, 1, 5), number=12
    )
    assert Meeting.objects.count() == 3


def test_the_database_holds_the_number_unique_per_kind_and_year(db):
    from django.db import IntegrityError, transaction

    make_meeting(number=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(number=12, date=D(2026, 12, 1))


def test_the_display_name_carries_year_kind_and_number(meeting):
    assert "2026" in meeting.display_name and "12" in meeting.display_name
    assert meeting.get_kind_display() in meeting.display_name
    assert str(meeting) == meeting.display_name


@pytest.mark.parametrize(
    "kind, source",
    [
        (MeetingKind.PLENARY, DeadlineSource.PLENARY_MEETING),
        (MeetingKind.EXECUTIVE, DeadlineSource.EXECUTIVE_MEETING),
        (MeetingKind.OFFICE, DeadlineSource.OFFICE_MEETING),
        (MeetingKind.TOPIC, DeadlineSource.TOPIC_MEETING),
        (MeetingKind.WEEKLY, DeadlineSource.WEEKLY_MEETING),
        (MeetingKind.PARTY_STANDING, DeadlineSource.PARTY_MEETING),
        (MeetingKind.SECRETARY_TOPIC, DeadlineSource.PARTY_MEETING),
        (MeetingKind.SPECIAL_BODY, DeadlineSource.SPECIAL_BODY),
    ],
)
def test_each_kind_follows_its_deadline_rule(db, kind, source):
    assert Meeting(kind=kind).deadline_source == source


def test_unit_staff_and_leaders_cannot_register_meetings(city):
    for person in (city.uma, city.pat, city.mayor):
        with pytest.raises(ActionNotAllowed):
            services.meeting_create(by=person, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY)
    assert not Meeting.objects.exists()


def test_the_kind_cannot_change_once_the_meeting_has_decisions(city, meeting, today):
    services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city)])
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            meeting=meeting, by=city.alice, kind=MeetingKind.TOPIC, date=MEETING_DAY
        )
    assert "kind" in error.value.message_dict


# ---------------------------------------------------------------------------
# Proposals from the deadline rules


def test_an_executive_meeting_before_national_day_must_be_assigned_by_october_9(meeting):
    # Three working days after 29 September: the 30th, then 8 and 9 October.
    assert meeting_deadlines(meeting=meeting).issue_by == D(2026, 10, 9)


def test_the_proposed_deadline_is_the_feedback_limit_counted_from_assignment(city, meeting):
    proposals = decision_proposals(
        meeting=meeting, texts=["由市财政局负责。"], assigned_on=D(2026, 9, 30)
    )
    # Executive meeting: feedback within half a month (15 days) of assignment.
    assert proposals[0].deadline == D(2026, 10, 15)


def test_a_proposal_is_never_counted_from_before_the_meeting(city):
    later = make_meeting(number=13, date=D(2026, 10, 20))
    [proposal] = decision_proposals(meeting=later, texts=["推进。"], assigned_on=MEETING_DAY)
    assert proposal.deadline == D(2026, 11, 4)


def test_units_named_in_the_text_are_proposed_lead_first(city, meeting):
    UnitFactory(name="市住房和城乡建设局", short_name="市住建局")
    [proposal] = decision_proposals(
        meeting=meeting,
        texts=["由市发展和改革委员会牵头，市财政局、市住建局配合，加快推进项目建设。"],
        assigned_on=MEETING_DAY,
    )
    assert proposal.lead_unit == city.unit_a
    assert [unit.name for unit in proposal.co_units] == ["市财政局", "市住房和城乡建设局"]
    # pat's portfolio holds the lead unit.
    assert proposal.lead_leader == city.pat


def test_without_a_named_unit_the_chair_is_proposed_and_the_unit_left_to_choose(city, meeting):
    [proposal] = decision_proposals(
        meeting=meeting, texts=["做好国庆假期安全工作。"], assigned_on=MEETING_DAY
    )
    assert proposal.lead_unit is None and proposal.co_units == []
    assert proposal.lead_leader == city.mayor


# ---------------------------------------------------------------------------
# Decisions to tasks


def test_decisions_are_saved_with_draft_tasks_from_the_meeting(city, meeting, today):
    first, second = services.decisions_create(
        meeting=meeting,
        by=city.alice,
        drafts=[
            draft(city, co_units=[city.unit_b], lead_leader=city.pat),
            draft(city, text="市财政局保障项目资金。做好绩效评价。", lead_unit=city.unit_b),
        ],
        minutes="一、……\n二、……",
    )
    assert (first.number, second.number) == (1, 2)
    task = first.task
    assert task.state == TaskState.DRAFT
    assert task.origin == TaskOrigin.MEETING
    assert task.deadline_source == DeadlineSource.EXECUTIVE_MEETING
    assert task.feedback_cadence == FeedbackCadence.ONCE
    assert task.lead_unit == city.unit_a and task.lead_leader == city.pat
    assert list(task.co_units.all()) == [city.unit_b]
    assert task.deadline == D(2026, 10, 31)
    assert task.title == "由市发展和改革委员会牵头推进重点项目建设"
    assert second.task.title == "市财政局保障项目资金"
    assert second.task.requirement == "市财政局保障项目资金。做好绩效评价。"
    meeting.refresh_from_db()
    assert meeting.minutes == "一、……\n二、……"


def test_numbers_continue_after_the_meetings_last_decision(city, meeting, today):
    services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city)])
    [later] = services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city)])
    assert later.number == 2


def test_a_bad_row_saves_nothing_at_all(city, meeting, today):
    with pytest.raises(ValidationError) as error:
        services.decisions_create(
            meeting=meeting,
            by=city.alice,
            drafts=[draft(city), draft(city, deadline=D(2026, 9, 1))],
            minutes="新的纪要",
        )
    assert "2" in error.value.messages[0]  # names the item
    assert not Decision.objects.exists()
    assert not Task.objects.exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""


@pytest.mark.parametrize("text", ["", "   ", "推进\x00项目", "长" * 5001])
def test_bad_decision_text_is_refused(city, meeting, today, text):
    with pytest.raises(ValidationError):
        services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city, text=text)])
    assert not Task.objects.exists()


def test_unit_staff_cannot_save_decisions(city, meeting, today):
    with pytest.raises(ActionNotAllowed):
        services.decisions_create(meeting=meeting, by=city.uma, drafts=[draft(city)])
    assert not Decision.objects.exists()


def test_a_draft_decision_can_be_changed_before_it_is_assigned(city, meeting, today):
    [decision] = services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city)])
    services.decision_update(
        decision=decision,
        by=city.alice,
        draft=draft(
            city, text="市财政局统筹资金。", lead_unit=city.unit_b, deadline=D(2026, 10, 20)
        ),
    )
    decision.refresh_from_db()
    task = decision.task
    assert decision.text == "市财政局统筹资金。"
    assert (task.title, task.lead_unit, task.deadline) == (
        "市财政局统筹资金",
        city.unit_b,
        D(2026, 10, 20),
    )


# ---------------------------------------------------------------------------
# Assign all


def test_assign_all_assigns_every_draft_decision_of_the_meeting(city, meeting, today):
    services.decisions_create(
        meeting=meeting, by=city.alice, drafts=[draft(city), draft(city), draft(city)]
    )
    other = make_meeting(number=13, date=MEETING_DAY)
    [elsewhere] = services.decisions_create(meeting=other, by=city.alice, drafts=[draft(city)])

    assigned = services.decisions_assign(meeting=meeting, by=city.alice)

    assert [decision.number for decision in assigned] == [1, 2, 3]
    tasks = Task.objects.filter(decision__meeting=meeting)
    assert {task.state for task in tasks} == {TaskState.ASSIGNED}
    assert {task.assigned_on for task in tasks} == {MEETING_DAY}
    assert all(task.events.filter(kind=EventKind.ASSIGNED).count() == 1 for task in tasks)
    elsewhere.task.refresh_from_db()
    assert elsewhere.task.state == TaskState.DRAFT


def test_when_one_decision_cannot_be_assigned_none_is(city, meeting):
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=datetime.UTC)):
        services.decisions_create(
            meeting=meeting,
            by=city.alice,
            drafts=[draft(city, deadline=D(2026, 12, 31)), draft(city, deadline=D(2026, 10, 9))],
        )
    # A week after the second decision's deadline has passed.
    with (
        time_machine.travel(datetime.datetime(2026, 10, 16, 10, tzinfo=datetime.UTC)),
        pytest.raises(ValidationError) as error,
    ):
        services.decisions_assign(meeting=meeting, by=city.alice)
    assert "2" in error.value.messages[0]
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.DRAFT}
    assert not Task.objects.filter(assigned_on__isnull=False).exists()


def test_assign_all_without_drafts_is_refused(city, meeting, today):
    with pytest.raises(TaskActionError):
        services.decisions_assign(meeting=meeting, by=city.alice)


def test_unit_heads_cannot_assign_decisions(city, meeting, today):
    services.decisions_create(meeting=meeting, by=city.alice, drafts=[draft(city)])
    with pytest.raises(ActionNotAllowed):
        services.decisions_assign(meeting=meeting, by=city.uma)
    assert Task.objects.get().state == TaskState.DRAFT
