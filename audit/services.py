"""Writing and expiring the audit trail."""

import datetime
import logging

from django.conf import settings

from .choices import AuditAction, AuditResult
from .models import AuditRecord

logger = logging.getLogger(__name__)

# The floor: the trail is kept at least this long, whatever the configuration says.
MINIMUM_RETENTION_DAYS = 180


class RetentionTooShort(ValueError):
    """The configured retention is below the minimum the office must keep."""


def client_ip(request) -> str | None:
    """The address the lockout counts against, so the trail and django-axes agree."""
    from axes.helpers import get_client_ip_address

    if request is None:
        return None
    return get_client_ip_address(request) or None


def record_write(
    *,
    action: AuditAction,
    result: AuditResult,
    user=None,
    username: str = "",
    request=None,
    status: int | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditRecord:
    """Append one record. The person is the user if known, else the username tried."""
    if user is not None and not user.is_authenticated:
        user = None
    return AuditRecord.objects.create(
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        ip=client_ip(request),
        action=action,
        result=result,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        path=(request.get_full_path() if request is not None else "")[:500],
        method=(request.method or "") if request is not None else "",
        status=status,
    )


def retention_days() -> int:
    days = settings.AUDIT_RETENTION_DAYS
    if days < MINIMUM_RETENTION_DAYS:
        raise RetentionTooShort(
            f"AUDIT_RETENTION_DAYS is {days}; the audit trail must be kept at least "
            f"{MINIMUM_RETENTION_DAYS} days."
        )
    return days


def records_prune(*, now: datetime.datetime, days: int | None = None) -> int:
    """Delete the records older than the retention period before `now`; return how many."""
    days = retention_days() if days is None else days
    if days < MINIMUM_RETENTION_DAYS:
        raise RetentionTooShort(
            f"Retention of {days} days is below the minimum of {MINIMUM_RETENTION_DAYS}."
        )
    deleted = AuditRecord.objects.expire(before=now - datetime.timedelta(days=days))
    logger.info("audit: pruned %s records older than %s days", deleted, days)
    return deleted
