"""Notices (交办单, 催办单, 督办单): drafting, the approval chain, numbering at issue, the daily
automatic drafts, who sees which notice, and the official document each one prints as.

The chain of an urge or supervise notice (DOMAIN.md): drafted by the office, proposed by
the deputy director, approved by the portfolio leader over the tasks' lead units, signed by
the office director, issued — and numbered — by the office. Anyone whose turn it is may
send it back to draft with a reason. Each step is a `NoticeStep` row. An assignment notice
is written and issued at once when its task is assigned (the assignment itself is the
office's decision; there is nobody further to ask).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taskboard import workdays
from taskboard.choices import OFFICE_ROLES, OPEN_STATES, UNIT_ROLES, EventKind, Role
from taskboard.models import Task, TaskEvent, role_of
from taskboard.notifications import notify_event
from taskboard.services import (
    ActionNotAllowed,
    WrongState,
    is_leader_over,
    is_office,
    next_in_sequence,
)

from .choices import NoticeAction, NoticeKind, NoticeState
from .documents import OfficialDocument, Paragraph, Table, chinese_date
from .models import CopyRecipient, Notice, NoticeStep

# The text a new notice starts with; the office edits it while it is a draft.
DEFAULT_BODY = {
    NoticeKind.ASSIGNMENT: gettext_lazy(
        "The following items are assigned to your unit. Please carry them out as required, "
        "acknowledge receipt at once and report on progress on time."
    ),
    NoticeKind.URGE: gettext_lazy(
        "The following items handled by your unit are past their deadline. Please give them "
        "your full attention, complete them without delay and report in writing within three "
        "working days of receiving this notice."
    ),
    NoticeKind.SUPERVISE: gettext_lazy(
        "The following items handled by your unit are still not done after an urge notice. "
        "The head of your unit is to see to them in person, complete them within the time "
        "set, and explain the delay in writing. This notice is copied to the bodies below "
        "for assessment and accountability."
    ),
}

HAND_DRAFTED_KINDS = (NoticeKind.URGE, NoticeKind.SUPERVISE)


def supervise_after_workdays() -> int:
    return settings.NOTICE_SUPERVISE_AFTER_WORKDAYS


# ---------------------------------------------------------------------------
# Who may do what: one table


def _is_deputy(user, notice: Notice) -> bool:
    return role_of(user) == Role.DEPUTY_DIRECTOR


def _is_director(user, notice: Notice) -> bool:
    return role_of(user) == Role.OFFICE_DIRECTOR


def _is_office(user, notice: Notice) -> bool:
    return is_office(user)


def _leads_every_task(user, notice: Notice) -> bool:
    """The portfolio leader over every task's lead unit (or the principal leader)."""
    tasks = list(notice.tasks.all())
    return bool(tasks) and all(is_leader_over(user, task) for task in tasks)


@dataclass(frozen=True)
class NoticeTransition:
    sources: Callable[[Notice], frozenset[str]]
    target: str | None  # None: the state does not change
    step: str
    allowed: Callable[[object, Notice], bool]


def _chain(*states: str) -> Callable[[Notice], frozenset[str]]:
    """States from which a notice of a kind that goes through the chain may move."""
    return lambda notice: frozenset(states) if notice.spec.chain else frozenset()


def _issue_sources(notice: Notice) -> frozenset[str]:
    return frozenset({NoticeState.SIGNED} if notice.spec.chain else {NoticeState.DRAFT})


# Whose turn it is in each state of the chain: that person may also send it back.
NEXT_STEP = {
    NoticeState.PROPOSED: "approve",
    NoticeState.APPROVED: "sign",
    NoticeState.SIGNED: "issue",
}

