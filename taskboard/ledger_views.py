"""The ledger's pages: download the template, export a task list, import a filled-in file."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from . import ledger
from .filters import TaskFilter
from .models import Task
from .services import is_office

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the form's other fields and the multipart boundaries around the file.
MAX_REQUEST_BYTES = ledger.MAX_LEDGER_BYTES + 64 * 1024


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        ledger.check_ledger_file(upload)
        return upload


def _xlsx(file, filename: str) -> FileResponse:
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def ledger_template(request):
    return _xlsx(ledger.ledger_template(), "督办事项台账导入模板.xlsx")


@login_required
@require_GET
def ledger_export(request):
    """The task list, with the same filters, as a ledger workbook."""
    filterset = TaskFilter(request.GET or None, queryset=Task.objects.visible_to(request.user))
    # As on the list: an invalid filter exports nothing, never more than was asked for.
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Some filters are not valid; correct them on the task list, then export again.")
        )
    file = ledger.ledger_export(tasks=filterset.qs)
    return _xlsx(file, f"督办事项台账-{timezone.localdate():%Y%m%d}.xlsx")


# Exempt here so that an oversized upload is refused before anything reads the body (the
# CSRF check would); the token is still checked, by csrf_protect, before the form is read.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request):
    """Office staff upload a filled-in ledger; every row is checked before any is written."""
    if not is_office(request.user):
        raise PermissionDenied
    if request.method == "POST" and _content_length(request) > MAX_REQUEST_BYTES:
        refusal = _("The file is larger than %(limit)s MB.") % {
            "limit": ledger.MAX_LEDGER_BYTES // (1024 * 1024)
        }
        return _import_page(request, LedgerUploadForm(), refusal=refusal, status=413)
    return _ledger_import(request)


@csrf_protect
def _ledger_import(request):
    if request.method != "POST":
        return _import_page(request, LedgerUploadForm())
    form = LedgerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    result = ledger.ledger_import(file=form.cleaned_data["file"], by=request.user)
    return _import_page(
        request, LedgerUploadForm(), result=result, status=200 if result.ok else 400
    )


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _import_page(request, form, *, result=None, refusal: str = "", status=200):
    return render(
        request,
        "taskboard/ledger_import.html",
        {
            "form": form,
            "result": result,
            "refusal": refusal,
            "spec": ledger.TASK_LEDGER,
            "max_megabytes": ledger.MAX_LEDGER_BYTES // (1024 * 1024),
            "max_rows": ledger.MAX_ROWS,
        },
        status=status,
    )
