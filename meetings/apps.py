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

        from taskboard import filters, selectors

        from .dashboard import meeting_panel, tasks_of_meeting

        filters.register_source_ref("meeting", tasks_of_meeting)
        selectors.register_source_panel(meeting_panel)
