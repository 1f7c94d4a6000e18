"""Pages of the periodic reports: the list (with generating), a report, its files.

Everyone with a role sees the reports: bulletins are sent to every unit, so a unit head sees
the same figures the office does. Only the office (and administrators) generate them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taskboard.models import role_of

from . import documents, reports
from .models import Grade, Report, ReportKind
from .report_files import document_blocks, report_document, report_xlsx
from .report_forms import GenerateReportForm, ReportFilter

PAGE_SIZE = 20

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _require_role(user) -> None:
    if role_of(user) is None:
        raise PermissionDenied


def _list_page(request, form=None, status=200):
    filterset = ReportFilter(request.GET or None, queryset=Report.objects.all())
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else Report.objects.none()
    rows = (
        rows.select_related("generated_by").defer("snapshot").order_by("-period_end", "kind", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    may_generate = reports.may_generate(request.user)
    if may_generate and form is None:
        form = GenerateReportForm()
    return render(
        request,
        "supervision/reports/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "form": form if may_generate else None,
        },
        status=status,
    )


@login_required
@require_GET
def report_list(request):
    _require_role(request.user)
    return _list_page(request)


@login_required
@require_POST
def report_create(request):
    """Generate (or regenerate) a report from the list page's form."""
    if not reports.may_generate(request.user):
        raise PermissionDenied
    form = GenerateReportForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form=form, status=400)
    kind = form.cleaned_data["kind"]
    if kind == ReportKind.EXECUTIVE_MEETING:
        report = reports.report_generate(
            kind=kind, meeting=form.cleaned_data["meeting"], by=request.user
        )
    else:
        report = reports.report_generate(
            kind=kind, period=form.cleaned_data["parsed_period"], by=request.user
        )
    messages.success(request, _("“%(title)s” was generated.") % {"title": report.title})
    return redirect("supervision:report_detail", pk=report.pk)


def _report(request, pk: int) -> Report:
    _require_role(request.user)
    return get_object_or_404(Report.objects.select_related("generated_by"), pk=pk)


def _file_links(report: Report) -> list[tuple[str, str]]:
    return [
        (reverse("supervision:report_file", args=[report.pk, fmt]), label)
        for fmt, label in (
            ("docx", _("Download .docx")),
            ("xlsx", _("Download .xlsx")),
            ("pdf", _("Download PDF")),
        )
    ]


@login_required
@require_GET
def report_detail(request, pk: int):
    report = _report(request, pk)
    document = report_document(report)
    return render(
        request,
        "supervision/reports/detail.html",
        {
            "report": report,
            "document": document,
            "blocks": document_blocks(document),
            "links": _file_links(report),
            "grades": report.snapshot.get("grades", []),
            "grade_labels": Grade.choices,
        },
    )


@login_required
@require_GET
def report_print(request, pk: int):
    report = _report(request, pk)
    return documents.print_response(request, report_document(report), links=_file_links(report))


@login_required
@require_GET
def report_file(request, pk: int, fmt: str):
    report = _report(request, pk)
    if fmt == "xlsx":
        content = report_xlsx(report)
    elif fmt == "docx":
        content = documents.to_docx(report_document(report))
    elif fmt == "pdf":
        content = documents.to_pdf(report_document(report))
    else:
        raise Http404
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{report.title}.{fmt}"
    )
    return response
