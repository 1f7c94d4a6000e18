"""Every write to the sources of this app. Each function is one transaction: a source row
and its tasks are saved together or not at all. Tasks are created as drafts through
taskboard's `task_create` and issued through `task_assign` with the deadline of the rule."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taskboard import services as tasks
from taskboard.attachments import check_upload
from taskboard.choices import DeadlineSource, Role, TaskOrigin, TaskState
from taskboard.models import Task, Unit, role_of
from taskboard.services import ActionNotAllowed, WrongState
from taskboard.workdays import deadlines_for

from .choices import InstructionKind, ProposalKind, Satisfaction
from .models import (
    TEXT_LIMIT,
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
    WorkReport,
)

TITLE_CHARS = 100
LEADER_ROLES = {Role.PRINCIPAL_LEADER, Role.PORTFOLIO_LEADER}


# ---------------------------------------------------------------------------
# Checks shared by every source


def _require_office(by) -> None:
    if not tasks.is_office(by):
        raise ActionNotAllowed(_("Only the supervision office registers and assigns these."))


def _text(value: str | None, field: str, *, required: bool = True, limit: int = TEXT_LIMIT):
    """The stripped text, or a ValidationError a person can act on. Services are called
    without forms too (imports, the shell), so they check what forms would."""
    # A browser sends a textarea's line breaks as \r\n; store them as \n.
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    try:
        ProhibitNullCharactersValidator()(value)
        MaxLengthValidator(limit)(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return value


def _require(value, field: str) -> None:
    if value is None:
        raise ValidationError({field: _("This field is required.")})


def _not_before(day: datetime.date | None, start: datetime.date, field: str, message: str):
    if day is not None and day < start:
        raise ValidationError({field: message})


def title_of(text: str) -> str:
    return Truncator(text.splitlines()[0] if text else "").chars(TITLE_CHARS)


def _assign_drafts(
    drafts: QuerySet[Task],
    *,
    by,
    assigned_on: datetime.date | None,
    deadline_of: Callable[[Task, datetime.date], datetime.date | None],
) -> list[Task]:
    """Issue every draft task of one source row, all or none."""
    _require_office(by)
    assigned_on = assigned_on or timezone.localdate()
    pending = list(drafts.filter(state=TaskState.DRAFT).order_by("code"))
    if not pending:
        raise WrongState(_("There is nothing left to assign here."))
    assigned = []
    for task in pending:
        try:
            assigned.append(
                tasks.task_assign(
                    task=task,
                    by=by,
                    deadline=deadline_of(task, assigned_on),
                    assigned_on=assigned_on,
                )
            )
        except ValidationError as error:
            raise ValidationError([f"{task.code}: {m}" for m in error.messages]) from None
    return assigned


@dataclass(frozen=True)
class UnitsAndPeople:
    """Who a task goes to: the lead unit, co-units, lead leader and owner."""

    lead_unit: Unit | None
    co_units: Iterable[Unit] = ()
    lead_leader: object = None
    owner: object = None


def _task_people(people: UnitsAndPeople) -> dict:
    _require(people.lead_unit, "lead_unit")
    return {
        "lead_unit": people.lead_unit,
        "co_units": list(people.co_units),
        "lead_leader": people.lead_leader,
        "owner": people.owner,
    }


def _task_sync(task: Task, *, by, changes: dict, co_units=None) -> Task:
    """Pass a source's edits on to its task; the deadline only while it is a draft."""
    if task.state != TaskState.DRAFT:
        changes.pop("deadline", None)
    return tasks.task_update(task=task, by=by, changes=changes, co_units=co_units)


# ---------------------------------------------------------------------------
# Work report targets


@transaction.atomic
def work_report_create(*, by, year: int, title: str, session_ended_on: datetime.date) -> WorkReport:
    """Register a year's work report; its targets are added one by one."""
    _require_office(by)
    title = _text(title, "title", limit=200)
    _require(session_ended_on, "session_ended_on")
    if WorkReport.objects.filter(year=year, title=title).exists():
        raise ValidationError({"title": _("This year already has a report with this title.")})
    return WorkReport.objects.create(
        year=year, title=title, session_ended_on=session_ended_on, created_by=by
    )


