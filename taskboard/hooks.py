"""What other apps do when something happens to a task, registered explicitly.

taskboard imports no other app, yet supervision must draft an assignment notice when a task
is assigned and send the in-app notifications on to email and SMS. Each such reaction is a
plain function registered here from its app's ``AppConfig.ready()``; the service that wrote
the event calls them inside its transaction, in the order they were registered. Unlike a
signal, the list is visible in one place and nothing runs that was not asked for by name.
"""

from collections.abc import Callable

from .models import Notification, TaskEvent

EventHook = Callable[[TaskEvent], None]
NotificationHook = Callable[[list[Notification]], None]

_after_event: list[EventHook] = []
_after_notifications: list[NotificationHook] = []


def after_event(func: EventHook) -> EventHook:
    """Run func(event) after every task event is recorded (in the same transaction)."""
    if func not in _after_event:
        _after_event.append(func)
    return func


def after_notifications(func: NotificationHook) -> NotificationHook:
    """Run func(notifications) after in-app notifications are written (same transaction).

    The rows come from bulk_create(ignore_conflicts=True): on PostgreSQL their pk is None.
    """
    if func not in _after_notifications:
        _after_notifications.append(func)
    return func


def event_recorded(event: TaskEvent) -> None:
    for func in _after_event:
        func(event)


def notifications_written(notifications: list[Notification]) -> None:
    if notifications:
        for func in _after_notifications:
            func(notifications)
