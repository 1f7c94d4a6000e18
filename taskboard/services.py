"""Every write to a task. Each lifecycle transition is one function here; nothing else
assigns `Task.state`. Each checks who may act, refuses from a wrong state, takes the row
lock, checks the version the person saw, writes a TaskEvent and bumps the version."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, transaction
from django.db.models import Case, Exists, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import hooks, tallies, workdays
from .attachments import MAX_ATTACHMENTS, check_upload
from .choices import (
    OFFICE_ROLES,
    OPEN_STATES,
    UNIT_ROLES,
    DueState,
    EventKind,
    ExtensionStatus,
    Role,
    TaskState,
)
from .models import (
    Attachment,
    BehindSchedule,
    CoordinationRequest,
    CoUnitPart,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
    YearSequence,
    role_of,
)
from .notifications import notify_event

# ---------------------------------------------------------------------------
# Errors a person sees


class TaskActionError(Exception):
    """An action was refused; `message` says why, for the person who tried."""

    code = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActionNotAllowed(TaskActionError):
    code = "not_allowed"


class WrongState(TaskActionError):
    code = "wrong_state"


class TaskChanged(TaskActionError):
    """Someone else changed the task after this person loaded it."""

    code = "stale"

    def __init__(self, task: Task):
        super().__init__(
            _(
                "This task was changed by someone else in the meantime. It is now "
                "“%(state)s” (version %(version)s). Check the new state and try again."
            )
            % {"state": task.get_state_display(), "version": task.version}
        )
        self.task = task


# ---------------------------------------------------------------------------
# Who may act


def is_office(user) -> bool:
    return role_of(user) in {*OFFICE_ROLES, Role.ADMINISTRATOR}


def is_lead_unit_staff(user, task: Task) -> bool:
    return role_of(user) in UNIT_ROLES and user.profile.unit_id == task.lead_unit_id


def is_co_unit_staff(user, task: Task) -> bool:
    return (
        role_of(user) in UNIT_ROLES
        and user.profile.unit_id != task.lead_unit_id
        and task.co_units.filter(pk=user.profile.unit_id).exists()
    )


def is_leader_over(user, task: Task) -> bool:
    role = role_of(user)
    if role in {Role.PRINCIPAL_LEADER, Role.ADMINISTRATOR}:
        return True
    if role == Role.PORTFOLIO_LEADER:
        return (
            task.lead_leader_id == user.pk
            or user.profile.portfolio.filter(pk=task.lead_unit_id).exists()
        )
    return False


def may_suspend_or_cancel(user, task: Task) -> bool:
    return is_leader_over(user, task) or role_of(user) == Role.OFFICE_DIRECTOR


def may_decide_extension(user, task: Task) -> bool:
    rule = task.deadline_rule
    if rule is not None and rule.extension_decided_by_portfolio_leader:
        return is_leader_over(user, task)
    return is_office(user) or is_leader_over(user, task)


# ---------------------------------------------------------------------------
# The transition table


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    event: str
    allowed: Callable[[object, Task], bool]


_WORKING = frozenset({TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.RETURNED})
_RUNNING = frozenset({TaskState.ASSIGNED, *_WORKING})

TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(
        frozenset({TaskState.DRAFT}),
        TaskState.ASSIGNED,
        EventKind.ASSIGNED,
        lambda user, task: is_office(user),
    ),
    "acknowledge": Transition(
        frozenset({TaskState.ASSIGNED}),
        TaskState.ACKNOWLEDGED,
        EventKind.ACKNOWLEDGED,
        is_lead_unit_staff,
    ),
    "report_progress": Transition(
        _WORKING, TaskState.IN_PROGRESS, EventKind.PROGRESS_REPORTED, is_lead_unit_staff
    ),
    "request_extension": Transition(
        _RUNNING, None, EventKind.EXTENSION_REQUESTED, is_lead_unit_staff
    ),
    # A pending extension can still be decided after the unit has asked for closure.
    "decide_extension": Transition(
        _RUNNING | {TaskState.CLOSURE_REQUESTED},
        None,
        EventKind.EXTENSION_APPROVED,
        may_decide_extension,
    ),
    "submit_part": Transition(_RUNNING, None, EventKind.PART_SUBMITTED, is_co_unit_staff),
    "request_coordination": Transition(
        _RUNNING, None, EventKind.COORDINATION_REQUESTED, is_lead_unit_staff
    ),
    "answer_coordination": Transition(
        _RUNNING | {TaskState.CLOSURE_REQUESTED, TaskState.SUSPENDED},
        None,
        EventKind.COORDINATION_ANSWERED,
        is_leader_over,
    ),
    "edit": Transition(
        frozenset({TaskState.DRAFT, TaskState.SUSPENDED, *OPEN_STATES}),
        None,
        EventKind.EDITED,
        lambda user, task: is_office(user),
    ),
    # A closed task handled again: a proposer not satisfied with the reply (不满意), or a
    # closure found wanting on later verification.
    "reopen": Transition(
        frozenset({TaskState.CLOSED}),
        TaskState.IN_PROGRESS,
        EventKind.REOPENED,
        lambda user, task: is_office(user),
    ),
    "request_closure": Transition(
        _WORKING, TaskState.CLOSURE_REQUESTED, EventKind.CLOSURE_REQUESTED, is_lead_unit_staff
    ),
    "close": Transition(
        frozenset({TaskState.CLOSURE_REQUESTED}),
        TaskState.CLOSED,
        EventKind.CLOSED,
        lambda user, task: is_office(user),
    ),
    "return": Transition(
        frozenset({TaskState.CLOSURE_REQUESTED}),
        TaskState.RETURNED,
        EventKind.RETURNED,
        lambda user, task: is_office(user),
    ),
    "suspend": Transition(
        frozenset(OPEN_STATES), TaskState.SUSPENDED, EventKind.SUSPENDED, may_suspend_or_cancel
    ),
    "resume": Transition(
        frozenset({TaskState.SUSPENDED}), None, EventKind.RESUMED, may_suspend_or_cancel
    ),
    "cancel": Transition(
        frozenset({TaskState.DRAFT, TaskState.SUSPENDED, *OPEN_STATES}),
        TaskState.CANCELLED,
        EventKind.CANCELLED,
        may_suspend_or_cancel,
    ),
}


def allowed_actions(*, task: Task, user) -> list[str]:
    """The transitions this person may take on this task now."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if task.state in transition.sources and transition.allowed(user, task)
    ]


