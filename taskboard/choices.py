from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    DISTRICT = "district", _("District or county")
    TOWNSHIP = "township", _("Township or subdistrict")
    SPECIAL_BODY = "special_body", _("Special body")
    OFFICE = "office", _("General office")
    OVERSIGHT = "oversight", _("Oversight body")


class Role(models.TextChoices):
    OFFICE_STAFF = "office_staff", _("Supervision office staff")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy office director")
    UNIT_HEAD = "unit_head", _("Unit head")
    UNIT_LIAISON = "unit_liaison", _("Unit liaison")
    PORTFOLIO_LEADER = "portfolio_leader", _("Portfolio leader")
    PRINCIPAL_LEADER = "principal_leader", _("Principal leader")
    COPY_RECIPIENT = "copy_recipient", _("Copy recipient")
    ADMINISTRATOR = "administrator", _("Administrator")


OFFICE_ROLES = {Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR, Role.DEPUTY_DIRECTOR}
UNIT_ROLES = {Role.UNIT_HEAD, Role.UNIT_LIAISON}


class TaskOrigin(models.TextChoices):
    """Where a task came from. Source apps link their rows to tasks on their own side."""

    WORK_REPORT = "work_report", _("Work report target")
    MEETING = "meeting", _("Meeting decision")
    INSTRUCTION = "instruction", _("Leader instruction")
    SUPERIOR = "superior", _("Assignment from above")
    PROPOSAL = "proposal", _("Deputies' suggestion or members' proposal")
    KEY_PROJECT = "key_project", _("Key project or practical matter")
    OTHER = "other", _("Other")


class DeadlineSource(models.TextChoices):
    """The finer kinds of source the deadline rules of DOMAIN.md distinguish."""

    WORK_REPORT = "work_report", _("Work report decomposition")
    PLENARY_MEETING = "plenary_meeting", _("Plenary meeting")
    EXECUTIVE_MEETING = "executive_meeting", _("Executive meeting")
    OFFICE_MEETING = "office_meeting", _("Mayor's or county head's office meeting")
    TOPIC_MEETING = "topic_meeting", _("Topic meeting")
    WEEKLY_MEETING = "weekly_meeting", _("Weekly work meeting")
    PARTY_MEETING = "party_meeting", _("Party standing committee or secretary's topic meeting")
    SPECIAL_BODY = "special_body", _("Special body decision")
    PRINCIPAL_INSTRUCTION = "principal_instruction", _("Principal leader's instruction")
    PORTFOLIO_INSTRUCTION = "portfolio_instruction", _("Portfolio leader's instruction")
    SUPERIOR = "superior", _("Assignment from above")
    PROPOSAL = "proposal", _("Deputies' suggestion or members' proposal")
    KEY_PROJECT = "key_project", _("Key project or practical matter")


class PeriodUnit(models.TextChoices):
    WORKDAY = "workday", _("working days")
    DAY = "day", _("calendar days")
    WEEK = "week", _("weeks")
    MONTH = "month", _("months")


class TaskState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ASSIGNED = "assigned", _("Assigned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# States in which a task is still being worked on and its deadline runs.
OPEN_STATES = {
    TaskState.ASSIGNED,
    TaskState.ACKNOWLEDGED,
    TaskState.IN_PROGRESS,
    TaskState.CLOSURE_REQUESTED,
    TaskState.RETURNED,
}


class DueState(models.TextChoices):
    NONE = "none", _("Not running")
    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Due soon or behind schedule")
    RED = "red", _("Overdue")


class FeedbackCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ONCE = "once", _("Once, at completion")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ASSIGNED = "assigned", _("Assigned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PROGRESS_REPORTED = "progress_reported", _("Progress reported")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REJECTED = "extension_rejected", _("Extension rejected")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    CANCELLED = "cancelled", _("Cancelled")
    EDITED = "edited", _("Details changed")
    REOPENED = "reopened", _("Reopened")
    PART_SUBMITTED = "part_submitted", _("Co-unit part submitted")
    COORDINATION_REQUESTED = "coordination_requested", _("Coordination requested")
    COORDINATION_ANSWERED = "coordination_answered", _("Coordination answered")
    # Written by supervision when an urge or supervise notice listing the task is issued.
    NOTICE_ISSUED = "notice_issued", _("Urge or supervise notice issued")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
