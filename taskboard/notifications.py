"""Who is told about what happens on a task, in the app. Rows are written in the same
transaction as the event, so a refused or rolled-back action tells nobody."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from . import hooks
from .choices import UNIT_ROLES, EventKind, Role
from .models import Notification, Task, TaskEvent

User = get_user_model()


def unit_staff(units) -> QuerySet:
    return User.objects.filter(
        is_active=True, profile__role__in=UNIT_ROLES, profile__unit__in=units
    )


def assigners(task: Task) -> QuerySet:
    """Whoever assigned the task; the office staff if that is not recorded."""
    assigned = task.events.filter(kind=EventKind.ASSIGNED, actor__isnull=False).values("actor")
    people = User.objects.filter(is_active=True, pk__in=assigned)
    if people.exists():
        return people
    return User.objects.filter(is_active=True, profile__role=Role.OFFICE_STAFF)


def leaders_over(task: Task) -> QuerySet:
    return User.objects.filter(
        Q(pk=task.lead_leader_id)
        | Q(profile__role=Role.PORTFOLIO_LEADER, profile__portfolio=task.lead_unit_id),
        is_active=True,
    )


def extension_deciders(task: Task) -> QuerySet:
    rule = task.deadline_rule
    if rule is not None and rule.extension_decided_by_portfolio_leader:
        return leaders_over(task)
    return assigners(task)


def _all_units(task: Task) -> list[int]:
    return [task.lead_unit_id, *task.co_units.values_list("pk", flat=True)]


RECIPIENTS = {
    EventKind.ASSIGNED: lambda task: [unit_staff(_all_units(task))],
    EventKind.ACKNOWLEDGED: lambda task: [assigners(task)],
    EventKind.PROGRESS_REPORTED: lambda task: [assigners(task)],
    EventKind.EXTENSION_REQUESTED: lambda task: [extension_deciders(task)],
    EventKind.EXTENSION_APPROVED: lambda task: [unit_staff([task.lead_unit_id])],
    EventKind.EXTENSION_REJECTED: lambda task: [unit_staff([task.lead_unit_id])],
    EventKind.CLOSURE_REQUESTED: lambda task: [assigners(task)],
    EventKind.CLOSED: lambda task: [unit_staff(_all_units(task))],
    EventKind.RETURNED: lambda task: [unit_staff([task.lead_unit_id])],
    EventKind.SUSPENDED: lambda task: [unit_staff(_all_units(task)), assigners(task)],
    EventKind.RESUMED: lambda task: [unit_staff(_all_units(task)), assigners(task)],
    EventKind.CANCELLED: lambda task: [unit_staff(_all_units(task)), assigners(task)],
    EventKind.EDITED: lambda task: [unit_staff(_all_units(task))],
    EventKind.REOPENED: lambda task: [unit_staff(_all_units(task))],
    EventKind.PART_SUBMITTED: lambda task: [unit_staff([task.lead_unit_id])],
    EventKind.COORDINATION_REQUESTED: lambda task: [leaders_over(task)],
    EventKind.COORDINATION_ANSWERED: lambda task: [unit_staff([task.lead_unit_id])],
    EventKind.NOTICE_ISSUED: lambda task: [unit_staff(_all_units(task))],
}


def notify_event(event: TaskEvent) -> int:
    """Tell the people an event concerns, except the one who acted. Returns how many."""
    groups = RECIPIENTS.get(event.kind, lambda task: [])(event.task)
    recipient_ids = set()
    for group in groups:
        recipient_ids.update(group.values_list("pk", flat=True))
    recipient_ids.discard(event.actor_id)
    written = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                task=event.task,
                event=event,
                kind=event.kind,
                created_at=event.at,
            )
            for pk in sorted(recipient_ids)
        ],
        ignore_conflicts=True,
    )
    hooks.notifications_written(written)
    return len(recipient_ids)