def check_allowed(*, task: Task, user, action: str) -> None:
    """Raise ActionNotAllowed or WrongState if this person may not take this action now."""
    transition = TRANSITIONS[action]
    if not transition.allowed(user, task):
        raise ActionNotAllowed(_("You may not do this on this task."))
    if task.state not in transition.sources:
        raise WrongState(
            _("This cannot be done while the task is “%(state)s”.")
            % {"state": task.get_state_display()}
        )


def _begin(task: Task, by, action: str, expected_version: int | None) -> Task:
    """Lock the row, then check person, version and state, in that order of reporting."""
    # of=("self",): lock the task only, not its lead unit's row (which every task of the
    # unit, and any edit of the unit, would otherwise queue behind).
    fresh = Task.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=task.pk)
    if not TRANSITIONS[action].allowed(by, fresh):
        raise ActionNotAllowed(_("You may not do this on this task."))
    if expected_version is not None and fresh.version != expected_version:
        raise TaskChanged(fresh)
    check_allowed(task=fresh, user=by, action=action)
    # The keys the task counts under before the change, read under the row lock.
    fresh._tallies_before = tallies.snapshot([fresh.pk])
    return fresh


def _finish(
    task: Task,
    by,
    action: str,
    *,
    to_state: str | None = None,
    event: str | None = None,
    note: str = "",
    payload: dict | None = None,
    fields: Iterable[str] = (),
    at: datetime.datetime | None = None,
    files: Iterable = (),
    report: ProgressReport | None = None,
    part: CoUnitPart | None = None,
) -> Task:
    """Save the change, bump the version, write the event (with any files) and tell people."""
    transition = TRANSITIONS[action]
    from_state = task.state
    target = to_state or transition.target
    if target is not None:
        task.state = target
    task.version += 1
    task.save(update_fields=["state", "version", "updated_at", *fields])
    recorded = TaskEvent.objects.create(
        task=task,
        kind=event or transition.event,
        actor=by,
        at=at or timezone.now(),
        from_state=from_state,
        to_state=task.state,
        note=note,
        payload=payload or {},
    )
    for upload in files:
        Attachment.objects.create(
            task=task,
            report=report,
            part=part,
            event=recorded,
            file=upload,
            original_name=os.path.basename(upload.name)[:200],
            size=upload.size,
            uploaded_by=by,
            uploaded_at=recorded.at,
        )
    notify_event(recorded)
    hooks.event_recorded(recorded)
    tallies.record_change(before=task._tallies_before, task_ids=[task.pk])
    due_states_refresh(as_of=timezone.localdate(), tasks=Task.objects.filter(pk=task.pk))
    task.refresh_from_db(fields=["due_state"])
    return task


