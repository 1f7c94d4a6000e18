from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from taskboard import ledger, sources

        from .ledger import MEETING_LEDGER
        from .sources import decision_of_task

        sources.register(decision_of_task)
        ledger.register(MEETING_LEDGER)
