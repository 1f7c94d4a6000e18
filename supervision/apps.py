from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from taskboard import context_processors, hooks

        from . import delivery, warning_reads

        # Email and SMS for those who want each notification at once.
        hooks.after_notifications(delivery.notifications_written)
        # The sweep's warnings counted beside the bell (one query with it).
        context_processors.unread_counter("unread_warning_count", warning_reads.unread_warnings)
        from . import notices

        # A task assigned gets its assignment notice (交办单), numbered and issued.
        hooks.after_event(notices.on_task_event)
