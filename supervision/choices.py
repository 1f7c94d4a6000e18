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