TRANSITIONS: dict[str, NoticeTransition] = {
    "edit": NoticeTransition(
        lambda notice: frozenset({NoticeState.DRAFT}), None, NoticeAction.EDITED, _is_office
    ),
    "propose": NoticeTransition(
        _chain(NoticeState.DRAFT), NoticeState.PROPOSED, NoticeAction.PROPOSED, _is_deputy
    ),
    "approve": NoticeTransition(
        _chain(NoticeState.PROPOSED),
        NoticeState.APPROVED,
        NoticeAction.APPROVED,
        _leads_every_task,
    ),
    "sign": NoticeTransition(
        _chain(NoticeState.APPROVED), NoticeState.SIGNED, NoticeAction.SIGNED, _is_director
    ),
    "issue": NoticeTransition(_issue_sources, NoticeState.ISSUED, NoticeAction.ISSUED, _is_office),
    "reject": NoticeTransition(
        _chain(*NEXT_STEP),
        NoticeState.DRAFT,
        NoticeAction.REJECTED,
        lambda user, notice: (
            notice.state in NEXT_STEP and TRANSITIONS[NEXT_STEP[notice.state]].allowed(user, notice)
        ),
    ),
    "withdraw": NoticeTransition(
        lambda notice: frozenset({NoticeState.DRAFT}),
        NoticeState.WITHDRAWN,
        NoticeAction.WITHDRAWN,
        _is_office,
    ),
}


def allowed_notice_actions(*, notice: Notice, user) -> list[str]:
    """The steps this person may take on this notice now."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if notice.state in transition.sources(notice) and transition.allowed(user, notice)
    ]


def check_notice_allowed(*, notice: Notice, user, action: str) -> None:
    """Raise ActionNotAllowed (wrong person) or WrongState (wrong moment)."""
    transition = TRANSITIONS[action]
    if action == "reject" and notice.state not in NEXT_STEP:
        raise WrongState(_("Only a notice on its way to issue can be sent back."))
    if not transition.allowed(user, notice):
        raise ActionNotAllowed(_("You may not take this step on this notice."))
    if notice.state not in transition.sources(notice):
        raise WrongState(
            _("This cannot be done while the notice is “%(state)s”.")
            % {"state": notice.get_state_display()}
        )


def _begin(notice: Notice, by, action: str) -> Notice:
    fresh = Notice.objects.select_for_update().get(pk=notice.pk)
    check_notice_allowed(notice=fresh, user=by, action=action)
    return fresh


def _record(
    notice: Notice, by, action: str, *, from_state: str, reason: str = "", at=None
) -> NoticeStep:
    return NoticeStep.objects.create(
        notice=notice,
        action=action,
        actor=by,
        at=at or timezone.now(),
        from_state=from_state,
        to_state=notice.state,
        reason=reason,
    )


def _move(notice: Notice, by, action: str, *, reason: str = "", fields=()) -> Notice:
    transition = TRANSITIONS[action]
    from_state = notice.state
    if transition.target is not None:
        notice.state = transition.target
    notice.save(update_fields=["state", "updated_at", *fields])
    _record(notice, by, transition.step, from_state=from_state, reason=reason)
    return notice


def _check_text(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if "\x00" in value:
        raise ValidationError({field: _("Text may not contain null characters.")})
    if len(value) > 20_000:
        raise ValidationError({field: _("The text is too long (at most 20,000 characters).")})
    return value


# ---------------------------------------------------------------------------
# Writing notices


def _recipient_units(tasks: list[Task]) -> list[int]:
    """The lead units, then the co-units, of the tasks, each once."""
    units = [task.lead_unit_id for task in tasks]
    units += list(
        Task.co_units.through.objects.filter(task__in=tasks)
        .order_by("unit_id")
        .values_list("unit_id", flat=True)
    )
    return list(dict.fromkeys(units))


@transaction.atomic
def notice_draft(
    *,
    by,
    kind: str,
    tasks: Iterable[Task],
    body: str = "",
    copy_recipients: Iterable[CopyRecipient] | None = None,
) -> Notice:
    """The office drafts an urge or supervise notice about one or more open tasks."""
    if not is_office(by):
        raise ActionNotAllowed(_("Only the supervision office drafts notices."))
    if kind not in HAND_DRAFTED_KINDS:
        raise ValidationError({"kind": _("Choose an urge notice or a supervise notice.")})
    tasks = list(tasks)
    if not tasks:
        raise ValidationError({"tasks": _("Choose at least one task.")})
    closed = [task.code for task in tasks if task.state not in OPEN_STATES]
    if closed:
        raise ValidationError(
            {
                "tasks": _("These tasks are not running and need no notice: %(codes)s.")
                % {"codes": ", ".join(closed)}
            }
        )
    body = _check_text(body, "body", required=False) or str(DEFAULT_BODY[kind])
    notice = Notice.objects.create(
        kind=kind, year=timezone.localdate().year, body=body, created_by=by
    )
    notice.tasks.set(tasks)
    notice.recipients.set(_recipient_units(tasks))
    notice.copy_recipients.set(
        CopyRecipient.defaults_for(kind) if copy_recipients is None else copy_recipients
    )
    _record(notice, by, NoticeAction.DRAFTED, from_state=NoticeState.DRAFT)
    return notice


@transaction.atomic
def notice_edit(
    *, notice: Notice, by, body: str, copy_recipients: Iterable[CopyRecipient] | None = None
) -> Notice:
    """The office changes a draft's text (and whom it is copied to)."""
    notice = _begin(notice, by, "edit")
    notice.body = _check_text(body, "body", required=True)
    if copy_recipients is not None:
        notice.copy_recipients.set(copy_recipients)
    return _move(notice, by, "edit", fields=["body"])


