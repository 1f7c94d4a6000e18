"""The audit trail's retention job: a thin wrapper around the service."""

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from .services import records_prune


@shared_task(
    name="audit.prune",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def prune() -> int:
    """Delete the audit records older than AUDIT_RETENTION_DAYS."""
    return records_prune(now=timezone.now())
