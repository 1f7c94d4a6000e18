from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taskboard.models import Task, Unit

from .choices import DEADLINE_SOURCE_OF_KIND, FEEDBACK_CADENCE_OF_KIND, MeetingKind

MINUTES_LIMIT = 200_000
DECISION_TEXT_LIMIT = 5_000


class Meeting(models.Model):
    """A meeting whose decisions become tasks: 2026年第12次常务会议."""

    kind = models.CharField(_("kind of meeting"), max_length=20, choices=MeetingKind.choices)
    # Kept with the date so the database can hold the numbering unique per kind and year.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveSmallIntegerField(_("number"))
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chaired by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    attending_units = models.ManyToManyField(
        Unit, verbose_name=_("attending units"), blank=True, related_name="attended_meetings"
    )
    minutes = models.TextField(_("meeting minutes"), max_length=MINUTES_LIMIT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[attending_units])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="meeting_number_unique_per_kind_and_year"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="meeting_number_positive"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.year = self.date.year
        if kwargs.get("update_fields") is not None and "date" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "year"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The meeting's name as documents write it, e.g. 2026年第12次常务会议."""
        return gettext("%(year)s %(kind)s no. %(number)s") % {
            "year": self.date.year,
            "kind": self.get_kind_display(),
            "number": self.number,
        }

    @property
    def short_name(self) -> str:
        """The name within its year, e.g. 第12次常务会议."""
        return gettext("%(kind)s no. %(number)s") % {
            "kind": self.get_kind_display(),
            "number": self.number,
        }

    @property
    def deadline_source(self) -> str:
        return DEADLINE_SOURCE_OF_KIND[self.kind]

    @property
    def feedback_cadence(self) -> str:
        return FEEDBACK_CADENCE_OF_KIND[self.kind]


class Decision(models.Model):
    """One decision of a meeting (议定事项), followed up as exactly one task."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("item number"))
    text = models.TextField(_("decision text"), max_length=DECISION_TEXT_LIMIT)
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="decision"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"], name="decision_number_unique_per_meeting"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="decision_number_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Where the decision stands in its meeting, e.g. 第12次常务会议 第3项."""
        return gettext("%(meeting)s, item %(number)s") % {
            "meeting": self.meeting.short_name,
            "number": self.number,
        }