@transaction.atomic
def notice_propose(*, notice: Notice, by) -> Notice:
    """The deputy director proposes the draft (拟办)."""
    return _move(_begin(notice, by, "propose"), by, "propose")


@transaction.atomic
def notice_approve(*, notice: Notice, by) -> Notice:
    """The portfolio leader over the tasks approves it."""
    return _move(_begin(notice, by, "approve"), by, "approve")


@transaction.atomic
def notice_sign(*, notice: Notice, by) -> Notice:
    """The office director signs it (签发)."""
    return _move(_begin(notice, by, "sign"), by, "sign")


@transaction.atomic
def notice_issue(*, notice: Notice, by) -> Notice:
    """The office issues it; it gets the next number of its kind for the year, with no gap:
    the sequence row stays locked until this transaction ends, and a rollback returns it."""
    notice = _begin(notice, by, "issue")
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    notice.year = year
    notice.number = next_in_sequence(series=notice.spec.series, year=year)
    notice.issued_at = issued_at
    notice = _move(notice, by, "issue", fields=["year", "number", "issued_at"])
    if notice.kind != NoticeKind.ASSIGNMENT:  # assigning already told the units
        _tell_units(notice, by)
    return notice


def _tell_units(notice: Notice, by) -> None:
    """Write the issue into each listed task's history and tell the staff of its lead and
    co-units in the app (and by email or SMS, as each has chosen)."""
    for task in notice.tasks.order_by("pk"):
        event = TaskEvent.objects.create(
            task=task,
            kind=EventKind.NOTICE_ISSUED,
            actor=by,
            at=notice.issued_at,
            from_state=task.state,
            to_state=task.state,
            note=f"{notice.spec.title} {notice.number_text}",
            payload={"notice": notice.pk, "notice_kind": notice.kind},
        )
        notify_event(event)


@transaction.atomic
def notice_reject(*, notice: Notice, by, reason: str) -> Notice:
    """Whoever's turn it is sends the notice back to draft, saying why."""
    notice = _begin(notice, by, "reject")
    reason = _check_text(reason, "reason", required=True)
    return _move(notice, by, "reject", reason=reason)


@transaction.atomic
def notice_withdraw(*, notice: Notice, by, reason: str) -> Notice:
    """The office drops a draft that is no longer needed (the task was closed, say). It
    stays on record, so the automatic drafting does not write it again."""
    notice = _begin(notice, by, "withdraw")
    reason = _check_text(reason, "reason", required=True)
    return _move(notice, by, "withdraw", reason=reason)


