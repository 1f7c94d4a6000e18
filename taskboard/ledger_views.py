"""The ledger's pages: download the template, export a task list, import a filled-in file.

The task ledger's pages are here; a source app that registers a ledger of its own makes its
pages with `template_view` and `import_view`, and its export with `export_response`."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
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


def export_response(*, spec_name: str, tasks, filename: str) -> FileResponse:
    """These tasks (scoped and filtered by the caller) as the named ledger, dated today."""
    file = ledger.ledger_export(tasks=tasks, spec=ledger.ledger_named(spec_name))
    return _xlsx(file, f"{filename}-{timezone.localdate():%Y%m%d}.xlsx")


def template_view(spec_name: str, filename: str):
    """A page that downloads the named ledger's empty template."""

    @login_required
    @require_GET
    def view(request):
        return _xlsx(ledger.ledger_template(spec=ledger.ledger_named(spec_name)), filename)

    return view


def import_view(
    spec_name: str,
    *,
    title,
    template_url: str,
    back_url: str,
    back_label,
    may_import=is_office,
):
    """The import page of the named ledger: office staff (or whoever `may_import` lets)
    upload a filled-in file; every row is checked before any is written. `template_url`
    and `back_url` are URL names."""

    # Exempt here so that an oversized upload is refused before anything reads the body (the
    # CSRF check would); the token is still checked, by csrf_protect, before the form is read.
    @csrf_exempt
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request):
        if not may_import(request.user):
            raise PermissionDenied
        page = {
            "spec": ledger.ledger_named(spec_name),
            "title": title,
            "template_url": reverse(template_url),
            "back_url": reverse(back_url),
            "back_label": back_label,
        }
        if request.method == "POST" and _content_length(request) > MAX_REQUEST_BYTES:
            refusal = _("The file is larger than %(limit)s MB.") % {
                "limit": ledger.MAX_LEDGER_BYTES // (1024 * 1024)
            }
            return _import_page(request, page, LedgerUploadForm(), refusal=refusal, status=413)
        return _import(request, page)

    return view


@csrf_protect
def _import(request, page: dict):
    if request.method != "POST":
        return _import_page(request, page, LedgerUploadForm())
    form = LedgerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, page, form, status=400)
    result = ledger.ledger_import(
        file=form.cleaned_data["file"], by=request.user, spec=page["spec"]
    )
    return _import_page(
        request, page, LedgerUploadForm(), result=result, status=200 if result.ok else 400
    )


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _import_page(request, page: dict, form, *, result=None, refusal: str = "", status=200):
    return render(
        request,
        "taskboard/ledger_import.html",
        {
            **page,
            "form": form,
            "result": result,
            "refusal": refusal,
            "max_megabytes": ledger.MAX_LEDGER_BYTES // (1024 * 1024),
            "max_rows": ledger.MAX_ROWS,
        },
        status=status,
    )


# ---------------------------------------------------------------------------
# The task ledger

ledger_template = template_view(ledger.TASK_LEDGER.name, "督办事项台账导入模板.xlsx")


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
    return export_response(
        spec_name=ledger.TASK_LEDGER.name, tasks=filterset.qs, filename="督办事项台账"
    )


ledger_import = import_view(
    ledger.TASK_LEDGER.name,
    title=gettext_lazy("Import the task ledger"),
    template_url="taskboard:ledger_template",
    back_url="taskboard:task_list",
    back_label=gettext_lazy("Back to the task list"),
)
