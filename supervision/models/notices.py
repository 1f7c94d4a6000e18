"""Notices (交办单, 催办单, 督办单), the record of their steps, and who receives copies."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taskboard.models import AppendOnly, Task, Unit

from ..choices import NoticeAction, NoticeKind, NoticeState

__all__ = ["NOTICE_KINDS", "CopyRecipient", "Notice", "NoticeKindSpec", "NoticeStep"]


@dataclass(frozen=True)
class NoticeKindSpec:
    """How a kind of notice is numbered and titled."""

    series: str  # taskboard.YearSequence series: numbered per kind and year
    prefix: str  # 文号 prefix: 督办〔2026〕15号 (the number is official text, never translated)
    title: Promise  # the document's title
    chain: bool  # goes through proposed → approved → signed before it is issued


NOTICE_KINDS: dict[str, NoticeKindSpec] = {
    NoticeKind.ASSIGNMENT: NoticeKindSpec(
        "notice_assignment", "交办", _("Supervision item assignment notice"), chain=False
    ),
    NoticeKind.URGE: NoticeKindSpec("notice_urge", "催办", _("Supervision urge notice"), True),
    NoticeKind.SUPERVISE: NoticeKindSpec(
        "notice_supervise", "督办", _("Supervision supervise notice"), True
    ),
}


class CopyRecipient(models.Model):
    """A body that receives copies (抄送) of notices: its unit's staff and its named people
    see them in the app."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The staff of this unit see the notices copied to it."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people"),
        blank=True,
        related_name="copy_recipients",
        help_text=_("People (usually with the copy recipient role) who see the copies."),
    )
    for_assignment = models.BooleanField(_("copied on assignment notices"), default=False)
    for_urge = models.BooleanField(_("copied on urge notices"), default=True)
    for_supervise = models.BooleanField(_("copied on supervise notices"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    history = HistoricalRecords(m2m_fields=[users])

    class Meta:
        verbose_name = _("copy recipient")
        verbose_name_plural = _("copy recipients")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def defaults_for(cls, kind: str) -> models.QuerySet[CopyRecipient]:
        return cls.objects.filter(is_active=True, **{f"for_{kind}": True})


class Notice(models.Model):
    """A notice to the units about one or more tasks; numbered when it is issued."""

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    body = models.TextField(_("text"), max_length=20_000)
    tasks = models.ManyToManyField(Task, verbose_name=_("tasks"), related_name="notices")
    recipients = models.ManyToManyField(
        Unit, verbose_name=_("recipients"), related_name="notices_received"
    )
    copy_recipients = models.ManyToManyField(
        CopyRecipient, verbose_name=_("copy to"), blank=True, related_name="notices"
    )
    # The claim of a notice written by the system (the assignment notice, the automatic
    # urge and supervise drafts): the task and the deadline it was written for, unique per
    # kind. A second run of the drafting job, in parallel or not, runs into this key instead
    # of drafting again; notices drafted by hand leave both empty (NULLs never clash).
    auto_task = models.ForeignKey(
        Task,
        verbose_name=_("written automatically for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    auto_deadline = models.DateField(_("for the deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="notice_number_unique_per_kind_and_year"
            ),
            models.UniqueConstraint(
                fields=["kind", "auto_task", "auto_deadline"],
                name="one_automatic_notice_per_kind_task_and_deadline",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=NoticeState.values), name="notice_state_valid"
            ),
            # A number exactly when issued: numbers are handed out at issue, never before.
            models.CheckConstraint(
                condition=(
                    Q(state=NoticeState.ISSUED, number__isnull=False, issued_at__isnull=False)
                    | (~Q(state=NoticeState.ISSUED) & Q(number__isnull=True))
                ),
                name="notice_numbered_when_issued",
            ),
        ]
        indexes = [models.Index(fields=["state", "kind"], name="notice_state_kind_idx")]

    def __str__(self) -> str:
        return self.number_text or f"{self.get_kind_display()} #{self.pk}"

    @property
    def spec(self) -> NoticeKindSpec:
        return NOTICE_KINDS[self.kind]

    @property
    def number_text(self) -> str:
        """督办〔2026〕15号; empty until the notice is issued."""
        if self.number is None:
            return ""
        return f"{self.spec.prefix}〔{self.year}〕{self.number}号"

    @property
    def is_issued(self) -> bool:
        return self.state == NoticeState.ISSUED


class NoticeStep(AppendOnly):
    """One step of a notice's way: who drafted, proposed, approved, signed, issued or sent
    it back, when, and why. Append-only."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("step"), max_length=20, choices=NoticeAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_state = models.CharField(_("from state"), max_length=20, choices=NoticeState.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=NoticeState.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("notice step")
        verbose_name_plural = _("notice steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice} {self.get_action_display()}"
