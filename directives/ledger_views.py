"""The ledger of suggestions and proposals as Excel: template, export of the listed
proposals, import. The pages themselves are the task ledger's, for this ledger."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from taskboard import ledger_views
from taskboard.models import Task

from .filters import ProposalFilter
from .ledger import LEDGER_NAME
from .models import Proposal
from .views import viewer_required

ledger_template = ledger_views.template_view(LEDGER_NAME, "建议提案台账导入模板.xlsx")

ledger_import = ledger_views.import_view(
    LEDGER_NAME,
    title=gettext_lazy("Import suggestions and proposals"),
    template_url="directives:proposal_ledger_template",
    back_url="directives:proposal_list",
    back_label=gettext_lazy("Back to the suggestions and proposals"),
)


@viewer_required
@require_GET
def ledger_export(request):
    """The proposals the list shows (same filters) whose tasks this person may see."""
    tasks = Task.objects.visible_to(request.user)
    filterset = ProposalFilter(
        request.GET or None, queryset=Proposal.objects.filter(task__in=tasks)
    )
    # As on the list: an invalid filter exports nothing, never more than was asked for.
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Some filters are not valid; correct them on the list, then export again.")
        )
    return ledger_views.export_response(
        spec_name=LEDGER_NAME,
        tasks=tasks.filter(proposal__in=filterset.qs),
        filename="建议提案台账",
    )
