"""Who the sweep's warnings are addressed to, and who has read them.

A warning (`TaskWarning`) is addressed to a unit: every active head and liaison of the unit
sees it, and each reads it for themselves. Opening a warning writes a `WarningRead` for the
person; "mark all as read" moves the person's `WarningsReadUpTo` forward instead of writing
a row per warning. So a warning is unread for a person when it is addressed to their unit,
was raised after the moment they last marked all read, and they have not opened it. Someone
who joins a unit sees the unit's earlier warnings as unread.

Every read of the rule goes through `warnings_for` and `_not_read_by`; the writes are the
two services at the end.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from taskboard.choices import UNIT_ROLES
from taskboard.models import Profile

from .models import TaskWarning, WarningRead, WarningsReadUpTo

# Before any warning: the moment "all read up to" stands at for someone who never marked.
NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def warning_recipients() -> QuerySet[Profile]:
    """The people warnings are addressed to: the active heads and liaisons of units."""
    return Profile.objects.filter(role__in=UNIT_ROLES, user__is_active=True)


def warnings_for(user) -> QuerySet[TaskWarning]:
    """The warnings addressed to the person: their unit's, if they are its head or liaison.

    The unit is a subquery rather than read from `user.profile`, so the queryset is one
    statement wherever it is used (the bell counts it inside its own query)."""
    unit = warning_recipients().filter(user=user.pk).values("unit_id")
    return TaskWarning.objects.filter(unit_id=Subquery(unit))


def _not_read_by(reader) -> Q:
    """The warnings `reader` (a user id, or an expression giving one) has not read: raised
    after the moment they last marked all read, and not opened since."""
    up_to = WarningsReadUpTo.objects.filter(user=reader).values("read_up_to")
    opened = WarningRead.objects.filter(reader=reader, warning=OuterRef("pk"))
    # A bound rather than NOT EXISTS, so the (unit, created_at) index skips what is read.
    return Q(created_at__gt=Coalesce(Subquery(up_to), Value(NEVER))) & ~Exists(opened)


def unread_warnings(user) -> QuerySet[TaskWarning]:
    """The warnings addressed to the person that they have not read (counted by the bell)."""
    return warnings_for(user).filter(_not_read_by(user.pk))


def warnings_with_read_state(user) -> QuerySet[TaskWarning]:
    """The person's warnings, newest first, each with `unread` for them: the "预警" list."""
    unread = ExpressionWrapper(_not_read_by(user.pk), output_field=BooleanField())
    return (
        warnings_for(user)
        .select_related("task", "unit")
        .annotate(unread=unread)
        .order_by("-created_at", "-pk")
    )


def unread_warnings_of_date(*, for_date: datetime.date) -> QuerySet[TaskWarning]:
    """The date's warnings, once per person each is addressed to and unread by, with that
    person's id as `reader`: one statement for everybody's morning digest."""
    return (
        TaskWarning.objects.filter(for_date=for_date, unit__people__in=warning_recipients())
        # The same join as the filter's (annotations reuse it): one row per person.
        .annotate(reader=F("unit__people__user_id"))
        .filter(_not_read_by(OuterRef("reader")))
    )


# Marking read.


def warning_mark_read(*, user, warning: TaskWarning) -> bool:
    """Mark one warning read for the person. Returns whether it was unread; a warning
    already read (opened, or covered by "mark all as read") or not addressed to the
    person writes nothing."""
    if not unread_warnings(user).filter(pk=warning.pk).exists():
        return False
    # Two clicks at once: the unique (reader, warning) keeps one.
    WarningRead.objects.bulk_create(
        [WarningRead(warning=warning, reader_id=user.pk, read_at=timezone.now())],
        ignore_conflicts=True,
    )
    return True


@transaction.atomic
def warnings_mark_all_read(*, user) -> int:
    """Mark every warning addressed to the person read. Returns how many were unread.

    The mark moves to the newest warning the person has, not to now: a sweep still running
    has stamped its warnings with its start time, and they must stay unread when it commits.
    The person's `WarningRead` rows up to the mark say nothing more and go."""
    newest = warnings_for(user).aggregate(newest=Max("created_at"))["newest"]
    if newest is None:
        return 0
    count = unread_warnings(user).filter(created_at__lte=newest).count()
    mark, created = WarningsReadUpTo.objects.get_or_create(
        user_id=user.pk, defaults={"read_up_to": newest}
    )
    if not created:
        # Never backwards (a person moved from a unit with later warnings).
        WarningsReadUpTo.objects.filter(pk=mark.pk, read_up_to__lt=newest).update(read_up_to=newest)
    up_to = max(mark.read_up_to, newest)
    WarningRead.objects.filter(reader_id=user.pk, warning__created_at__lte=up_to).delete()
    return count
