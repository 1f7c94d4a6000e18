"""Pages of the notices (交办单, 催办单, 督办单): list, detail with the steps this person may
take, drafting from tasks, print view, .docx and .pdf."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from taskboard.choices import OPEN_STATES
from taskboard.filters import TaskFilter
from taskboard.models import Task
from taskboard.services import ActionNotAllowed, TaskActionError, is_office

from . import documents, notices
from .choices import NoticeKind
from .models import CopyRecipient, Notice

PAGE_SIZE = 25
# A draft lists at most this many tasks; a wider filter is narrowed first.
DRAFT_TASK_LIMIT = 200


@require_GET
@cache_control(max_age=3600)
def document_css(request):
    """The print CSS of official documents, as a file: the CSP forbids inline styles."""
    return HttpResponse(documents.document_css(), content_type="text/css; charset=utf-8")


# ---------------------------------------------------------------------------
# Forms


class DraftForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(kind.value, kind.label) for kind in notices.HAND_DRAFTED_KINDS],
    )
    tasks = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Tasks"),
        queryset=Task.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one task.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Leave empty for the standard text of the kind."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        open_tasks = Task.objects.visible_to(user).filter(state__in=OPEN_STATES)
        self.fields["tasks"].queryset = open_tasks.select_related("lead_unit")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EditForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    copy_recipients = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Copy to"),
        queryset=CopyRecipient.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# What each step needs from the person, what it is called on the button, and what it says
# when done.
STEPS = {
    "edit": (EditForm, gettext_lazy("Save the draft"), gettext_lazy("Draft saved.")),
    "propose": (None, gettext_lazy("Propose"), gettext_lazy("Proposed to the portfolio leader.")),
    "approve": (None, gettext_lazy("Approve"), gettext_lazy("Approved.")),
    "sign": (None, gettext_lazy("Sign"), gettext_lazy("Signed.")),
    "issue": (None, gettext_lazy("Issue and number"), gettext_lazy("Issued.")),
    "reject": (ReasonForm, gettext_lazy("Send back"), gettext_lazy("Sent back to draft.")),
    "withdraw": (ReasonForm, gettext_lazy("Withdraw the draft"), gettext_lazy("Withdrawn.")),
}


def _step_form(name: str, notice: Notice, data=None):
    form_class = STEPS[name][0]
    if form_class is None:
        return None
    initial = {}
    if name == "edit":
        initial = {"body": notice.body, "copy_recipients": list(notice.copy_recipients.all())}
    return form_class(data, initial=initial, prefix=name)


# ---------------------------------------------------------------------------
# Pages


@login_required
def notice_list(request):
    visible = notices.notices_visible_to(request.user)
    filterset = notices.NoticeFilter(request.GET or None, queryset=visible)
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else Notice.objects.none()
    page = Paginator(notices.notice_list(notices=rows), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/notices/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "may_draft": is_office(request.user),
        },
    )


def _detail(request, pk: int, *, bound: tuple[str, forms.Form] | None = None, status=200):
    notice = get_object_or_404(
        notices.notice_detail(notices=notices.notices_visible_to(request.user)), pk=pk
    )
    steps = []
    for name in notices.allowed_notice_actions(notice=notice, user=request.user):
        form = bound[1] if bound and bound[0] == name else _step_form(name, notice)
        steps.append({"name": name, "label": STEPS[name][1], "form": form})
    return render(
        request,
        "supervision/notices/detail.html",
        {
            "notice": notice,
            "steps": steps,
            "open_step": bound[0] if bound else "",
            "document": notices.notice_document(notice),
        },
        status=status,
    )


@login_required
def notice_detail(request, pk: int):
    return _detail(request, pk)


@login_required
@require_POST
def notice_action(request, pk: int, action: str):
    """Take one step on a notice; on a refusal, the page again with what was typed."""
    if action not in STEPS:
        raise Http404
    notice = get_object_or_404(notices.notices_visible_to(request.user), pk=pk)
    try:
        notices.check_notice_allowed(notice=notice, user=request.user, action=action)
    except TaskActionError as error:
        messages.error(request, error.message)
        return _detail(request, pk, status=403 if isinstance(error, ActionNotAllowed) else 409)
    form = _step_form(action, notice, request.POST)
    if form is not None and not form.is_valid():
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return _detail(request, pk, bound=(action, form), status=400)
    try:
        notices.STEP_SERVICES[action](notice, request.user, form.cleaned_data if form else {})
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return _detail(request, pk, bound=(action, form), status=400)
    except TaskActionError as error:
        messages.error(request, error.message)
        return _detail(request, pk, status=403 if isinstance(error, ActionNotAllowed) else 409)
    messages.success(request, STEPS[action][2])
    return redirect("supervision:notice_detail", pk=pk)


@login_required
def notice_draft(request):
    """The office drafts an urge or supervise notice: from a task page (?task=…), or from a
    filtered set of tasks (the task list's filters, narrowed here and ticked)."""
    if not is_office(request.user):
        raise PermissionDenied
    open_tasks = Task.objects.visible_to(request.user).filter(state__in=OPEN_STATES)
    task_ids = [v for v in request.GET.getlist("task") if v.isdigit()]
    filterset = TaskFilter(request.GET or None, queryset=open_tasks)
    if request.method == "POST":
        form = DraftForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                notice = notices.notice_draft(
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    tasks=form.cleaned_data["tasks"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Notice drafted."))
                return redirect("supervision:notice_detail", pk=notice.pk)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        posted = [v for v in request.POST.getlist("tasks") if v.isdigit()]
        candidates = open_tasks.filter(pk__in=posted)
        status = 400
    else:
        if task_ids:
            candidates = open_tasks.filter(pk__in=task_ids)
        elif filterset.is_bound and filterset.is_valid():
            candidates = filterset.qs
        else:
            candidates = open_tasks.none()
        kind = request.GET.get("kind")
        form = DraftForm(
            user=request.user,
            initial={
                "kind": kind if kind in NoticeKind.values else NoticeKind.URGE,
                "tasks": list(candidates.values_list("pk", flat=True)[:DRAFT_TASK_LIMIT]),
            },
        )
        status = 200
    candidates = candidates.select_related("lead_unit").order_by("deadline", "code")
    shown = list(candidates[: DRAFT_TASK_LIMIT + 1])
    chosen = {str(v) for v in (form["tasks"].value() or [])}
    return render(
        request,
        "supervision/notices/draft.html",
        {
            "form": form,
            "filter": filterset,
            "candidates": shown[:DRAFT_TASK_LIMIT],
            "too_many": len(shown) > DRAFT_TASK_LIMIT,
            "chosen": chosen,
            "task_ids": task_ids,
        },
        status=status,
    )


def _visible_notice(request, pk: int) -> Notice:
    return get_object_or_404(
        notices.notice_detail(notices=notices.notices_visible_to(request.user)), pk=pk
    )


@login_required
def notice_print(request, pk: int):
    notice = _visible_notice(request, pk)
    links = [
        (reverse("supervision:notice_detail", args=[pk]), _("Back to the notice")),
        (reverse("supervision:notice_docx", args=[pk]), _("Download .docx")),
        (reverse("supervision:notice_pdf", args=[pk]), _("Download PDF")),
    ]
    return documents.print_response(request, notices.notice_document(notice), links=links)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def notice_docx(request, pk: int):
    notice = _visible_notice(request, pk)
    return _download(
        documents.to_docx(notices.notice_document(notice)),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        notices.document_filename(notice, "docx"),
    )


@login_required
def notice_pdf(request, pk: int):
    notice = _visible_notice(request, pk)
    return _download(
        documents.to_pdf(notices.notice_document(notice)),
        "application/pdf",
        notices.document_filename(notice, "pdf"),
    )
