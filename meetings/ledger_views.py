"""The ledger of meeting decisions as Excel: template, export of the listed meetings'
decisions, import. The pages themselves are the task ledger's, for this ledger."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from taskboard import ledger_views
from taskboard.models import Task

from .filters import MeetingFilter
from .ledger import LEDGER_NAME
from .models import Meeting
from .services import may_read_minutes
from .views import viewer_required

ledger_template = ledger_views.template_view(LEDGER_NAME, "会议议定事项台账导入模板.xlsx")

ledger_import = ledger_views.import_view(
    LEDGER_NAME,
    title=gettext_lazy("Import meeting decisions"),
    template_url="meetings:ledger_template",
    back_url="meetings:index",
    back_label=gettext_lazy("Back to the meetings"),
)


@viewer_required
@require_GET
def ledger_export(request):
    """The decisions of the meetings the list shows (same filters) that this person may see."""
    tasks = Task.objects.visible_to(request.user)
    filterset = MeetingFilter(
        request.GET or None,
        queryset=Meeting.objects.all(),
        tasks=tasks,
        read_minutes=may_read_minutes(request.user),
    )
    # As on the list: an invalid filter exports nothing, never more than was asked for.
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Some filters are not valid; correct them on the meeting list, then export again.")
        )
    return ledger_views.export_response(
        spec_name=LEDGER_NAME,
        tasks=tasks.filter(decision__meeting__in=filterset.qs),
        filename="会议议定事项台账",
    )
