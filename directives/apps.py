from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = _("Reports, instructions and proposals")

    def ready(self) -> None:
        from taskboard import ledger, sources

        from .ledger import (
            INSTRUCTION_LEDGER,
            PROPOSAL_LEDGER,
            SUPERIOR_LEDGER,
            TARGET_LEDGER,
        )
        from .sources import task_source

        sources.register(task_source)
        for spec in (PROPOSAL_LEDGER, TARGET_LEDGER, INSTRUCTION_LEDGER, SUPERIOR_LEDGER):
            ledger.register(spec)
