from django.db import models
from django.utils.translation import gettext_lazy as _

from taskboard.choices import DeadlineSource, FeedbackCadence


class MeetingKind(models.TextChoices):
    """The meetings whose decisions the government follows up (DOMAIN.md, source 2)."""

    PLENARY = "plenary", _("Plenary meeting")
    EXECUTIVE = "executive", _("Executive meeting")
    OFFICE = "office", _("Mayor's or county head's office meeting")
    TOPIC = "topic", _("Topic meeting")
    WEEKLY = "weekly", _("Weekly work meeting")
    PARTY_STANDING = "party_standing", _("Party standing committee meeting")
    SECRETARY_TOPIC = "secretary_topic", _("Party secretary's topic meeting")
    SPECIAL_BODY = "special_body", _("Special body meeting")


# Which deadline rule a meeting's decisions follow.
DEADLINE_SOURCE_OF_KIND = {
    MeetingKind.PLENARY: DeadlineSource.PLENARY_MEETING,
    MeetingKind.EXECUTIVE: DeadlineSource.EXECUTIVE_MEETING,
    MeetingKind.OFFICE: DeadlineSource.OFFICE_MEETING,
    MeetingKind.TOPIC: DeadlineSource.TOPIC_MEETING,
    MeetingKind.WEEKLY: DeadlineSource.WEEKLY_MEETING,
    MeetingKind.PARTY_STANDING: DeadlineSource.PARTY_MEETING,
    MeetingKind.SECRETARY_TOPIC: DeadlineSource.PARTY_MEETING,
    MeetingKind.SPECIAL_BODY: DeadlineSource.SPECIAL_BODY,
}

# How often units report on a decision: those with a month for feedback report monthly,
# the weekly meeting's weekly, the short ones once, when done.
FEEDBACK_CADENCE_OF_KIND = {
    MeetingKind.PLENARY: FeedbackCadence.MONTHLY,
    MeetingKind.EXECUTIVE: FeedbackCadence.ONCE,
    MeetingKind.OFFICE: FeedbackCadence.ONCE,
    MeetingKind.TOPIC: FeedbackCadence.ONCE,
    MeetingKind.WEEKLY: FeedbackCadence.WEEKLY,
    MeetingKind.PARTY_STANDING: FeedbackCadence.MONTHLY,
    MeetingKind.SECRETARY_TOPIC: FeedbackCadence.MONTHLY,
    MeetingKind.SPECIAL_BODY: FeedbackCadence.ONCE,
}
