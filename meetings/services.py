"""Every write to meetings and their decisions. Decisions become tasks through the task
services of `taskboard`, so the task's own rules (who may, numbering, events) still hold."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from taskboard.choices import OFFICE_ROLES, Role, TaskOrigin, TaskState
from taskboard.models import Unit, role_of
from taskboard.services import (
    ActionNotAllowed,
    TaskActionError,
    is_office,
    next_in_sequence,
    task_assign,
    task_create,
    task_update,
)

from .minutes import decision_title
from .models import DECISION_TEXT_LIMIT, MINUTES_LIMIT, Decision, Meeting

# ---------------------------------------------------------------------------
# Who may act

MEETING_VIEWER_ROLES = {
    *OFFICE_ROLES,
    Role.ADMINISTRATOR,
    Role.PRINCIPAL_LEADER,
    Role.PORTFOLIO_LEADER,
}


def may_view_meetings(user) -> bool:
    """The office and the leaders read meetings; units see their tasks, not the meetings."""
    return role_of(user) in MEETING_VIEWER_ROLES


def may_edit_meetings(user) -> bool:
    return is_office(user)


def may_read_minutes(user) -> bool:
    """Whole minutes name every unit's decisions: for those who see every task."""
    return is_office(user) or role_of(user) == Role.PRINCIPAL_LEADER


def _require_office(user) -> None:
    if not may_edit_meetings(user):
        raise ActionNotAllowed(_("Only the supervision office registers meetings."))


def _check_text(value: str, field_name: str, limit: int, required: bool = False) -> None:
    if required and not value.strip():
        raise ValidationError({field_name: _("This field is required.")})
    if "\x00" in value:
        raise ValidationError({field_name: _("Text may not contain null characters.")})
    if len(value) > limit:
        raise ValidationError({field_name: _("At most %(limit)s characters.") % {"limit": limit}})


# ---------------------------------------------------------------------------
# Meetings


def _free_number(*, kind: str, year: int) -> int:
    # Numbers typed by hand may run ahead of the sequence; skip the ones taken.
    while True:
        number = next_in_sequence(series=f"meeting-{kind}", year=year)
        if not Meeting.objects.filter(kind=kind, year=year, number=number).exists():
            return number