# Each step of a notice's chain, as the pages and the API call it: (notice, person, the
# step's cleaned input) → the notice.
STEP_SERVICES = {
    "edit": lambda notice, by, data: notice_edit(
        notice=notice, by=by, body=data["body"], copy_recipients=data.get("copy_recipients")
    ),
    "propose": lambda notice, by, data: notice_propose(notice=notice, by=by),
    "approve": lambda notice, by, data: notice_approve(notice=notice, by=by),
    "sign": lambda notice, by, data: notice_sign(notice=notice, by=by),
    "issue": lambda notice, by, data: notice_issue(notice=notice, by=by),
    "reject": lambda notice, by, data: notice_reject(notice=notice, by=by, reason=data["reason"]),
    "withdraw": lambda notice, by, data: notice_withdraw(
        notice=notice, by=by, reason=data["reason"]
    ),
}


@transaction.atomic
def assignment_notice_issue(*, task: Task, by) -> Notice | None:
    """Write and issue the assignment notice (交办单) of a task just assigned. Once per
    task and deadline: returns None when it exists already."""
    if Notice.objects.filter(
        kind=NoticeKind.ASSIGNMENT, auto_task=task, auto_deadline=task.deadline
    ).exists():
        return None
    kind = NoticeKind.ASSIGNMENT
    notice = Notice.objects.create(
        kind=kind,
        year=timezone.localdate().year,
        body=str(DEFAULT_BODY[kind]),
        auto_task=task,
        auto_deadline=task.deadline,
        created_by=by,
    )
    notice.tasks.set([task])
    notice.recipients.set(_recipient_units([task]))
    notice.copy_recipients.set(CopyRecipient.defaults_for(kind))
    _record(notice, by, NoticeAction.DRAFTED, from_state=NoticeState.DRAFT)
    if not is_office(by):
        return notice  # assigned by someone the office must still issue for
    return notice_issue(notice=notice, by=by)


def on_task_event(event: TaskEvent) -> None:
    """taskboard hook: a task assigned gets its assignment notice, numbered and issued."""
    if event.kind == EventKind.ASSIGNED:
        assignment_notice_issue(task=event.task, by=event.actor)


# ---------------------------------------------------------------------------
# The daily automatic drafts


def _workdays_before(day: datetime.date, n: int) -> datetime.date:
    """The latest date with n working days after it up to and including `day`."""
    counted = 0
    while counted < n:
        if workdays.is_workday(day):
            counted += 1
        day -= datetime.timedelta(days=1)
    return day


def _noticed_since_deadline(kind: str, **notice_filter) -> Exists:
    """A notice of this kind (not withdrawn) lists the task, written after its deadline."""
    through = Notice.tasks.through.objects.filter(
        task=OuterRef("pk"),
        notice__kind=kind,
        notice__created_at__date__gt=OuterRef("deadline"),
        **notice_filter,
    ).exclude(notice__state=NoticeState.WITHDRAWN)
    return Exists(through)


def due_for_urge(as_of: datetime.date) -> QuerySet[Task]:
    """Open tasks overdue on this date that no urge notice has named since their deadline."""
    return Task.objects.filter(state__in=OPEN_STATES, deadline__lt=as_of).exclude(
        _noticed_since_deadline(NoticeKind.URGE)
    )


def due_for_supervise(as_of: datetime.date) -> QuerySet[Task]:
    """Open overdue tasks whose urge notice was issued at least N working days before this
    date, and that no supervise notice has named since their deadline."""
    cutoff = _workdays_before(as_of, supervise_after_workdays())
    urged = _noticed_since_deadline(
        NoticeKind.URGE,
        notice__state=NoticeState.ISSUED,
        notice__issued_at__date__lte=cutoff,
    )
    return (
        Task.objects.filter(state__in=OPEN_STATES, deadline__lt=as_of)
        .filter(urged)
        .exclude(_noticed_since_deadline(NoticeKind.SUPERVISE))
    )


