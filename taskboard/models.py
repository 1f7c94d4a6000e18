from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from .attachments import stored_name
from .choices import (
    OFFICE_ROLES,
    OPEN_STATES,
    UNIT_ROLES,
    DeadlineSource,
    DueState,
    EventKind,
    ExtensionStatus,
    FeedbackCadence,
    PeriodUnit,
    Role,
    TaskOrigin,
    TaskState,
    UnitKind,
)

# Every write to Django's users is audited too.
register(get_user_model(), app=__package__, table_name="taskboard_historicaluser")


class Unit(models.Model):
    """A department, district, township or special body that can own tasks."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """A person's place in the office: their unit, role and (for leaders) portfolio."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    portfolio = models.ManyToManyField(
        Unit, verbose_name=_("portfolio"), blank=True, related_name="portfolio_leaders"
    )
    history = HistoricalRecords(m2m_fields=[portfolio])

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="profile_role_valid"),
            models.CheckConstraint(
                condition=~Q(role__in=[Role.UNIT_HEAD, Role.UNIT_LIAISON]) | Q(unit__isnull=False),
                name="profile_unit_staff_have_unit",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()})"
        )

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES

    @property
    def is_unit_staff(self) -> bool:
        return self.role in UNIT_ROLES


def role_of(user) -> str | None:
    """The role a user acts in; superusers act as administrators."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskQuerySet:
        """The tasks this person may see. Every task query for a person starts here."""
        role = role_of(user)
        if role in {Role.ADMINISTRATOR, Role.PRINCIPAL_LEADER, *OFFICE_ROLES}:
            return self.all()
        if role in UNIT_ROLES:
            return self.involving_units(Unit.objects.filter(pk=user.profile.unit_id))
        if role == Role.PORTFOLIO_LEADER:
            portfolio = user.profile.portfolio.all()
            return self.filter(
                Q(lead_leader=user) | Q(pk__in=self.involving_units(portfolio).values("pk"))
            )
        if role == Role.COPY_RECIPIENT:
            # Copy recipients follow the overdue items they are copied on, read only.
            return self.open().filter(deadline__lt=timezone.localdate())
        return self.none()

    def involving_units(self, units) -> TaskQuerySet:
        """Tasks that any of these units leads or cooperates on."""
        co_unit = Task.co_units.through.objects.filter(task=OuterRef("pk"), unit__in=units)
        return self.filter(Q(lead_unit__in=units) | Exists(co_unit))

    def open(self) -> TaskQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Task(models.Model):
    """One line of the ledger: a piece of assigned work followed until it is closed."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    requirement = models.TextField(_("requirement"), max_length=20_000, blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=TaskOrigin.choices)
    deadline_source = models.CharField(
        _("deadline rule"), max_length=30, choices=DeadlineSource.choices, blank=True
    )
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("co-units"), blank=True, related_name="co_tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    feedback_cadence = models.CharField(
        _("feedback cadence"),
        max_length=20,
        choices=FeedbackCadence.choices,
        default=FeedbackCadence.MONTHLY,
    )
    publicly_listed = models.BooleanField(_("publicly listed"), default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=TaskState.choices, default=TaskState.DRAFT
    )
    due_state = models.CharField(
        _("light"), max_length=10, choices=DueState.choices, default=DueState.NONE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # When the lead unit last reported progress: kept by `task_report_progress`, so the
    # daily sweep finds the tasks missing this period's report with a plain scan instead
    # of probing the progress reports of every running task.
    last_reported_at = models.DateTimeField(
        _("last progress report at"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[co_units], excluded_fields=["last_reported_at"])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-year", "-code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="task_code_unique_per_year"),
            models.CheckConstraint(
                condition=Q(state__in=TaskState.values), name="task_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_state__in=DueState.values), name="task_due_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=TaskOrigin.values), name="task_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True)
                | Q(assigned_on__isnull=True)
                | Q(deadline__gte=F("assigned_on")),
                name="task_deadline_not_before_assignment",
            ),
            models.CheckConstraint(
                condition=Q(state=TaskState.DRAFT)
                | Q(state=TaskState.CANCELLED)
                | (Q(assigned_on__isnull=False) & Q(deadline__isnull=False)),
                name="task_assigned_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["lead_unit", "state"]),
            models.Index(fields=["due_state"]),
            # The dashboard's overdue list (selectors._longest_overdue): the red tasks in
            # (deadline, code) order, carrying every column its filters read, so PostgreSQL
            # walks it index-only and stops at the twentieth match whatever the filters
            # (a period and a kind of source: 0.4 s -> 6 ms at a million tasks; see
            # docs/benchmarks.md). Key columns, not INCLUDE, so SQLite builds it too.
            models.Index(
                fields=[
                    "deadline",
                    "code",
                    "id",
                    "state",
                    "year",
                    "origin",
                    "deadline_source",
                    "assigned_on",
                    "lead_unit",
                    "lead_leader",
                ],
                condition=Q(due_state=DueState.RED),
                name="task_overdue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        if self.deadline and self.assigned_on and self.deadline < self.assigned_on:
            raise ValidationError(
                {"deadline": _("The deadline cannot be before the assignment date.")}
            )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def deadline_rule(self) -> DeadlineRule | None:
        if not self.deadline_source:
            return None
        return DeadlineRule.objects.filter(source=self.deadline_source).first()

    @property
    def extended(self) -> bool:
        return bool(self.original_deadline and self.original_deadline != self.deadline)


def feedback_period_start(cadence: str, day: datetime.date) -> datetime.date | None:
    """The first day of the reporting period `day` falls in; None when no report is due."""
    if cadence == FeedbackCadence.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if cadence == FeedbackCadence.MONTHLY:
        return day.replace(day=1)
    if cadence == FeedbackCadence.QUARTERLY:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return None


class Milestone(models.Model):
    """A point of a task's schedule (时序进度): by this date, this much done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    planned_on = models.DateField(_("planned date"))
    percent = models.PositiveSmallIntegerField(_("planned percent"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100),
                name="milestone_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.description or f'{self.percent}%'}"


class AppendOnly(models.Model):
    """A row that is written once and never changed or deleted by the application."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("This record is append-only and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("This record is append-only and cannot be deleted."))


class ProgressReport(AppendOnly):
    """A unit's report of how far a task has come (反馈). Append-only."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="progress_reports")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"))
    text = models.TextField(_("progress"), max_length=20_000)
    percent = models.PositiveSmallIntegerField(_("percent done"))
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone reached"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_repeat = models.BooleanField(_("repeats the previous report"), default=False)
    consolidated_parts = models.ManyToManyField(
        "CoUnitPart",
        verbose_name=_("co-unit parts consolidated"),
        blank=True,
        related_name="consolidated_into",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="report_percent_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["task", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.task.code} {self.percent}%"


class TaskEvent(AppendOnly):
    """One entry of a task's timeline: who did what, when. Append-only."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_state = models.CharField(_("from state"), max_length=20, choices=TaskState.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=TaskState.choices)
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["task", "at"])]

    def __str__(self) -> str:
        return f"{self.task.code} {self.get_kind_display()}"


