from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGOUT = "logout", _("Log out")
    TWO_FACTOR = "two_factor", _("Two-factor code")
    WRITE = "write", _("Change")
    ACCESS = "access", _("Access")


class AuditResult(models.TextChoices):
    OK = "ok", _("Succeeded")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")