@transaction.atomic
def work_report_update(
    *, report: WorkReport, by, title: str, session_ended_on: datetime.date
) -> WorkReport:
    _require_office(by)
    title = _text(title, "title", limit=200)
    _require(session_ended_on, "session_ended_on")
    duplicate = WorkReport.objects.filter(year=report.year, title=title).exclude(pk=report.pk)
    if duplicate.exists():
        raise ValidationError({"title": _("This year already has a report with this title.")})
    report.title, report.session_ended_on = title, session_ended_on
    report.save(update_fields=["title", "session_ended_on"])
    return report


def decomposition_due(report: WorkReport) -> datetime.date:
    """The day by which the targets must be decomposed and issued: 1 week after the session."""
    return deadlines_for(DeadlineSource.WORK_REPORT, report.session_ended_on).issue_by


@transaction.atomic
def target_create(
    *,
    report: WorkReport,
    by,
    text: str,
    people: UnitsAndPeople,
    chapter: str = "",
    indicator: str = "",
    target_value: str = "",
    number: int | None = None,
    deadline: datetime.date | None = None,
    milestones: Iterable[tuple[datetime.date, int | None, str]] = (),
) -> Target:
    """Add a target to a report, with its draft task; due at year end unless told."""
    _require_office(by)
    text = _text(text, "text")
    chapter = _text(chapter, "chapter", required=False, limit=100)
    indicator = _text(indicator, "indicator", required=False, limit=200)
    target_value = _text(target_value, "target_value", required=False, limit=100)
    deadline = deadline or report.default_deadline
    _not_before(
        deadline,
        report.session_ended_on,
        "deadline",
        _("The deadline cannot be before the session ended."),
    )
    milestones = _checked_milestones(milestones, deadline)
    if number is None:
        last = report.targets.aggregate(last=Max("number"))["last"] or 0
        number = last + 1
    elif report.targets.filter(number=number).exists():
        raise ValidationError({"number": _("This report already has a target with this number.")})
    task = tasks.task_create(
        by=by,
        title=title_of(text),
        requirement=text,
        origin=TaskOrigin.WORK_REPORT,
        deadline_source=DeadlineSource.WORK_REPORT,
        year=report.year,
        deadline=deadline,
        milestones=milestones,
        **_task_people(people),
    )
    return Target.objects.create(
        report=report,
        number=number,
        chapter=chapter,
        text=text,
        indicator=indicator,
        target_value=target_value,
        task=task,
    )


def _checked_milestones(milestones, deadline: datetime.date | None) -> list:
    checked = []
    for index, (planned_on, percent, description) in enumerate(milestones, start=1):
        description = _text(description, "milestones", required=False, limit=500)
        if planned_on is None:
            raise ValidationError(
                {"milestones": _("Row %(row)s: a date is required.") % {"row": index}}
            )
        if percent is not None and not 0 <= percent <= 100:
            raise ValidationError(
                {"milestones": _("Row %(row)s: the percent must be 0 to 100.") % {"row": index}}
            )
        if percent is None and not description:
            raise ValidationError(
                {"milestones": _("Row %(row)s: give a percent or a description.") % {"row": index}}
            )
        if deadline is not None and planned_on > deadline:
            raise ValidationError(
                {
                    "milestones": _("Row %(row)s: a milestone cannot fall after the deadline.")
                    % {"row": index}
                }
            )
        checked.append((planned_on, percent, description))
    return checked


@transaction.atomic
def target_update(
    *,
    target: Target,
    by,
    text: str,
    people: UnitsAndPeople,
    chapter: str = "",
    indicator: str = "",
    target_value: str = "",
    deadline: datetime.date | None = None,
) -> Target:
    """Correct a target; who leads it and its wording pass on to its task."""
    _require_office(by)
    target.text = _text(text, "text")
    target.chapter = _text(chapter, "chapter", required=False, limit=100)
    target.indicator = _text(indicator, "indicator", required=False, limit=200)
    target.target_value = _text(target_value, "target_value", required=False, limit=100)
    deadline = deadline or target.report.default_deadline
    _not_before(
        deadline,
        target.report.session_ended_on,
        "deadline",
        _("The deadline cannot be before the session ended."),
    )
    target.save(update_fields=["text", "chapter", "indicator", "target_value"])
    fields = _task_people(people)
    co_units = fields.pop("co_units")
    _task_sync(
        target.task,
        by=by,
        changes={"title": title_of(target.text), "requirement": target.text, "deadline": deadline}
        | fields,
        co_units=co_units,
    )
    return target


