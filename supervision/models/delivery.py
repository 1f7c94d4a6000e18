"""Sending notifications out of the app: each person's channels, and the delivery log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taskboard.models import TaskEvent

__all__ = ["Channel", "ChannelPreference", "Delivery", "DeliveryMode", "DeliveryStatus"]


class Channel(models.TextChoices):
    """Where a message goes besides the app (in-app notifications are always on)."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class DeliveryMode(models.TextChoices):
    """How a person wants a channel used."""

    OFF = "off", _("Off")
    IMMEDIATE = "immediate", _("Each notification at once")
    DIGEST = "digest", _("One daily digest")
    URGENT = "urgent", _("Urgent matters only, at once")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred (quiet hours)")
    FAILED = "failed", _("Failed")


# Email has no "urgent only": an urgent matter is not more urgent by email.
EMAIL_MODES = [DeliveryMode.OFF, DeliveryMode.IMMEDIATE, DeliveryMode.DIGEST]

# What a person gets until they say otherwise: email once a day, SMS for urgent matters.
DEFAULT_MODES = {Channel.EMAIL: DeliveryMode.DIGEST, Channel.SMS: DeliveryMode.URGENT}


class ChannelPreference(models.Model):
    """How one person wants to be told besides the app: a mode per channel."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference"
    )
    email_mode = models.CharField(
        _("email"),
        max_length=10,
        choices=[(m.value, m.label) for m in EMAIL_MODES],
        default=DEFAULT_MODES[Channel.EMAIL],
    )
    sms_mode = models.CharField(
        _("SMS"), max_length=10, choices=DeliveryMode.choices, default=DEFAULT_MODES[Channel.SMS]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_mode__in=EMAIL_MODES),
                name="channel_preference_email_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(sms_mode__in=DeliveryMode.values),
                name="channel_preference_sms_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def mode(self, channel: str) -> str:
        return self.email_mode if channel == Channel.EMAIL else self.sms_mode


class Delivery(models.Model):
    """One message sent (or to be sent) to one person on one channel: the delivery log."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("message subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    # What it covers: the task event of an immediate message, or the date of a digest.
    event = models.ForeignKey(
        TaskEvent,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    digest_date = models.DateField(_("digest of"), null=True, blank=True)
    # The notifications and warnings a digest lists, by id.
    covers = models.JSONField(_("covers"), default=dict, blank=True)
    status = models.CharField(
        _("delivery status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The claims: a digest job or a hook that runs twice, or in parallel, inserts
            # against these keys and sends nothing twice.
            models.UniqueConstraint(
                fields=["recipient", "channel", "digest_date"],
                condition=Q(digest_date__isnull=False),
                name="one_digest_per_person_channel_and_date",
            ),
            models.UniqueConstraint(
                fields=["recipient", "channel", "event"],
                condition=Q(event__isnull=False),
                name="one_delivery_per_person_channel_and_event",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="delivery_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
        ]
        indexes = [
            # The retry job's scan: what is waiting and due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "deferred", "sending"]),
                name="delivery_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.subject or self.body[:30]}"