# ---------------------------------------------------------------------------
# Creating tasks


def next_in_sequence(*, series: str, year: int) -> int:
    """The next number of a yearly series, without gaps, safe under concurrency."""
    with transaction.atomic():
        YearSequence.objects.get_or_create(series=series, year=year)
        sequence = YearSequence.objects.select_for_update().get(series=series, year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return sequence.last


def _check_text(value: str, field: str, max_length: int | None = None) -> None:
    # Rows are written without full_clean, and a model TextField's max_length is not
    # validated even by full_clean; PostgreSQL refuses NUL outright (a 500, not a message).
    if "\x00" in value:
        raise ValidationError({field: _("Text may not contain null characters.")})
    if max_length is not None:
        try:
            MaxLengthValidator(max_length)(value)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None


def _require_text(value: str, field: str, label: str, max_length: int | None = None) -> None:
    if not value or not value.strip():
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    _check_text(value, field, max_length)


def _max_length(model, field: str) -> int | None:
    return model._meta.get_field(field).max_length


@transaction.atomic
def task_create(
    *,
    by,
    title: str,
    lead_unit: Unit,
    origin: str,
    year: int | None = None,
    requirement: str = "",
    deadline_source: str = "",
    lead_leader=None,
    owner=None,
    co_units: Iterable[Unit] = (),
    deadline: datetime.date | None = None,
    feedback_cadence: str | None = None,
    publicly_listed: bool = False,
    parent: Task | None = None,
    milestones: Iterable[tuple[datetime.date, int | None, str]] = (),
) -> Task:
    """Register a draft task (登记). Office staff only; the code is numbered per year."""
    if not is_office(by):
        raise ActionNotAllowed(_("Only the supervision office registers tasks."))
    _require_text(title, "title", _("Title"))
    _check_text(requirement, "requirement", _max_length(Task, "requirement"))
    year = year or timezone.localdate().year
    number = next_in_sequence(series="task", year=year)
    task = Task(
        year=year,
        code=f"{year}-{number:04d}",
        title=title.strip(),
        requirement=requirement,
        origin=origin,
        deadline_source=deadline_source,
        lead_leader=lead_leader,
        lead_unit=lead_unit,
        owner=owner,
        deadline=deadline,
        publicly_listed=publicly_listed,
        parent=parent,
        created_by=by,
    )
    if feedback_cadence:
        task.feedback_cadence = feedback_cadence
    task.full_clean(exclude=["co_units"])
    task.save()
    co_units = [unit for unit in co_units if unit.pk != lead_unit.pk]
    task.co_units.set(co_units)
    for planned_on, percent, description in milestones:
        Milestone.objects.create(
            task=task, planned_on=planned_on, percent=percent, description=description
        )
    created = TaskEvent.objects.create(
        task=task,
        kind=EventKind.CREATED,
        actor=by,
        at=timezone.now(),
        from_state=TaskState.DRAFT,
        to_state=TaskState.DRAFT,
    )
    hooks.event_recorded(created)
    tallies.record_change(before=Counter(), task_ids=[task.pk])
    return task


# ---------------------------------------------------------------------------
# The lifecycle


@transaction.atomic
def task_assign(
    *,
    task: Task,
    by,
    deadline: datetime.date | None = None,
    assigned_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Task:
    """Issue the task to its units (交办): from now its deadline runs."""
    task = _begin(task, by, "assign", expected_version)
    assigned_on = assigned_on or timezone.localdate()
    deadline = deadline or task.deadline
    if deadline is None:
        raise ValidationError({"deadline": _("A deadline is required to assign a task.")})
    if deadline < assigned_on:
        raise ValidationError({"deadline": _("The deadline cannot be before the assignment date.")})
    task.assigned_on, task.deadline, task.original_deadline = assigned_on, deadline, deadline
    return _finish(
        task,
        by,
        "assign",
        payload={"assigned_on": assigned_on.isoformat(), "deadline": deadline.isoformat()},
        fields=["assigned_on", "deadline", "original_deadline"],
    )


@transaction.atomic
def task_acknowledge(*, task: Task, by, expected_version: int | None = None) -> Task:
    """The lead unit confirms it has received the task (签收)."""
    task = _begin(task, by, "acknowledge", expected_version)
    return _finish(task, by, "acknowledge")


@transaction.atomic
def task_report_progress(
    *,
    task: Task,
    by,
    text: str,
    percent: int,
    milestone: Milestone | None = None,
    parts: Iterable[CoUnitPart] = (),
    files: Iterable = (),
    expected_version: int | None = None,
) -> ProgressReport:
    """The lead unit reports how far the task has come (反馈), consolidating the parts its
    co-units submitted (会签) and attaching evidence."""
    task = _begin(task, by, "report_progress", expected_version)
    files = _checked_files(files)
    parts = list(parts)
    if any(part.task_id != task.pk for part in parts):
        raise ValidationError({"parts": _("That co-unit part belongs to another task.")})
    _require_text(text, "text", _("Progress"), _max_length(ProgressReport, "text"))
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Percent done must be between 0 and 100.")})
    if milestone is not None and milestone.task_id != task.pk:
        raise ValidationError({"milestone": _("That milestone belongs to another task.")})
    previous = task.progress_reports.order_by("-reported_at", "-pk").first()
    is_repeat = bool(
        previous
        and previous.text.strip() == text.strip()
        and previous.percent == percent
        and previous.milestone_id == (milestone.pk if milestone else None)
    )
    report = ProgressReport.objects.create(
        task=task,
        unit=task.lead_unit,
        reporter=by,
        reported_at=timezone.now(),
        text=text,
        percent=percent,
        milestone=milestone,
        is_repeat=is_repeat,
    )
    report.consolidated_parts.set(parts)
    task.last_reported_at = report.reported_at
    _finish(
        task,
        by,
        "report_progress",
        payload={"report": report.pk, "percent": percent, "repeat": is_repeat},
        fields=["last_reported_at"],
        files=files,
        report=report,
    )
    return report


@transaction.atomic
def task_request_extension(
    *,
    task: Task,
    by,
    proposed_deadline: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """The lead unit asks, before the deadline, to move it (申请延期)."""
    task = _begin(task, by, "request_extension", expected_version)
    _require_text(reason, "reason", _("Reason"), _max_length(ExtensionRequest, "reason"))
    today = timezone.localdate()
    if task.deadline < today:
        raise ValidationError(
            _("An extension must be requested before the deadline (%(deadline)s).")
            % {"deadline": task.deadline.isoformat()}
        )
    if proposed_deadline <= task.deadline:
        raise ValidationError(
            {"proposed_deadline": _("The proposed deadline must be later than the current one.")}
        )
    if task.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise WrongState(_("An extension request for this task is already waiting for a decision."))
    request = ExtensionRequest.objects.create(
        task=task,
        requested_by=by,
        requested_at=timezone.now(),
        reason=reason,
        current_deadline=task.deadline,
        proposed_deadline=proposed_deadline,
    )
    _finish(
        task,
        by,
        "request_extension",
        note=reason,
        payload={"request": request.pk, "proposed_deadline": proposed_deadline.isoformat()},
    )
    return request


@transaction.atomic
def task_decide_extension(
    *,
    request: ExtensionRequest,
    by,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Whoever assigned the task approves (new deadline, original kept) or rejects."""
    task = _begin(request.task, by, "decide_extension", expected_version)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise WrongState(_("This extension request has already been decided."))
    if not approve:
        _require_text(note, "note", _("Reason for rejection"))
    _check_text(note, "note")
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    fields = []
    if approve:
        task.deadline = request.proposed_deadline
        fields = ["deadline"]
    _finish(
        task,
        by,
        "decide_extension",
        event=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED,
        note=note,
        fields=fields,
        payload={"request": request.pk, "deadline": task.deadline.isoformat()},
    )
    return request


@transaction.atomic
def task_request_closure(
    *, task: Task, by, summary: str, files: Iterable = (), expected_version: int | None = None
) -> Task:
    """The lead unit says the work is done and asks the office to strike it off (申请办结),
    with a summary and evidence."""
    task = _begin(task, by, "request_closure", expected_version)
    _require_text(summary, "summary", _("Summary"), 20_000)
    files = _checked_files(files)
    return _finish(task, by, "request_closure", note=summary, files=files)


@transaction.atomic
def task_close(*, task: Task, by, note: str = "", expected_version: int | None = None) -> Task:
    """The office verifies the work and strikes the task off (销号)."""
    task = _begin(task, by, "close", expected_version)
    _check_text(note, "note")
    task.closed_at = timezone.now()
    _withdraw_pending_extension(task)
    return _finish(task, by, "close", note=note, fields=["closed_at"])


@transaction.atomic
def task_return(*, task: Task, by, reason: str, expected_version: int | None = None) -> Task:
    """The office sends a closure request back with a reason (退回)."""
    task = _begin(task, by, "return", expected_version)
    _require_text(reason, "reason", _("Reason"))
    return _finish(task, by, "return", note=reason)


@transaction.atomic
def task_suspend(*, task: Task, by, reason: str, expected_version: int | None = None) -> Task:
    """A leader stops the clock on a task (暂停)."""
    task = _begin(task, by, "suspend", expected_version)
    _require_text(reason, "reason", _("Reason"))
    return _finish(task, by, "suspend", note=reason)


@transaction.atomic
def task_resume(*, task: Task, by, note: str = "", expected_version: int | None = None) -> Task:
    """A leader lets a suspended task run again, in the state it was suspended from."""
    task = _begin(task, by, "resume", expected_version)
    _check_text(note, "note")
    suspended = task.events.filter(kind=EventKind.SUSPENDED).order_by("-at", "-pk").first()
    previous = suspended.from_state if suspended else TaskState.IN_PROGRESS
    return _finish(task, by, "resume", to_state=previous, note=note)


@transaction.atomic
def task_cancel(*, task: Task, by, reason: str, expected_version: int | None = None) -> Task:
    """A leader withdraws a task (撤销). Cancelled tasks are not counted in any rate."""
    task = _begin(task, by, "cancel", expected_version)
    _require_text(reason, "reason", _("Reason"))
    _withdraw_pending_extension(task)
    return _finish(task, by, "cancel", note=reason)


@transaction.atomic
def task_reopen(
    *,
    task: Task,
    by,
    reason: str,
    deadline: datetime.date,
    expected_version: int | None = None,
) -> Task:
    """The office sends a closed task back for a second handling, with a new deadline."""
    task = _begin(task, by, "reopen", expected_version)
    _require_text(reason, "reason", _("Reason"), 5_000)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The new deadline cannot be in the past.")})
    task.deadline, task.closed_at = deadline, None
    return _finish(
        task,
        by,
        "reopen",
        note=reason,
        payload={"deadline": deadline.isoformat()},
        fields=["deadline", "closed_at"],
    )


EDITABLE_FIELDS = {
    "title",
    "requirement",
    "lead_leader",
    "lead_unit",
    "owner",
    "feedback_cadence",
    "publicly_listed",
    "deadline_source",
}
DRAFT_ONLY_FIELDS = {"deadline"}


@transaction.atomic
def task_update(
    *, task: Task, by, changes: dict, co_units=None, expected_version: int | None = None
) -> Task:
    """The office corrects a task's details (a form, or a re-imported ledger row). The
    deadline of an assigned task moves only through an extension, so it is not editable
    here once assigned. Records what changed on the timeline; no change, no event."""
    task = _begin(task, by, "edit", expected_version)
    allowed = EDITABLE_FIELDS | (DRAFT_ONLY_FIELDS if task.state == TaskState.DRAFT else set())
    refused = set(changes) - allowed
    if refused:
        raise ValidationError(
            {
                field: _("This cannot be changed here once the task is assigned.")
                for field in refused
            }
        )
    changed = {}
    for field, value in changes.items():
        if getattr(task, field) != value:
            changed[field] = value
            setattr(task, field, value)
    if "title" in changed:
        _require_text(task.title, "title", _("Title"))
    task.full_clean(exclude=["co_units"])
    co_changed = False
    if co_units is not None:
        new = {unit.pk for unit in co_units if unit.pk != task.lead_unit_id}
        co_changed = new != set(task.co_units.values_list("pk", flat=True))
    if not changed and not co_changed:
        return task
    if co_changed:
        task.co_units.set(new)
    return _finish(
        task,
        by,
        "edit",
        payload={"fields": sorted(changed) + (["co_units"] if co_changed else [])},
        fields=list(changed),
    )


def _withdraw_pending_extension(task: Task) -> None:
    # A closed or cancelled task has no deadline left to move.
    task.extension_requests.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.WITHDRAWN, decided_at=timezone.now()
    )


@transaction.atomic
def task_submit_part(
    *, task: Task, by, text: str, files: Iterable = (), expected_version: int | None = None
) -> CoUnitPart:
    """A co-unit submits its part of the work to the lead unit (会签)."""
    task = _begin(task, by, "submit_part", expected_version)
    _require_text(text, "text", _("Contribution"), _max_length(CoUnitPart, "text"))
    files = _checked_files(files)
    part = CoUnitPart.objects.create(
        task=task, unit=by.profile.unit, submitted_by=by, submitted_at=timezone.now(), text=text
    )
    _finish(
        task,
        by,
        "submit_part",
        note=text,
        payload={"part": part.pk, "unit": part.unit_id},
        files=files,
        part=part,
    )
    return part


@transaction.atomic
def task_request_coordination(
    *,
    task: Task,
    by,
    tried: str,
    disagreement: str,
    proposal: str,
    expected_version: int | None = None,
) -> CoordinationRequest:
    """The lead unit raises a problem to the portfolio leader (提请协调): what was tried,
    where the parties disagree, and a proposal."""
    task = _begin(task, by, "request_coordination", expected_version)
    _require_text(tried, "tried", _("What has been tried"), 5_000)
    _require_text(disagreement, "disagreement", _("Where the parties disagree"), 5_000)
    _require_text(proposal, "proposal", _("Proposal"), 5_000)
    request = CoordinationRequest.objects.create(
        task=task,
        requested_by=by,
        requested_at=timezone.now(),
        tried=tried,
        disagreement=disagreement,
        proposal=proposal,
    )
    _finish(task, by, "request_coordination", note=proposal, payload={"request": request.pk})
    return request


@transaction.atomic
def task_answer_coordination(
    *, request: CoordinationRequest, by, answer: str, expected_version: int | None = None
) -> CoordinationRequest:
    """The portfolio leader answers a coordination request; the answer joins the timeline."""
    task = _begin(request.task, by, "answer_coordination", expected_version)
    request = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
    if request.is_answered:
        raise WrongState(_("This coordination request has already been answered."))
    _require_text(answer, "answer", _("Answer"), 5_000)
    request.answer, request.answered_by, request.answered_at = answer, by, timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    _finish(task, by, "answer_coordination", note=answer, payload={"request": request.pk})
    return request


def _checked_files(files: Iterable) -> list:
    files = [upload for upload in files if upload]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"files": _("At most %(count)s files at a time.") % {"count": MAX_ATTACHMENTS}}
        )
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    return files


# ---------------------------------------------------------------------------
# The cached light


def due_soon_until(as_of: datetime.date) -> datetime.date:
    """The last deadline that counts as due soon on `as_of`."""
    return workdays.add_workdays(as_of, settings.DUE_SOON_WORKDAYS)


# Up to this many tasks changing at once, the refresh counts their difference into the
# tallies; beyond (a first refresh, a bulk load) it recounts every tally instead.
TALLY_DIFFERENCE_LIMIT = 50_000


@transaction.atomic
def due_states_refresh(*, as_of: datetime.date, tasks=None) -> int:
    """Recompute the cached light of tasks for `as_of`, set-based. Returns rows changed.

    Red: overdue. Yellow: due within DUE_SOON_WORKDAYS working days, or behind the
    milestone due by `as_of`. Green: otherwise. Tasks not running have no light.

    The tasks whose mark or light changes are locked before they are counted, so a person
    acting on one at the same moment waits (or is waited for) and the tallies stay exact.
    """
    every_task = tasks is None
    tasks = Task.objects.all() if every_task else tasks
    latest_percent = (
        ProgressReport.objects.filter(task=OuterRef("pk"))
        .order_by("-reported_at", "-pk")
        .values("percent")[:1]
    )
    due_milestones = Milestone.objects.filter(
        task=OuterRef("pk"), planned_on__lte=as_of, percent__isnull=False
    )
    due_percent = due_milestones.order_by("-planned_on", "-pk").values("percent")[:1]
    # Only tasks with a milestone due can be behind; filtering on that first keeps the
    # subqueries to the few tasks that have a schedule (3x faster at a million tasks).
    has_due_milestone = Exists(due_milestones)
    behind = (
        tasks.filter(has_due_milestone, state__in=OPEN_STATES)
        .annotate(done=Coalesce(Subquery(latest_percent), 0), due=Subquery(due_percent))
        .filter(due__gt=F("done"))
    )
    recount = _behind_marks_refresh(tasks=None if every_task else tasks, behind=behind)
    # The marks now name exactly the tasks behind: one pass sets every light from them.
    light = Case(
        When(~Q(state__in=OPEN_STATES), then=Value(DueState.NONE)),
        When(deadline__lt=as_of, then=Value(DueState.RED)),
        When(
            Q(deadline__lte=due_soon_until(as_of))
            | Q(pk__in=BehindSchedule.objects.values("task_id")),
            then=Value(DueState.YELLOW),
        ),
        default=Value(DueState.GREEN),
    )
    changing = _locked(tasks.exclude(due_state=light))
    if recount or len(changing) > _tally_difference_limit():
        changed = tasks.exclude(due_state=light).update(due_state=light)
        tallies.rebuild()
        return changed
    if not changing:
        return 0
    changing_tasks = Task.objects.filter(pk__in=changing)
    # The dashboard's tallies count by light: add the difference, counted before the update.
    difference = tallies.light_change(changing_tasks, light)
    changed = changing_tasks.update(due_state=light)
    tallies.add(difference)
    return changed


def _tally_difference_limit() -> int:
    # SQLite allows only so many parameters in one statement (`pk IN (…)`).
    most = connection.features.max_query_params
    return TALLY_DIFFERENCE_LIMIT if most is None else min(TALLY_DIFFERENCE_LIMIT, most // 2)


def _locked(tasks) -> list[int]:
    """Lock these tasks (in key order, as every writer does) and return their keys; on
    PostgreSQL a row changed meanwhile is checked again against the filter."""
    return list(tasks.select_for_update().order_by("pk").values_list("pk", flat=True))


def last_reports_refresh(tasks=None) -> int:
    """Set each task's `last_reported_at` from its progress reports, as
    `task_report_progress` keeps it: for progress reports written straight to the table
    (the benchmarks' data sets). Returns tasks updated."""
    tasks = Task.objects.all() if tasks is None else tasks
    latest = (
        ProgressReport.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(latest=Max("reported_at"))
        .values("latest")
    )
    return tasks.update(last_reported_at=Subquery(latest))


def _behind_marks_refresh(*, tasks, behind) -> bool:
    """Mark exactly the `behind` tasks among `tasks` (None: all) as behind schedule, keeping
    the tallies exact: the few tasks gaining or losing a mark are locked, snapshotted, marked
    and counted again. Over TALLY_DIFFERENCE_LIMIT tasks it leaves the counting to a
    full recount and says so (returns True)."""
    marks = BehindSchedule.objects.all()
    if tasks is not None:
        marks = marks.filter(task__in=tasks)
    # "Behind" costs a subquery per scheduled task: work it out once, compare in Python.
    candidates = set(behind.values_list("pk", flat=True)) ^ set(
        marks.values_list("task_id", flat=True)
    )
    if not candidates:
        return False
    if len(candidates) > _tally_difference_limit():
        marks.exclude(task__in=behind.values("pk")).delete()
        gaining = behind.exclude(Exists(BehindSchedule.objects.filter(task=OuterRef("pk"))))
        tallies.insert_select(BehindSchedule._meta.db_table, ["task_id"], gaining.values("pk"))
        return True
    # Locked, these tasks can be looked at again and counted without anyone changing them.
    task_ids = _locked(Task.objects.filter(pk__in=candidates))
    before = tallies.snapshot(task_ids)
    behind = behind.filter(pk__in=task_ids)
    BehindSchedule.objects.filter(task__in=task_ids).exclude(task__in=behind.values("pk")).delete()
    tallies.insert_select(
        BehindSchedule._meta.db_table,
        ["task_id"],
        behind.exclude(Exists(BehindSchedule.objects.filter(task=OuterRef("pk")))).values("pk"),
    )
    tallies.record_change(before=before, task_ids=task_ids)
    return False
