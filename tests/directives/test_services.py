import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import services
from directives.models import (
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
)
from directives.services import Item, Part, UnitsAndPeople
from directives.sources import task_source
from taskboard.choices import DeadlineSource, EventKind, TaskOrigin, TaskState
from taskboard.models import Milestone, Task, YearSequence
from taskboard.services import ActionNotAllowed, WrongState

from .conftest import SESSION_END, close, make_instruction, make_proposal

pytestmark = pytest.mark.django_db


def add_target(report, city, **extra):
    return services.target_create(
        report=report,
        by=city.alice,
        chapter=extra.pop("chapter", "经济发展"),
        text=extra.pop("text", "地区生产总值增长6%左右"),
        indicator="GDP增速",
        target_value="6%",
        people=extra.pop(
            "people",
            UnitsAndPeople(
                lead_unit=city.unit_a, co_units=[city.unit_b], lead_leader=city.pat, owner=city.uma
            ),
        ),
        **extra,
    )


# ---------------------------------------------------------------------------
# Work report targets


def test_work_report_decomposition_is_due_one_week_after_the_session(report):
    assert services.decomposition_due(report) == datetime.date(2026, 3, 19)


def test_target_becomes_a_draft_task_with_units_leader_owner_and_schedule(report, city):
    target = add_target(
        report,
        city,
        milestones=[
            (datetime.date(2026, 6, 30), 50, "上半年过半"),
            (datetime.date(2026, 12, 31), 100, ""),
        ],
    )
    task = target.task
    assert target.number == 1
    assert task.state == TaskState.DRAFT
    assert task.origin == TaskOrigin.WORK_REPORT
    assert task.deadline_source == DeadlineSource.WORK_REPORT
    assert task.year == 2026
    assert task.lead_unit == city.unit_a
    assert list(task.co_units.all()) == [city.unit_b]
    assert task.lead_leader == city.pat
    assert task.owner == city.uma
    assert task.deadline == datetime.date(2026, 12, 31)
    assert list(Milestone.objects.filter(task=task).values_list("percent", flat=True)) == [50, 100]


def test_targets_are_numbered_in_order_and_the_deadline_can_be_set(report, city):
    add_target(report, city)
    second = add_target(report, city, deadline=datetime.date(2026, 9, 30))
    assert second.number == 2
    assert second.task.deadline == datetime.date(2026, 9, 30)


def test_target_without_a_lead_unit_saves_nothing(report, city):
    with pytest.raises(ValidationError) as error:
        add_target(report, city, people=UnitsAndPeople(lead_unit=None))
    assert "lead_unit" in error.value.message_dict
    assert not Target.objects.exists()
    assert not Task.objects.exists()


def test_target_due_before_the_session_ended_saves_nothing(report, city):
    with pytest.raises(ValidationError):
        add_target(report, city, deadline=SESSION_END - datetime.timedelta(days=1))
    assert not Task.objects.exists()


def test_a_milestone_after_the_deadline_saves_nothing(report, city):
    with pytest.raises(ValidationError):
        add_target(report, city, milestones=[(datetime.date(2027, 1, 5), 100, "")])
    assert not Task.objects.exists()
    assert not Milestone.objects.exists()


def test_a_failed_target_does_not_use_up_a_task_number(report, city):
    with pytest.raises(ValidationError):
        add_target(report, city, text="\x00")
    add_target(report, city)
    assert Task.objects.get().code == "2026-0001"
    assert YearSequence.objects.get(series="task", year=2026).last == 1


def test_target_split_creates_a_child_task_per_unit(report, city):
    target = add_target(report, city)
    children = services.target_split(
        target=target,
        by=city.alice,
        parts=[
            Part(lead_unit=city.unit_a, deadline=datetime.date(2026, 6, 30), title="上半年任务"),
            Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 11, 30)),
        ],
    )
    assert [child.parent_id for child in children] == [target.task_id] * 2
    assert [child.lead_unit for child in children] == [city.unit_a, city.unit_b]
    assert [child.deadline for child in children] == [
        datetime.date(2026, 6, 30),
        datetime.date(2026, 11, 30),
    ]
    assert children[1].title == target.task.title
    assert {child.origin for child in children} == {TaskOrigin.WORK_REPORT}
    assert {child.state for child in children} == {TaskState.DRAFT}