@dataclass(frozen=True)
class Part:
    """One unit's share of a split target: a child task."""

    lead_unit: Unit | None
    deadline: datetime.date | None
    title: str = ""
    requirement: str = ""
    co_units: Iterable[Unit] = field(default_factory=tuple)


@transaction.atomic
def target_split(*, target: Target, by, parts: Iterable[Part]) -> list[Task]:
    """Split a target into child tasks, one per unit (责任分解), each with its own deadline
    no later than the target's. The children are drafts, assigned with the report."""
    _require_office(by)
    parent = Task.objects.select_for_update(of=("self",)).get(pk=target.task_id)
    if parent.state in {TaskState.CLOSED, TaskState.CANCELLED}:
        raise WrongState(_("A closed or cancelled target cannot be split."))
    parts = list(parts)
    if not parts:
        raise ValidationError(_("Give at least one part."))
    children = []
    for index, part in enumerate(parts, start=1):
        if part.lead_unit is None or part.deadline is None:
            raise ValidationError(
                _("Part %(row)s: a lead unit and a deadline are required.") % {"row": index}
            )
        if part.deadline < target.report.session_ended_on:
            raise ValidationError(
                _("Part %(row)s: the deadline cannot be before the session ended.") % {"row": index}
            )
        if parent.deadline and part.deadline > parent.deadline:
            raise ValidationError(
                _("Part %(row)s: a part cannot be due after the target (%(deadline)s).")
                % {"row": index, "deadline": parent.deadline.isoformat()}
            )
        title = _text(part.title, "title", required=False, limit=300) or parent.title
        children.append(
            tasks.task_create(
                by=by,
                title=title,
                requirement=_text(part.requirement, "requirement", required=False)
                or parent.requirement,
                origin=TaskOrigin.WORK_REPORT,
                deadline_source=DeadlineSource.WORK_REPORT,
                year=parent.year,
                lead_unit=part.lead_unit,
                co_units=part.co_units,
                lead_leader=parent.lead_leader,
                deadline=part.deadline,
                parent=parent,
            )
        )
    return children


def work_report_tasks(report: WorkReport) -> QuerySet[Task]:
    """The report's targets' tasks and their children."""
    return Task.objects.filter(
        Q(work_report_target__report=report) | Q(parent__work_report_target__report=report)
    )


@transaction.atomic
def work_report_assign(
    *, report: WorkReport, by, assigned_on: datetime.date | None = None
) -> list[Task]:
    """Issue every draft target (and split part) of the report, each with its deadline."""
    return _assign_drafts(
        work_report_tasks(report),
        by=by,
        assigned_on=assigned_on,
        deadline_of=lambda task, _day: task.deadline,
    )


# ---------------------------------------------------------------------------
# Leader instructions


def instruction_deadline_source(leader) -> str:
    if role_of(leader) == Role.PRINCIPAL_LEADER:
        return DeadlineSource.PRINCIPAL_INSTRUCTION
    return DeadlineSource.PORTFOLIO_INSTRUCTION


def _check_leader(leader) -> None:
    _require(leader, "leader")
    if role_of(leader) not in LEADER_ROLES:
        raise ValidationError({"leader": _("Choose a principal or portfolio leader.")})


def _check_attachment(attachment) -> None:
    if attachment:
        try:
            check_upload(attachment)
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from None


