from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, AuditResult


class AuditRecordIsAppendOnly(Exception):
    """Audit records are written once and never changed or deleted by the application."""


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRecordIsAppendOnly("Audit records cannot be changed.")

    def delete(self):
        raise AuditRecordIsAppendOnly("Audit records cannot be deleted; they expire.")

    def expire(self, *, before) -> int:
        """Delete the records older than `before`: the retention job's one way to delete."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted


class AuditRecord(models.Model):
    """One audited event: a log-in, log-out, failed log-in, two-factor code, change or refusal."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the record still names the person after the account is gone, and
    # names the account a failed log-in tried.
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    result = models.CharField(_("result"), max_length=10, choices=AuditResult.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRecordIsAppendOnly("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordIsAppendOnly("Audit records cannot be deleted; they expire.")