def test_a_part_due_after_the_target_saves_no_part(report, city):
    target = add_target(report, city, deadline=datetime.date(2026, 6, 30))
    with pytest.raises(ValidationError):
        services.target_split(
            target=target,
            by=city.alice,
            parts=[
                Part(lead_unit=city.unit_a, deadline=datetime.date(2026, 6, 1)),
                Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 7, 1)),
            ],
        )
    assert not target.task.children.exists()


@time_machine.travel(datetime.datetime(2026, 3, 16, 9, tzinfo=datetime.UTC))
def test_assigning_a_report_issues_every_target_and_part_with_its_deadline(report, city):
    target = add_target(report, city)
    add_target(report, city, deadline=datetime.date(2026, 9, 30))
    services.target_split(
        target=target,
        by=city.alice,
        parts=[Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 10, 31))],
    )
    assigned = services.work_report_assign(report=report, by=city.alice)
    assert len(assigned) == 3
    tasks = Task.objects.order_by("code")
    assert {task.state for task in tasks} == {TaskState.ASSIGNED}
    assert {task.assigned_on for task in tasks} == {datetime.date(2026, 3, 16)}
    assert [task.deadline for task in tasks] == [
        datetime.date(2026, 12, 31),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 31),
    ]
    with pytest.raises(WrongState):
        services.work_report_assign(report=report, by=city.alice)


def test_assigning_a_report_with_a_past_deadline_assigns_none_of_it(report, city):
    add_target(report, city)
    add_target(report, city, deadline=datetime.date(2026, 4, 1))
    may = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(may), pytest.raises(ValidationError) as error:
        services.work_report_assign(report=report, by=city.alice)
    assert "2026-0002" in error.value.messages[0]
    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.DRAFT}


def test_unit_staff_and_leaders_cannot_register_or_assign(report, city):
    with pytest.raises(ActionNotAllowed):
        services.work_report_create(
            by=city.uma, year=2026, title="经济工作会议报告", session_ended_on=SESSION_END
        )
    target = add_target(report, city)
    with pytest.raises(ActionNotAllowed):
        services.work_report_assign(report=report, by=city.mayor)
    assert Task.objects.get(pk=target.task_id).state == TaskState.DRAFT


def test_editing_a_target_passes_the_change_to_its_task(report, city):
    target = add_target(report, city)
    services.target_update(
        target=target,
        by=city.alice,
        text="地区生产总值增长6.5%",
        people=UnitsAndPeople(lead_unit=city.unit_b, lead_leader=city.pat),
        deadline=datetime.date(2026, 11, 30),
    )
    task = Task.objects.get(pk=target.task_id)
    assert task.requirement == "地区生产总值增长6.5%"
    assert task.lead_unit == city.unit_b
    assert not task.co_units.exists()
    assert task.deadline == datetime.date(2026, 11, 30)
    assert task.events.filter(kind=EventKind.EDITED).exists()


# ---------------------------------------------------------------------------
# Instructions


def test_principal_leaders_instruction_follows_the_principal_rule(city):
    instruction = make_instruction(city)
    task = instruction.task
    assert task.origin == TaskOrigin.INSTRUCTION
    assert task.deadline_source == DeadlineSource.PRINCIPAL_INSTRUCTION
    assert task.lead_leader == city.mayor
    assert task.lead_unit == city.unit_a
    assert list(task.co_units.all()) == [city.unit_b]
    assert task.state == TaskState.DRAFT


def test_portfolio_leaders_instruction_follows_the_portfolio_rule(city):
    instruction = make_instruction(city, leader=city.pat)
    assert instruction.task.deadline_source == DeadlineSource.PORTFOLIO_INSTRUCTION


def test_instruction_before_national_day_must_be_issued_the_first_working_day_after(city):
    instruction = make_instruction(city, issued_on=datetime.date(2026, 9, 30))
    assert services.instruction_issue_by(instruction) == datetime.date(2026, 10, 8)


@time_machine.travel(datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC))
def test_assigned_instruction_wants_feedback_within_a_week_of_assignment(city):
    instruction = make_instruction(city)
    [task] = services.instruction_assign(instruction=instruction, by=city.alice)
    assert task.state == TaskState.ASSIGNED
    assert task.assigned_on == datetime.date(2026, 3, 3)
    assert task.deadline == datetime.date(2026, 3, 10)


