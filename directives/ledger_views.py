"""The ledger of suggestions and proposals as Excel: template, export of the listed
proposals, import. The pages themselves are the task ledger's, for this ledger."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from taskboard import ledger_views
from taskboard.models import Task

from .filters import InstructionFilter, ProposalFilter, SuperiorAssignmentFilter, WorkReportFilter
from .ledger import (
    INSTRUCTION_LEDGER_NAME,
    LEDGER_NAME,
    SUPERIOR_LEDGER_NAME,
    TARGET_LEDGER_NAME,
)
from .models import Instruction, Proposal, SuperiorAssignment, WorkReport
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


# ---------------------------------------------------------------------------
# Work-report targets, leader instructions (and assignments from above)


def _source_export(request, *, filterset_class, queryset, tasks_of, spec_name, filename):
    """The rows the source list shows (same filters), as tasks this person may see."""
    tasks = Task.objects.visible_to(request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Some filters are not valid; correct them on the list, then export again.")
        )
    return ledger_views.export_response(
        spec_name=spec_name, tasks=tasks.filter(**{tasks_of: filterset.qs}), filename=filename
    )


target_ledger_template = ledger_views.template_view(
    TARGET_LEDGER_NAME, "政府工作报告目标任务台账导入模板.xlsx"
)

target_ledger_import = ledger_views.import_view(
    TARGET_LEDGER_NAME,
    title=gettext_lazy("Import work report targets"),
    template_url="directives:target_ledger_template",
    back_url="directives:work_report_list",
    back_label=gettext_lazy("Back to the work report targets"),
)


@viewer_required
@require_GET
def target_ledger_export(request):
    """The targets of the reports the list shows whose tasks this person may see."""
    return _source_export(
        request,
        filterset_class=WorkReportFilter,
        queryset=WorkReport.objects.all(),
        tasks_of="work_report_target__report__in",
        spec_name=TARGET_LEDGER_NAME,
        filename="政府工作报告目标任务台账",
    )


instruction_ledger_template = ledger_views.template_view(
    INSTRUCTION_LEDGER_NAME, "领导批示台账导入模板.xlsx"
)

instruction_ledger_import = ledger_views.import_view(
    INSTRUCTION_LEDGER_NAME,
    title=gettext_lazy("Import leader instructions"),
    template_url="directives:instruction_ledger_template",
    back_url="directives:instruction_list",
    back_label=gettext_lazy("Back to the leader instructions"),
)


@viewer_required
@require_GET
def instruction_ledger_export(request):
    """The instructions the list shows whose tasks this person may see."""
    return _source_export(
        request,
        filterset_class=InstructionFilter,
        queryset=Instruction.objects.filter(task__in=Task.objects.visible_to(request.user)),
        tasks_of="instruction__in",
        spec_name=INSTRUCTION_LEDGER_NAME,
        filename="领导批示台账",
    )


superior_ledger_template = ledger_views.template_view(
    SUPERIOR_LEDGER_NAME, "上级交办事项台账导入模板.xlsx"
)

superior_ledger_import = ledger_views.import_view(
    SUPERIOR_LEDGER_NAME,
    title=gettext_lazy("Import assignments from above"),
    template_url="directives:superior_ledger_template",
    back_url="directives:superior_list",
    back_label=gettext_lazy("Back to the assignments from above"),
)


@viewer_required
@require_GET
def superior_ledger_export(request):
    """The items of the assignments the list shows whose tasks this person may see."""
    return _source_export(
        request,
        filterset_class=SuperiorAssignmentFilter,
        queryset=SuperiorAssignment.objects.all(),
        tasks_of="assignment_item__assignment__in",
        spec_name=SUPERIOR_LEDGER_NAME,
        filename="上级交办事项台账",
    )
