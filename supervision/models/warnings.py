from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taskboard.models import Task, Unit

from ..choices import WarningKind

# Foreign keys without a database constraint: the sweep writes every row with one
# INSERT … SELECT that joins the rows referred to, so a constraint check would only repeat
# that join row by row at commit (half the sweep's time at a million tasks, as key-share
# locks on tasks, units and users). Deletions still cascade or are refused by the ORM.


class TaskWarning(models.Model):
    """One warning the daily sweep raised about a task for a date; at most one per kind."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="warnings", db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices)
    for_date = models.DateField(_("for date"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-for_date", "kind", "task"]
        constraints = [
            # The claim: a sweep that runs twice, in parallel or after a crash, inserts
            # with ON CONFLICT DO NOTHING against this key. Date first, for the
            # "warnings of a day" queries.
            models.UniqueConstraint(
                fields=["for_date", "kind", "task"], name="one_warning_per_task_kind_and_date"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=WarningKind.values), name="warning_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.for_date} {self.get_kind_display()} {self.task_id}"


class WarningNotice(models.Model):
    """An in-app message telling one person of the addressed unit about a warning."""

    # No index of its own: the unique (warning, recipient) below starts with it.
    warning = models.ForeignKey(
        TaskWarning,
        on_delete=models.CASCADE,
        related_name="notices",
        db_index=False,
        db_constraint=False,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="warning_notices",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning notice")
        verbose_name_plural = _("warning notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "recipient"], name="one_notice_per_warning_and_person"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient} {self.warning}"


class SweepRun(models.Model):
    """A date the daily sweep has covered, so a worker coming back knows what it missed."""

    for_date = models.DateField(_("for date"), unique=True)
    finished_at = models.DateTimeField(_("finished at"))
    counts = models.JSONField(_("rows written"), default=dict)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-for_date"]

    def __str__(self) -> str:
        return str(self.for_date)