def _draft_for(kind: str, tasks: QuerySet[Task], *, as_of: datetime.date, at) -> int:
    """One draft per task, set-based: each statement is INSERT … SELECT … ON CONFLICT DO
    NOTHING against (kind, task, deadline), the rows that follow join the notices stamped
    with this run's time. A run that loses a race writes nothing."""
    from .sweep import _insert_select  # the sweep imports this module

    rows = (
        tasks.order_by()
        .annotate(
            n_kind=Value(kind, CharField()),
            n_state=Value(NoticeState.DRAFT.value, CharField()),
            n_year=Value(as_of.year, IntegerField()),
            n_body=Value(str(DEFAULT_BODY[kind]), CharField()),
            n_at=Value(at, DateTimeField()),
        )
        .values_list("n_kind", "n_state", "n_year", "n_body", "pk", "deadline", "n_at", "n_at")
    )
    written = _insert_select(
        Notice,
        ["kind", "state", "year", "body", "auto_task", "auto_deadline", "created_at", "updated_at"],
        rows,
        conflict=["kind", "auto_task", "auto_deadline"],
    )
    if not written:
        return 0
    new = Notice.objects.filter(kind=kind, created_at=at, auto_task__isnull=False).order_by()
    _insert_select(
        Notice.tasks.through,
        ["notice", "task"],
        new.values_list("pk", "auto_task_id"),
        conflict=["notice", "task"],
    )
    _insert_select(
        Notice.recipients.through,
        ["notice", "unit"],
        new.values_list("pk", "auto_task__lead_unit_id"),
        conflict=["notice", "unit"],
    )
    _insert_select(
        Notice.recipients.through,
        ["notice", "unit"],
        new.filter(auto_task__co_units__isnull=False).values_list("pk", "auto_task__co_units__id"),
        conflict=["notice", "unit"],
    )
    for copy_id in CopyRecipient.defaults_for(kind).values_list("pk", flat=True):
        _insert_select(
            Notice.copy_recipients.through,
            ["notice", "copyrecipient"],
            new.annotate(c=Value(copy_id, IntegerField())).values_list("pk", "c"),
            conflict=["notice", "copyrecipient"],
        )
    step = new.annotate(
        s_action=Value(NoticeAction.DRAFTED.value, CharField()),
        s_state=Value(NoticeState.DRAFT.value, CharField()),
        s_reason=Value("", CharField()),
        s_at=Value(at, DateTimeField()),
    )
    _insert_select(
        NoticeStep,
        ["notice", "action", "at", "from_state", "to_state", "reason"],
        step.values_list("pk", "s_action", "s_at", "s_state", "s_state", "s_reason"),
        conflict=["id"],
    )
    return written


@transaction.atomic
def draft_due_notices(*, as_of: datetime.date) -> dict[str, int]:
    """Draft the day's urge and supervise notices: an urge notice for each task overdue
    without one since its deadline; a supervise notice for each task still overdue N
    working days (NOTICE_SUPERVISE_AFTER_WORKDAYS) after its urge notice was issued.
    Safe to run twice or in parallel: each (kind, task, deadline) is drafted once."""
    at = timezone.now()
    return {
        "urge_notices": _draft_for(NoticeKind.URGE, due_for_urge(as_of), as_of=as_of, at=at),
        "supervise_notices": _draft_for(
            NoticeKind.SUPERVISE, due_for_supervise(as_of), as_of=as_of, at=at
        ),
    }


# ---------------------------------------------------------------------------
# Reading: who sees which notice


