"""The sources of work this app registers: work-report targets, leader instructions,
assignments from above and deputies' proposals. Each links to its task(s) on its own side;
who leads, who cooperates, the deadline and the schedule live on the task."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taskboard.attachments import stored_name
from taskboard.models import Task

from .choices import InstructionKind, ProposalKind, Satisfaction

TEXT_LIMIT = 20_000


class WorkReport(models.Model):
    """A year's government work report (or economic work conference report) whose main
    targets are decomposed into tasks."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    session_ended_on = models.DateField(_("session ended on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="work_report_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def default_deadline(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


class Target(models.Model):
    """One main target of a work report (目标任务), followed as one task."""

    report = models.ForeignKey(
        WorkReport, verbose_name=_("work report"), on_delete=models.PROTECT, related_name="targets"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    chapter = models.CharField(_("chapter or category"), max_length=100, blank=True)
    text = models.TextField(_("target"), max_length=TEXT_LIMIT)
    indicator = models.CharField(_("indicator"), max_length=200, blank=True)
    target_value = models.CharField(_("target value"), max_length=100, blank=True)
    task = models.OneToOneField(
        Task,
        verbose_name=_("task"),
        on_delete=models.PROTECT,
        related_name="work_report_target",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work report target")
        verbose_name_plural = _("work report targets")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="target_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.number}"


class Instruction(models.Model):
    """A leader's instruction (批示) on a document or letter, or during a field visit."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    issued_on = models.DateField(_("date of the instruction"))
    kind = models.CharField(_("kind"), max_length=20, choices=InstructionKind.choices)
    reference = models.CharField(_("document or letter"), max_length=200, blank=True)
    text = models.TextField(_("instruction"), max_length=TEXT_LIMIT)
    attachment = models.FileField(
        _("attachment"), upload_to=stored_name, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="instruction"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader instruction")
        verbose_name_plural = _("leader instructions")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InstructionKind.values), name="instruction_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.issued_on}"


class SuperiorAssignment(models.Model):
    """An assignment from above (上级交办), e.g. an inspection team's rectification list."""

    issuing_body = models.CharField(_("issuing body"), max_length=100)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    received_on = models.DateField(_("received on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment from above")
        verbose_name_plural = _("assignments from above")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.issuing_body} {self.reference}".strip()


class AssignmentItem(models.Model):
    """One item of an assignment from above, followed as one task."""

    assignment = models.ForeignKey(
        SuperiorAssignment,
        verbose_name=_("assignment from above"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("item"), max_length=TEXT_LIMIT)
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="assignment_item"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assigned item")
        verbose_name_plural = _("assigned items")
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "number"], name="assignment_item_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.number}"


class Proposal(models.Model):
    """A deputy's suggestion (人大代表建议) or a member's proposal (政协委员提案)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    proposer = models.CharField(_("proposer"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), max_length=TEXT_LIMIT, blank=True)
    received_on = models.DateField(_("received on"))
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="proposal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suggestion or proposal")
        verbose_name_plural = _("suggestions and proposals")
        ordering = ["-year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "number"], name="proposal_number_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProposalKind.values), name="proposal_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.number}"


class ProposalReply(models.Model):
    """A reply to a proposal and, once known, the proposer's satisfaction with it. A second
    handling after 不满意 gets a reply of its own (round 2)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    text = models.TextField(_("reply"), max_length=TEXT_LIMIT)
    replied_on = models.DateField(_("replied on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    satisfaction_note = models.TextField(_("note on satisfaction"), max_length=5_000, blank=True)
    satisfaction_recorded_at = models.DateTimeField(
        _("satisfaction recorded at"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reply to a proposal")
        verbose_name_plural = _("replies to proposals")
        ordering = ["proposal", "round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="one_reply_per_round"),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(satisfaction__in=Satisfaction.values),
                name="reply_satisfaction_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} {self.round}"