def _save_meeting(meeting: Meeting, attending_units: Iterable[Unit] | None) -> Meeting:
    _check_text(meeting.minutes, "minutes", MINUTES_LIMIT)
    _check_text(meeting.subject, "subject", 200)
    meeting.year = meeting.date.year
    taken = Meeting.objects.filter(
        kind=meeting.kind, year=meeting.date.year, number=meeting.number
    ).exclude(pk=meeting.pk)
    if taken.exists():
        raise ValidationError(
            {"number": _("This number is already taken by another meeting of that kind and year.")}
        )
    meeting.full_clean(
        exclude=["attending_units"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        # Someone took the number between the check and the save.
        raise ValidationError(
            {"number": _("This number is already taken by another meeting of that kind and year.")}
        ) from None
    if attending_units is not None:
        meeting.attending_units.set(attending_units)
    return meeting


@transaction.atomic
def meeting_create(
    *,
    by,
    kind: str,
    date: datetime.date,
    number: int | None = None,
    subject: str = "",
    chair=None,
    attending_units: Iterable[Unit] = (),
    minutes: str = "",
) -> Meeting:
    """Register a meeting; left blank, its number is the next of its kind and year."""
    _require_office(by)
    meeting = Meeting(
        kind=kind,
        date=date,
        number=number or _free_number(kind=kind, year=date.year),
        subject=subject,
        chair=chair,
        minutes=minutes,
        created_by=by,
    )
    return _save_meeting(meeting, attending_units)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    kind: str,
    date: datetime.date,
    number: int | None = None,
    subject: str = "",
    chair=None,
    attending_units: Iterable[Unit] | None = None,
    minutes: str = "",
) -> Meeting:
    """Correct a meeting's details. Once it has decisions, its kind (and with it the
    deadline rule its tasks follow) stays; its date may not pass its decisions' deadlines."""
    _require_office(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    decisions = Decision.objects.filter(meeting=meeting)
    if kind != meeting.kind and decisions.exists():
        raise ValidationError({"kind": _("The kind cannot change once the meeting has decisions.")})
    earliest = decisions.aggregate(first=Min("task__deadline"))["first"]
    if earliest is not None and date > earliest:
        raise ValidationError(
            {
                "date": _("The date cannot be after a deadline of its decisions (%(date)s).")
                % {"date": earliest.isoformat()}
            }
        )
    renumber = number is None and (kind != meeting.kind or date.year != meeting.year)
    meeting.kind, meeting.date, meeting.subject = kind, date, subject
    meeting.chair, meeting.minutes = chair, minutes
    if number:
        meeting.number = number
    elif renumber:
        meeting.number = _free_number(kind=kind, year=date.year)
    return _save_meeting(meeting, attending_units)


# ---------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True)
class DecisionDraft:
    """A decision as the office reviewed it, before it is saved with its task."""

    text: str
    lead_unit: Unit
    deadline: datetime.date
    co_units: Sequence[Unit] = field(default_factory=tuple)
    lead_leader: object = None


def _check_draft(meeting: Meeting, draft: DecisionDraft) -> None:
    _check_text(draft.text, "text", DECISION_TEXT_LIMIT, required=True)
    if draft.lead_unit is None:
        raise ValidationError({"lead_unit": _("This field is required.")})
    if draft.deadline is None:
        raise ValidationError({"deadline": _("This field is required.")})
    if draft.deadline < meeting.date:
        raise ValidationError(
            {
                "deadline": _("The deadline cannot be before the meeting (%(date)s).")
                % {"date": meeting.date.isoformat()}
            }
        )


def _in_item(number: int, error: ValidationError) -> ValidationError:
    return ValidationError(
        [
            _("Item %(number)s: %(error)s") % {"number": number, "error": message}
            for message in error.messages
        ]
    )


@transaction.atomic
def decisions_create(
    *,
    meeting: Meeting,
    by,
    drafts: Sequence[DecisionDraft],
    minutes: str | None = None,
) -> list[Decision]:
    """Save reviewed decisions, each with its draft task, all or none. Numbers continue
    after the meeting's last decision. With `minutes`, the meeting keeps them too."""
    _require_office(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not drafts:
        raise ValidationError(_("There are no decisions to save."))
    last = meeting.decisions.aggregate(last=Max("number"))["last"] or 0
    decisions = []
    for number, draft in enumerate(drafts, start=last + 1):
        try:
            _check_draft(meeting, draft)
            task = task_create(
                by=by,
                title=decision_title(draft.text),
                requirement=draft.text.strip(),
                origin=TaskOrigin.MEETING,
                deadline_source=meeting.deadline_source,
                lead_unit=draft.lead_unit,
                co_units=draft.co_units,
                lead_leader=draft.lead_leader,
                deadline=draft.deadline,
                feedback_cadence=meeting.feedback_cadence,
            )
        except ValidationError as error:
            raise _in_item(number, error) from None
        decisions.append(
            Decision.objects.create(
                meeting=meeting, number=number, text=draft.text.strip(), task=task
            )
        )
    if minutes is not None and minutes != meeting.minutes:
        _check_text(minutes, "minutes", MINUTES_LIMIT)
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes"])
    return decisions


@transaction.atomic
def decision_update(*, decision: Decision, by, draft: DecisionDraft) -> Decision:
    """Change a decision and its task before it is assigned."""
    _require_office(by)
    decision = (
        Decision.objects.select_for_update().select_related("meeting", "task").get(pk=decision.pk)
    )
    if decision.task.state != TaskState.DRAFT:
        raise TaskActionError(_("This decision has been assigned; change its task instead."))
    _check_draft(decision.meeting, draft)
    text = draft.text.strip()
    task_update(
        task=decision.task,
        by=by,
        changes={
            "title": decision_title(text),
            "requirement": text,
            "lead_unit": draft.lead_unit,
            "lead_leader": draft.lead_leader,
            "deadline": draft.deadline,
        },
        co_units=draft.co_units,
    )
    if decision.text != text:
        decision.text = text
        decision.save(update_fields=["text"])
    return decision


@transaction.atomic
def decisions_assign(
    *, meeting: Meeting, by, assigned_on: datetime.date | None = None
) -> list[Decision]:
    """Assign every draft decision of the meeting at once (交办), or none: the first
    refusal undoes the rest and says which item it was."""
    _require_office(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    assigned_on = assigned_on or timezone.localdate()
    drafts = list(
        meeting.decisions.filter(task__state=TaskState.DRAFT)
        .select_related("task")
        .order_by("number")
    )
    if not drafts:
        raise TaskActionError(_("This meeting has no draft decisions to assign."))
    for decision in drafts:
        try:
            task_assign(task=decision.task, by=by, assigned_on=assigned_on)
        except ValidationError as error:
            raise _in_item(decision.number, error) from None
        except TaskActionError as error:
            raise TaskActionError(
                _("Item %(number)s: %(error)s")
                % {"number": decision.number, "error": error.message}
            ) from None
    return drafts