class ExtensionRequest(models.Model):
    """A unit's request to move a deadline, decided by whoever assigned the task."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.TextField(_("reason"), max_length=5_000)
    current_deadline = models.DateField(_("deadline when requested"))
    proposed_deadline = models.DateField(_("proposed deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposed_deadline__gt=F("current_deadline")),
                name="extension_moves_deadline_later",
            ),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="one_pending_extension_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} → {self.proposed_deadline}"


class YearSequence(models.Model):
    """The last number handed out in a numbered series for a year (task codes, notices)."""

    series = models.CharField(_("series"), max_length=30)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("numbering sequence")
        verbose_name_plural = _("numbering sequences")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="sequence_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class WorkdayOverride(models.Model):
    """A correction to the official calendar: a holiday, or a weekend made a working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working-day correction")
        verbose_name_plural = _("working-day corrections")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class DeadlineRule(models.Model):
    """How long a source kind allows for issuing the assignment notice and for feedback."""

    source = models.CharField(
        _("source"), max_length=30, choices=DeadlineSource.choices, unique=True
    )
    issuance_amount = models.PositiveSmallIntegerField(_("issue notice within"))
    issuance_unit = models.CharField(
        _("unit of issuance period"), max_length=10, choices=PeriodUnit.choices
    )
    feedback_amount = models.PositiveSmallIntegerField(_("feedback within"))
    feedback_unit = models.CharField(
        _("unit of feedback period"), max_length=10, choices=PeriodUnit.choices
    )
    feedback_to = models.CharField(_("feedback goes to"), max_length=50, blank=True)
    extension_decided_by_portfolio_leader = models.BooleanField(
        _("extensions decided by the portfolio leader"), default=False
    )
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["source"]

    def __str__(self) -> str:
        return self.get_source_display()