def notices_visible_to(user) -> QuerySet[Notice]:
    """The notices this person may see. Every notice query for a person starts here.

    The office, the principal leader and administrators see all; a portfolio leader the
    notices about tasks in the portfolio (drafts included: they approve them); unit staff
    the issued notices addressed or copied to their unit; copy recipients the issued
    notices copied to a body they belong to."""
    notices = Notice.objects.all()
    role = role_of(user)
    if role in {Role.ADMINISTRATOR, Role.PRINCIPAL_LEADER, *OFFICE_ROLES}:
        return notices
    if role == Role.PORTFOLIO_LEADER:
        tasks = Task.objects.visible_to(user)
        listed = Notice.tasks.through.objects.filter(notice=OuterRef("pk"), task__in=tasks)
        return notices.filter(Exists(listed))
    issued = notices.filter(state=NoticeState.ISSUED)
    copied_to_me = CopyRecipient.objects.filter(notices=OuterRef("pk"), users=user)
    if role in UNIT_ROLES:
        unit = user.profile.unit_id
        addressed = Notice.recipients.through.objects.filter(notice=OuterRef("pk"), unit=unit)
        copied_to_unit = CopyRecipient.objects.filter(notices=OuterRef("pk"), unit=unit)
        return issued.filter(Exists(addressed) | Exists(copied_to_unit) | Exists(copied_to_me))
    if role == Role.COPY_RECIPIENT:
        unit = getattr(getattr(user, "profile", None), "unit_id", None)
        copied_to_unit = CopyRecipient.objects.filter(notices=OuterRef("pk"), unit=unit)
        if unit is None:
            return issued.filter(Exists(copied_to_me))
        return issued.filter(Exists(copied_to_me) | Exists(copied_to_unit))
    return notices.none()


def notice_list(*, notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """A page of notices: the first task and the counts come with the rows."""
    return notices.select_related("created_by").prefetch_related("tasks", "recipients")


def notice_detail(*, notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("created_by").prefetch_related(
        "tasks__lead_unit", "recipients", "copy_recipients", "steps__actor"
    )


class NoticeFilter(django_filters.FilterSet):
    """The filters of the notice list; shared by the page and the API."""

    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=NoticeKind.choices)
    state = django_filters.ChoiceFilter(label=gettext_lazy("State"), choices=NoticeState.choices)
    year = django_filters.NumberFilter(label=gettext_lazy("Year"), min_value=2000, max_value=2100)

    class Meta:
        model = Notice
        fields = ["kind", "state", "year"]


# ---------------------------------------------------------------------------
# The document


def notice_document(notice: Notice) -> OfficialDocument:
    """What the notice prints as: title, number, recipients, the tasks with their
    deadlines, signature, date, copy line."""
    tasks = sorted(notice.tasks.all(), key=lambda task: (task.year, task.code))
    paragraphs = [Paragraph(line.strip()) for line in notice.body.splitlines() if line.strip()]
    table = Table(
        headers=[_("No."), _("Code"), _("Item"), _("Lead unit"), _("Deadline")],
        rows=[
            [
                str(n),
                task.code,
                task.title,
                task.lead_unit.name,
                chinese_date(task.deadline) if task.deadline else "",
            ]
            for n, task in enumerate(tasks, start=1)
        ],
    )
    issued_on = timezone.localtime(notice.issued_at).date() if notice.issued_at else None
    return OfficialDocument(
        title=str(notice.spec.title),
        number=notice.number_text or _("(draft, not yet numbered)"),
        recipients=[unit.name for unit in notice.recipients.all()],
        body=[*paragraphs, table],
        signature=settings.NOTICE_SIGNATURE or _("Supervision Office"),
        date=issued_on,
        copy_to=[copy.name for copy in notice.copy_recipients.all()],
    )


def document_filename(notice: Notice, extension: str) -> str:
    name = notice.number_text or f"{notice.get_kind_display()}-{notice.pk}"
    return f"{name}.{extension}"


__all__ = [
    "TRANSITIONS",
    "NoticeFilter",
    "allowed_notice_actions",
    "assignment_notice_issue",
    "check_notice_allowed",
    "draft_due_notices",
    "notice_approve",
    "notice_detail",
    "notice_document",
    "notice_draft",
    "notice_edit",
    "notice_issue",
    "notice_list",
    "notice_propose",
    "notice_reject",
    "notice_sign",
    "notice_withdraw",
    "notices_visible_to",
    "STEP_SERVICES",
    "on_task_event",
]