@transaction.atomic
def instruction_create(
    *,
    by,
    leader,
    issued_on: datetime.date,
    kind: str,
    text: str,
    people: UnitsAndPeople,
    reference: str = "",
    attachment=None,
) -> Instruction:
    """Register a leader's instruction and its draft task: the notice is due within the
    rule's issuance period, feedback within its feedback period after assignment."""
    _require_office(by)
    _check_leader(leader)
    _require(issued_on, "issued_on")
    if kind not in InstructionKind.values:
        raise ValidationError({"kind": _("Choose what the instruction was given on.")})
    text = _text(text, "text")
    reference = _text(reference, "reference", required=False, limit=200)
    _check_attachment(attachment)
    source = instruction_deadline_source(leader)
    task = tasks.task_create(
        by=by,
        title=title_of(text),
        requirement=text,
        origin=TaskOrigin.INSTRUCTION,
        deadline_source=source,
        year=issued_on.year,
        deadline=deadlines_for(source, issued_on).feedback_by,
        **(_task_people(people) | {"lead_leader": leader}),
    )
    instruction = Instruction(
        leader=leader,
        issued_on=issued_on,
        kind=kind,
        reference=reference,
        text=text,
        task=task,
        created_by=by,
    )
    if attachment:
        instruction.attachment_name = os.path.basename(attachment.name)[:200]
        instruction.attachment = attachment
    instruction.save()
    return instruction


@transaction.atomic
def instruction_update(
    *,
    instruction: Instruction,
    by,
    leader,
    issued_on: datetime.date,
    kind: str,
    text: str,
    people: UnitsAndPeople,
    reference: str = "",
    attachment=None,
) -> Instruction:
    """Correct an instruction; a new attachment replaces the old one."""
    _require_office(by)
    _check_leader(leader)
    _require(issued_on, "issued_on")
    if kind not in InstructionKind.values:
        raise ValidationError({"kind": _("Choose what the instruction was given on.")})
    instruction.text = _text(text, "text")
    instruction.reference = _text(reference, "reference", required=False, limit=200)
    _check_attachment(attachment)
    instruction.leader, instruction.issued_on, instruction.kind = leader, issued_on, kind
    if attachment:
        instruction.attachment_name = os.path.basename(attachment.name)[:200]
        instruction.attachment = attachment
    instruction.save()
    source = instruction_deadline_source(leader)
    fields = _task_people(people) | {"lead_leader": leader}
    co_units = fields.pop("co_units")
    _task_sync(
        instruction.task,
        by=by,
        changes={
            "title": title_of(instruction.text),
            "requirement": instruction.text,
            "deadline_source": source,
            "deadline": deadlines_for(source, issued_on).feedback_by,
        }
        | fields,
        co_units=co_units,
    )
    return instruction


def instruction_issue_by(instruction: Instruction) -> datetime.date:
    """The day by which the instruction's assignment notice must go out."""
    return deadlines_for(instruction.task.deadline_source, instruction.issued_on).issue_by


def proposal_issue_by(proposal: Proposal) -> datetime.date:
    return deadlines_for(DeadlineSource.PROPOSAL, proposal.received_on).issue_by


@transaction.atomic
def instruction_assign(
    *, instruction: Instruction, by, assigned_on: datetime.date | None = None
) -> list[Task]:
    """Issue the instruction's task; feedback is due within the rule's period from today."""
    return _assign_drafts(
        Task.objects.filter(Q(instruction=instruction) | Q(parent__instruction=instruction)),
        by=by,
        assigned_on=assigned_on,
        deadline_of=lambda task, day: (
            deadlines_for(task.deadline_source, instruction.issued_on, day).feedback_by
        ),
    )


# ---------------------------------------------------------------------------
# Assignments from above


@dataclass(frozen=True)
class Item:
    """One line of an assignment from above, as typed in or read from the ledger. Without a
    number it is numbered after the assignment's last item; without a title the task's
    title is the first line of the text."""

    text: str
    people: UnitsAndPeople
    deadline: datetime.date | None
    number: int | None = None
    title: str = ""


ITEM_FIELD_LABELS = {
    "text": gettext_lazy("Item"),
    "title": gettext_lazy("Title"),
    "lead_unit": gettext_lazy("Lead unit"),
    "deadline": gettext_lazy("Deadline"),
    "number": gettext_lazy("Number"),
}