def test_an_instruction_needs_a_leader(city):
    with pytest.raises(ValidationError) as error:
        make_instruction(city, leader=city.uma)
    assert "leader" in error.value.message_dict
    assert not Instruction.objects.exists()
    assert not Task.objects.exists()


def test_a_faked_attachment_saves_nothing(city):
    fake = SimpleUploadedFile("批示件.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as error:
        make_instruction(city, attachment=fake)
    assert "attachment" in error.value.message_dict
    assert not Instruction.objects.exists()
    assert not Task.objects.exists()


def test_a_real_attachment_is_stored_under_a_safe_name(city):
    pdf = SimpleUploadedFile("市长批示件.pdf", b"%PDF-1.4\n%test\n")
    instruction = make_instruction(city, attachment=pdf, reference="群众来信〔2026〕12号")
    assert instruction.attachment_name == "市长批示件.pdf"
    assert instruction.attachment.name.startswith("attachments/")
    assert instruction.attachment.name.endswith(".pdf")
    assert "市长" not in instruction.attachment.name


@pytest.mark.parametrize("text", ["批示\x00内容", "长" * 20_001, "   "])
def test_bad_instruction_text_saves_nothing(city, text):
    with pytest.raises(ValidationError):
        make_instruction(city, text=text)
    assert not Task.objects.exists()


# ---------------------------------------------------------------------------
# Assignments from above


def superior(city, items):
    return services.superior_assignment_create(
        by=city.alice,
        issuing_body="省委第三巡视组",
        reference="湘巡反〔2026〕3号",
        title="巡视反馈问题整改清单",
        received_on=datetime.date(2026, 4, 1),
        items=items,
    )


def test_each_item_from_above_becomes_a_task(city):
    assignment = superior(
        city,
        [
            Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30)),
            Item(
                "整改资金拨付滞后问题",
                UnitsAndPeople(city.unit_b, co_units=[city.unit_a]),
                datetime.date(2026, 5, 31),
            ),
        ],
    )
    items = list(assignment.items.select_related("task"))
    assert [item.number for item in items] == [1, 2]
    assert {item.task.origin for item in items} == {TaskOrigin.SUPERIOR}
    assert {item.task.deadline_source for item in items} == {DeadlineSource.SUPERIOR}
    assert [item.task.deadline for item in items] == [
        datetime.date(2026, 6, 30),
        datetime.date(2026, 5, 31),
    ]
    assert list(items[1].task.co_units.all()) == [city.unit_a]


def test_an_item_due_before_it_was_received_saves_nothing(city):
    with pytest.raises(ValidationError):
        superior(
            city,
            [
                Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30)),
                Item(
                    "整改资金拨付滞后问题", UnitsAndPeople(city.unit_b), datetime.date(2026, 3, 1)
                ),
            ],
        )
    assert not SuperiorAssignment.objects.exists()
    assert not AssignmentItem.objects.exists()
    assert not Task.objects.exists()


@time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC))
def test_assigning_from_above_keeps_the_deadlines_the_superior_set(city):
    assignment = superior(
        city, [Item("整改项目审批慢问题", UnitsAndPeople(city.unit_a), datetime.date(2026, 6, 30))]
    )
    [task] = services.superior_assignment_assign(assignment=assignment, by=city.alice)
    assert (task.state, task.deadline) == (TaskState.ASSIGNED, datetime.date(2026, 6, 30))


# ---------------------------------------------------------------------------
# Proposals


def test_a_proposal_becomes_one_task(city):
    proposal = make_proposal(city)
    task = proposal.task
    assert task.origin == TaskOrigin.PROPOSAL
    assert task.deadline_source == DeadlineSource.PROPOSAL
    assert task.title == "关于加快老旧小区改造的建议"
    assert (task.lead_unit, list(task.co_units.all())) == (city.unit_a, [city.unit_b])


def test_a_proposal_number_is_unique_per_year_and_kind(city):
    make_proposal(city)
    with pytest.raises(ValidationError) as error:
        make_proposal(city, proposer="李代表")
    assert "number" in error.value.message_dict
    assert Proposal.objects.count() == 1
    assert Task.objects.count() == 1
    make_proposal(city, kind="proposal")
    assert Proposal.objects.count() == 2


