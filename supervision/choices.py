from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    """Why the daily sweep warned about a task (预警)."""

    DUE_SOON_3 = "due_soon_3", _("Due in 3 working days")
    DUE_SOON_1 = "due_soon_1", _("Due in 1 working day")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    REPORT_MISSING = "report_missing", _("Progress report missing")
    UNACKNOWLEDGED = "unacknowledged", _("Not acknowledged")


class NoticeKind(models.TextChoices):
    """The three notices of DOMAIN.md: 交办单, 催办单, 督办单."""

    ASSIGNMENT = "assignment", _("Assignment notice")
    URGE = "urge", _("Urge notice")
    SUPERVISE = "supervise", _("Supervise notice")


class NoticeState(models.TextChoices):
    """Where a notice is on its way: proposed → approved → signed → issued."""

    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    ISSUED = "issued", _("Issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NoticeAction(models.TextChoices):
    """One step of a notice's record (NoticeStep)."""

    DRAFTED = "drafted", _("Drafted")
    EDITED = "edited", _("Edited")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Sent back")
    WITHDRAWN = "withdrawn", _("Withdrawn")
