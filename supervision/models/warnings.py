from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taskboard.models import Task, Unit

from ..choices import WarningKind

# The warning's foreign keys have no database constraint: the sweep writes every row with
# one INSERT … SELECT that joins the rows referred to, so a constraint check would only
# repeat that join row by row at commit (half the sweep's time at a million tasks, as
# key-share locks on tasks, units and users). Deletions still cascade or are refused by
# the ORM. The reads, written one click at a time, keep theirs.


class TaskWarning(models.Model):
    """One warning the daily sweep raised about a task for a date; at most one per kind."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="warnings", db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices)
    for_date = models.DateField(_("for date"))
    # Warnings go to the unit; each of its heads and liaisons reads them for themselves
    # (`WarningRead`), so the sweep writes nothing per person. No index of its own: the
    # (unit, created_at) one below serves the unit's list and its unread count.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
        indexes = [models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.for_date} {self.get_kind_display()} {self.task_id}"


class WarningRead(models.Model):
    """A person has read one warning addressed to their unit (opened it from the list)."""

    warning = models.ForeignKey(
        TaskWarning, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="reads"
    )
    # No index of its own: the unique (reader, warning) below starts with it and serves
    # "which of these has the person read".
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.CASCADE,
        related_name="warning_reads",
        db_index=False,
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("warning read")
        verbose_name_plural = _("warnings read")
        ordering = ["-read_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "warning"], name="one_read_per_person_and_warning"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader} {self.warning}"


class WarningsReadUpTo(models.Model):
    """The moment up to which a person has marked all their warnings read.

    "Mark all as read" moves it forward instead of writing a row per warning: a warning
    raised at or before it is read for the person, one raised after it is unread until
    they open it (a `WarningRead`) or mark all read again.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="warnings_read_up_to",
    )
    read_up_to = models.DateTimeField(_("all read up to"))

    class Meta:
        verbose_name = _("warnings read up to")
        verbose_name_plural = _("warnings read up to")

    def __str__(self) -> str:
        return f"{self.user} {self.read_up_to}"


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
