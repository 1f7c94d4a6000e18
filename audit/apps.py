from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Security and audit")

    def ready(self):
        # Log-ins, log-outs and failed log-ins are recorded from Django's auth signals, and
        # a fresh log-in decides whether the session still owes a TOTP code.
        from . import signals  # noqa: F401