@pytest.fixture
def replied(city):
    with time_machine.travel(datetime.datetime(2026, 3, 23, 9, tzinfo=datetime.UTC)):
        proposal = make_proposal(city)
        services.proposal_assign(proposal=proposal, by=city.alice)
    with time_machine.travel(datetime.datetime(2026, 5, 6, 9, tzinfo=datetime.UTC)):
        services.proposal_reply_record(
            proposal=proposal,
            by=city.alice,
            text="已列入年度改造计划。",
            replied_on=datetime.date(2026, 5, 6),
        )
    return proposal


@time_machine.travel(datetime.datetime(2026, 3, 23, 9, tzinfo=datetime.UTC))
def test_an_assigned_proposal_is_due_three_months_after_assignment(city):
    proposal = make_proposal(city)
    [task] = services.proposal_assign(proposal=proposal, by=city.alice)
    assert task.deadline == datetime.date(2026, 6, 23)


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_dissatisfied_proposer_reopens_the_closed_task(city, replied):
    close(replied.task, city)
    services.proposal_satisfaction_record(
        proposal=replied,
        by=city.alice,
        satisfaction="dissatisfied",
        note="代表认为进度仍慢",
        deadline=datetime.date(2026, 7, 31),
    )
    task = Task.objects.get(pk=replied.task_id)
    assert task.state == TaskState.IN_PROGRESS
    assert task.deadline == datetime.date(2026, 7, 31)
    assert task.events.filter(kind=EventKind.REOPENED, note="代表认为进度仍慢").exists()
    assert ProposalReply.objects.get().satisfaction == "dissatisfied"
    # The second handling gets its own reply.
    second = services.proposal_reply_record(
        proposal=replied, by=city.alice, text="已追加资金。", replied_on=datetime.date(2026, 6, 1)
    )
    assert second.round == 2


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_dissatisfied_proposer_is_refused_while_the_task_is_open(city, replied):
    with pytest.raises(WrongState):
        services.proposal_satisfaction_record(
            proposal=replied,
            by=city.alice,
            satisfaction="dissatisfied",
            deadline=datetime.date(2026, 7, 31),
        )
    assert ProposalReply.objects.get().satisfaction == ""
    task = Task.objects.get(pk=replied.task_id)
    assert task.state == TaskState.ASSIGNED
    assert not task.events.filter(kind=EventKind.REOPENED).exists()


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
def test_satisfied_proposer_is_recorded_and_leaves_the_task_alone(city, replied):
    services.proposal_satisfaction_record(
        proposal=replied, by=city.alice, satisfaction="basically_satisfied"
    )
    assert ProposalReply.objects.get().satisfaction == "basically_satisfied"
    assert Task.objects.get(pk=replied.task_id).state == TaskState.ASSIGNED
    with pytest.raises(WrongState):
        services.proposal_reply_record(
            proposal=replied, by=city.alice, text="再次答复", replied_on=datetime.date(2026, 6, 1)
        )


def test_satisfaction_needs_a_reply_first(city):
    proposal = make_proposal(city)
    with pytest.raises(WrongState):
        services.proposal_satisfaction_record(
            proposal=proposal, by=city.alice, satisfaction="satisfied"
        )


# ---------------------------------------------------------------------------
# Links back from the task page


def test_each_task_finds_its_way_back_to_its_source(report, city, mayor_title):
    target = add_target(report, city)
    [child] = services.target_split(
        target=target,
        by=city.alice,
        parts=[Part(lead_unit=city.unit_b, deadline=datetime.date(2026, 10, 31))],
    )
    instruction = make_instruction(city)
    proposal = make_proposal(city)
    target_link = task_source(target.task)
    assert "2026年政府工作报告" in target_link.label
    assert target_link.url == f"/directives/work-reports/{report.pk}/#target-1"
    assert task_source(child) == target_link
    instruction_link = task_source(instruction.task)
    assert "市长" in instruction_link.label and "2026-03-02" in instruction_link.label
    assert instruction_link.url == f"/directives/instructions/{instruction.pk}/"
    proposal_link = task_source(proposal.task)
    assert "108" in proposal_link.label
    assert proposal_link.url == f"/directives/proposals/{proposal.pk}/"