class CoUnitPart(AppendOnly):
    """A co-unit's contribution, submitted to the lead unit for its report (会签). Append-only."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="co_unit_parts")
    unit = models.ForeignKey(
        Unit, verbose_name=_("co-unit"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    text = models.TextField(_("contribution"), max_length=20_000)

    class Meta:
        verbose_name = _("co-unit part")
        verbose_name_plural = _("co-unit parts")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.unit}"


class CoordinationRequest(models.Model):
    """A problem the unit cannot solve alone, raised to the portfolio leader (提请协调)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="coordination_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    tried = models.TextField(_("what has been tried"), max_length=5_000)
    disagreement = models.TextField(_("where the parties disagree"), max_length=5_000)
    proposal = models.TextField(_("proposal"), max_length=5_000)
    answer = models.TextField(_("answer"), max_length=5_000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coordination request")
        verbose_name_plural = _("coordination requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.task.code} {self.requested_at:%Y-%m-%d}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Attachment(models.Model):
    """A file given as evidence with a progress report, a co-unit part or a closure request."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="attachments")
    report = models.ForeignKey(
        ProgressReport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    part = models.ForeignKey(
        CoUnitPart, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    event = models.ForeignKey(
        TaskEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=stored_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """An in-app message telling a person that something happened on a task."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        TaskEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_event_and_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.get_kind_display()}"


class ApiToken(models.Model):
    """A key an integration uses to call the API as one service account (its role and unit).
    Only a hash of the key is kept; the key itself is shown once, when it is created."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BehindSchedule(models.Model):
    """A running task whose latest progress is below the milestone due (落后于时序进度), as of
    its last light refresh. Kept by `due_states_refresh` beside the light, so the tallies can
    tell a yellow light that is only due soon from one that is behind schedule."""

    task = models.OneToOneField(
        Task, primary_key=True, on_delete=models.CASCADE, related_name="behind_schedule"
    )

    class Meta:
        verbose_name = _("task behind schedule")
        verbose_name_plural = _("tasks behind schedule")

    def __str__(self) -> str:
        return str(self.task_id)


class Tally(models.Model):
    """How many tasks share one combination of the dashboard's dimensions (a summary kept
    exact by the services as tasks change; see taskboard/tallies.py). `grain` says which
    dimensions the row keeps: the others are 0 or blank. `unit` is the lead unit, or the
    co-unit in the co-unit grains; `leader` and `month` (YYYYMM assigned) are 0 for none."""

    grain = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveIntegerField(default=0)
    origin = models.CharField(max_length=20)
    source = models.CharField(max_length=30)
    unit = models.BigIntegerField(default=0)
    leader = models.BigIntegerField(default=0)
    standing = models.CharField(max_length=12)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "year", "month", "origin", "source", "unit", "leader", "standing"],
                name="tally_one_row_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["grain", "year", "unit"], name="tally_grain_unit"),
            models.Index(fields=["grain", "year", "leader"], name="tally_grain_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.year} {self.standing}: {self.count}"