def _checked_item(
    assignment: SuperiorAssignment,
    *,
    text: str,
    title: str,
    deadline,
    people: UnitsAndPeople,
    check_deadline: bool = True,
) -> tuple[str, str, dict]:
    """The item's text, its task's title and people, or the field errors a person can fix."""
    errors: dict[str, list[str]] = {}
    try:
        text = _text(text, "text")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        title = _text(title, "title", required=False, limit=300)
    except ValidationError as error:
        errors.update(error.message_dict)
    if people.lead_unit is None:
        errors["lead_unit"] = [_("This field is required.")]
    if not check_deadline:
        pass  # an assigned task's deadline moves only by an approved extension
    elif deadline is None:
        errors["deadline"] = [_("This field is required.")]
    elif deadline < assignment.received_on:
        errors["deadline"] = [
            _("The deadline cannot be before the date received (%(date)s).")
            % {"date": assignment.received_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    return text, title or title_of(text), _task_people(people)


@transaction.atomic
def assignment_item_create(
    *,
    assignment: SuperiorAssignment,
    by,
    text: str,
    people: UnitsAndPeople,
    deadline: datetime.date | None,
    number: int | None = None,
    title: str = "",
) -> AssignmentItem:
    """Add an item to an assignment from above, with its draft task due when the superior
    said. The one place items are numbered: the next after the last unless told."""
    _require_office(by)
    # Lock the assignment so two additions at once cannot take the same number.
    assignment = SuperiorAssignment.objects.select_for_update().get(pk=assignment.pk)
    text, title, people_fields = _checked_item(
        assignment, text=text, title=title, deadline=deadline, people=people
    )
    if number is None:
        number = (assignment.items.aggregate(last=Max("number"))["last"] or 0) + 1
    elif number < 1:
        raise ValidationError({"number": _("The number must be 1 or more.")})
    elif assignment.items.filter(number=number).exists():
        raise ValidationError(
            {"number": _("This assignment already has an item with this number.")}
        )
    task = tasks.task_create(
        by=by,
        title=title,
        requirement=text,
        origin=TaskOrigin.SUPERIOR,
        deadline_source=DeadlineSource.SUPERIOR,
        year=assignment.received_on.year,
        deadline=deadline,
        **people_fields,
    )
    return AssignmentItem.objects.create(assignment=assignment, number=number, text=text, task=task)


@transaction.atomic
def assignment_item_update(
    *,
    item: AssignmentItem,
    by,
    text: str,
    people: UnitsAndPeople,
    deadline: datetime.date | None,
    title: str = "",
) -> AssignmentItem:
    """Correct an item; its wording and who handles it pass on to its task, and the deadline
    too while the task is a draft (once assigned, only an extension moves it)."""
    _require_office(by)
    task = item.task
    draft = task.state == TaskState.DRAFT
    text, title, fields = _checked_item(
        item.assignment,
        text=text,
        title=title,
        deadline=deadline,
        people=people,
        check_deadline=draft,
    )
    item.text = text
    item.save(update_fields=["text"])
    co_units = fields.pop("co_units")
    item.task = _task_sync(
        task,
        by=by,
        changes={"title": title, "requirement": text}
        | ({"deadline": deadline} if draft else {})
        | fields,
        co_units=co_units,
    )
    return item


@transaction.atomic
def superior_assignment_create(
    *,
    by,
    issuing_body: str,
    title: str,
    received_on: datetime.date,
    items: Iterable[Item],
    reference: str = "",
) -> SuperiorAssignment:
    """Register an assignment from above with one draft task per item."""
    _require_office(by)
    issuing_body = _text(issuing_body, "issuing_body", limit=100)
    title = _text(title, "title", limit=200)
    reference = _text(reference, "reference", required=False, limit=100)
    _require(received_on, "received_on")
    items = list(items)
    if not items:
        raise ValidationError(_("Give at least one item."))
    assignment = SuperiorAssignment.objects.create(
        issuing_body=issuing_body,
        title=title,
        reference=reference,
        received_on=received_on,
        created_by=by,
    )
    for row, item in enumerate(items, start=1):
        try:
            assignment_item_create(
                assignment=assignment,
                by=by,
                text=item.text,
                people=item.people,
                deadline=item.deadline,
                number=item.number,
                title=item.title,
            )
        except ValidationError as error:
            # The form shows the items as rows: say which row and field are wrong.
            raise ValidationError(
                [
                    _("Item %(row)s, %(field)s: %(message)s")
                    % {"row": row, "field": ITEM_FIELD_LABELS.get(field, field), "message": m}
                    for field, messages in error.message_dict.items()
                    for m in messages
                ]
            ) from None
    return assignment


@transaction.atomic
def superior_assignment_update(
    *,
    assignment: SuperiorAssignment,
    by,
    issuing_body: str,
    title: str,
    received_on: datetime.date,
    reference: str = "",
) -> SuperiorAssignment:
    """Correct the heading of an assignment from above; its items are edited as tasks."""
    _require_office(by)
    assignment.issuing_body = _text(issuing_body, "issuing_body", limit=100)
    assignment.title = _text(title, "title", limit=200)
    assignment.reference = _text(reference, "reference", required=False, limit=100)
    _require(received_on, "received_on")
    assignment.received_on = received_on
    assignment.save()
    return assignment


@transaction.atomic
def superior_assignment_assign(
    *, assignment: SuperiorAssignment, by, assigned_on: datetime.date | None = None
) -> list[Task]:
    """Issue every draft item of the assignment with the deadline the superior set."""
    return _assign_drafts(
        Task.objects.filter(
            Q(assignment_item__assignment=assignment)
            | Q(parent__assignment_item__assignment=assignment)
        ),
        by=by,
        assigned_on=assigned_on,
        deadline_of=lambda task, _day: task.deadline,
    )


# ---------------------------------------------------------------------------
# Deputies' suggestions and members' proposals


def _check_proposal(kind, year, number, exclude=None) -> None:
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": _("Choose suggestion or proposal.")})
    _require(year, "year")
    _require(number, "number")
    duplicate = Proposal.objects.filter(kind=kind, year=year, number=number)
    if exclude is not None:
        duplicate = duplicate.exclude(pk=exclude.pk)
    if duplicate.exists():
        raise ValidationError(
            {"number": _("This number is already registered for this year and kind.")}
        )


@transaction.atomic
def proposal_create(
    *,
    by,
    kind: str,
    year: int,
    number: int,
    proposer: str,
    title: str,
    received_on: datetime.date,
    people: UnitsAndPeople,
    text: str = "",
    category: str = "",
) -> Proposal:
    """Register a suggestion or proposal handed over for handling, with its draft task."""
    _require_office(by)
    _check_proposal(kind, year, number)
    proposer = _text(proposer, "proposer", limit=200)
    title = _text(title, "title", limit=300)
    text = _text(text, "text", required=False)
    category = _text(category, "category", required=False, limit=100)
    _require(received_on, "received_on")
    task = tasks.task_create(
        by=by,
        title=title,
        requirement=text,
        origin=TaskOrigin.PROPOSAL,
        deadline_source=DeadlineSource.PROPOSAL,
        year=year,
        deadline=deadlines_for(DeadlineSource.PROPOSAL, received_on).feedback_by,
        **_task_people(people),
    )
    try:
        with transaction.atomic():
            return Proposal.objects.create(
                kind=kind,
                year=year,
                number=number,
                proposer=proposer,
                category=category,
                title=title,
                text=text,
                received_on=received_on,
                task=task,
                created_by=by,
            )
    except IntegrityError:
        # Registered by someone else between the check and the insert.
        raise ValidationError(
            {"number": _("This number is already registered for this year and kind.")}
        ) from None


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    by,
    kind: str,
    year: int,
    number: int,
    proposer: str,
    title: str,
    received_on: datetime.date,
    people: UnitsAndPeople,
    text: str = "",
    category: str = "",
) -> Proposal:
    _require_office(by)
    _check_proposal(kind, year, number, exclude=proposal)
    proposal.kind, proposal.year, proposal.number = kind, year, number
    proposal.proposer = _text(proposer, "proposer", limit=200)
    proposal.title = _text(title, "title", limit=300)
    proposal.text = _text(text, "text", required=False)
    proposal.category = _text(category, "category", required=False, limit=100)
    _require(received_on, "received_on")
    proposal.received_on = received_on
    proposal.save()
    fields = _task_people(people)
    co_units = fields.pop("co_units")
    _task_sync(
        proposal.task,
        by=by,
        changes={
            "title": proposal.title,
            "requirement": proposal.text,
            "deadline": deadlines_for(DeadlineSource.PROPOSAL, received_on).feedback_by,
        }
        | fields,
        co_units=co_units,
    )
    return proposal


@transaction.atomic
def proposal_assign(
    *, proposal: Proposal, by, assigned_on: datetime.date | None = None
) -> list[Task]:
    """Issue the proposal's task; the reply is due within the rule's period from today."""
    return _assign_drafts(
        Task.objects.filter(Q(proposal=proposal) | Q(parent__proposal=proposal)),
        by=by,
        assigned_on=assigned_on,
        deadline_of=lambda task, day: (
            deadlines_for(DeadlineSource.PROPOSAL, proposal.received_on, day).feedback_by
        ),
    )


@transaction.atomic
def proposal_reply_record(
    *, proposal: Proposal, by, text: str, replied_on: datetime.date
) -> ProposalReply:
    """Record the reply sent to the proposer; a second handling gets a second reply."""
    _require_office(by)
    text = _text(text, "text")
    _require(replied_on, "replied_on")
    task = Task.objects.get(pk=proposal.task_id)
    if task.state in {TaskState.DRAFT, TaskState.CANCELLED}:
        raise WrongState(_("A reply can be recorded only once the proposal has been assigned."))
    if task.assigned_on and replied_on < task.assigned_on:
        raise ValidationError({"replied_on": _("The reply cannot be before the assignment.")})
    if replied_on > timezone.localdate():
        raise ValidationError({"replied_on": _("The reply cannot be dated in the future.")})
    last = proposal.replies.select_for_update().order_by("-round").first()
    if last is not None and last.satisfaction != Satisfaction.DISSATISFIED:
        if not last.satisfaction:
            raise WrongState(_("The last reply is still waiting for the proposer's satisfaction."))
        raise WrongState(_("The proposer is already satisfied with the reply."))
    return ProposalReply.objects.create(
        proposal=proposal,
        round=(last.round + 1) if last else 1,
        text=text,
        replied_on=replied_on,
        recorded_by=by,
    )


@transaction.atomic
def proposal_satisfaction_record(
    *,
    proposal: Proposal,
    by,
    satisfaction: str,
    note: str = "",
    deadline: datetime.date | None = None,
) -> ProposalReply:
    """Record what the proposer thinks of the last reply. Not satisfied (不满意) sends the
    closed task back for a second handling with a new deadline."""
    _require_office(by)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("This field is required.")})
    note = _text(note, "note", required=False, limit=5_000)
    reply = proposal.replies.select_for_update().order_by("-round").first()
    if reply is None:
        raise WrongState(_("Record the reply before the proposer's satisfaction."))
    if reply.satisfaction:
        raise WrongState(_("The satisfaction with the last reply is already recorded."))
    reply.satisfaction = satisfaction
    reply.satisfaction_note = note
    reply.satisfaction_recorded_at = timezone.now()
    reply.save(update_fields=["satisfaction", "satisfaction_note", "satisfaction_recorded_at"])
    if satisfaction == Satisfaction.DISSATISFIED:
        task = Task.objects.get(pk=proposal.task_id)
        if task.state != TaskState.CLOSED:
            raise WrongState(
                _(
                    "Not satisfied sends the task back for a second handling, which is "
                    "possible only once the task is closed. It is now “%(state)s”: close it "
                    "first, then record the proposer's satisfaction."
                )
                % {"state": task.get_state_display()}
            )
        _require(deadline, "deadline")
        tasks.task_reopen(
            task=task,
            by=by,
            reason=note or _("The proposer is not satisfied with the reply."),
            deadline=deadline,
        )
    return reply
