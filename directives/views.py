"""HTTP for the sources: resolve who may do what, call a selector or a service, render."""

from __future__ import annotations

from functools import wraps

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taskboard.choices import OFFICE_ROLES, Role, TaskState
from taskboard.models import Task, role_of
from taskboard.services import TaskActionError, is_office

from . import filters, forms, selectors, services
from .models import AssignmentItem, Instruction, Proposal, SuperiorAssignment, Target, WorkReport

PAGE_SIZE = 25
VIEWER_ROLES = {*OFFICE_ROLES, Role.ADMINISTRATOR, Role.PRINCIPAL_LEADER, Role.PORTFOLIO_LEADER}


def _visible(request):
    """A portfolio leader sees the source rows of the tasks in the portfolio, no others."""
    return Task.objects.visible_to(request.user)


def may_view(user) -> bool:
    return role_of(user) in VIEWER_ROLES


def _guarded(check):
    """Log in first; then a clear 403 page for people whose role has no business here."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                return render(request, "directives/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


viewer_required = _guarded(may_view)
office_required = _guarded(is_office)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _perform(form, call):
    """Run a service; on refusal put its message on the form and return None."""
    try:
        return call()
    except ValidationError as error:
        _add_errors(form, error)
    except TaskActionError as error:
        form.add_error(None, error.message)
    return None


def _form_page(request, *, title, form, formsets=(), back, status=200, intro=""):
    if status != 200:
        messages.error(request, _("Please correct the errors below; nothing was saved."))
    return render(
        request,
        "directives/form.html",
        {"title": title, "form": form, "formsets": formsets, "back": back, "intro": intro},
        status=status,
    )


def _list_page(request, *, filterset_class, queryset, selector, template, extra=None):
    filterset = filterset_class(request.GET or None, queryset=queryset)
    rows = selector(
        filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "may_edit": is_office(request.user),
        **(extra or {}),
    }
    return render(request, template, context)


def _assign(request, call, back):
    try:
        assigned = call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except TaskActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s tasks assigned.") % {"count": len(assigned)})
    return redirect(back)


# ---------------------------------------------------------------------------
# Landing page


@viewer_required
def index(request):
    counts = selectors.source_counts()
    return render(
        request, "directives/index.html", {"counts": counts, "may_edit": is_office(request.user)}
    )


# ---------------------------------------------------------------------------
# Work reports and targets


@viewer_required
def work_report_list(request):
    return _list_page(
        request,
        filterset_class=filters.WorkReportFilter,
        queryset=WorkReport.objects.all(),
        selector=lambda qs: selectors.work_report_list(reports=qs, tasks=_visible(request)),
        template="directives/work_report_list.html",
    )


@office_required
def work_report_create(request):
    form = forms.WorkReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = _perform(
            form, lambda: services.work_report_create(by=request.user, **form.cleaned_data)
        )
        if report:
            messages.success(request, _("Saved."))
            return redirect("directives:work_report_detail", pk=report.pk)
    return _form_page(
        request,
        title=_("New work report"),
        form=form,
        back="directives:work_report_list",
        status=400 if form.is_bound else 200,
    )


@office_required
def work_report_edit(request, pk: int):
    report = get_object_or_404(WorkReport, pk=pk)
    initial = {
        "year": report.year,
        "title": report.title,
        "session_ended_on": report.session_ended_on,
    }
    form = forms.WorkReportForm(request.POST or None, initial=initial)
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _perform(
            form,
            lambda: services.work_report_update(
                report=report,
                by=request.user,
                title=data["title"],
                session_ended_on=data["session_ended_on"],
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directives:work_report_detail", pk=report.pk)
    return _form_page(
        request,
        title=report.title,
        form=form,
        back="directives:work_report_list",
        status=400 if form.is_bound else 200,
    )


@viewer_required
def work_report_detail(request, pk: int):
    report = get_object_or_404(WorkReport, pk=pk)
    targets = list(selectors.targets_of(report).filter(task__in=_visible(request)))
    drafts = sum(
        (t.task.state == TaskState.DRAFT)
        + sum(c.state == TaskState.DRAFT for c in t.task.children.all())
        for t in targets
    )
    return render(
        request,
        "directives/work_report_detail.html",
        {
            "report": report,
            "targets": targets,
            "draft_count": drafts,
            "decomposition_due": services.decomposition_due(report),
            "today": timezone.localdate(),
            "may_edit": is_office(request.user),
        },
    )


@office_required
@require_POST
def work_report_assign(request, pk: int):
    report = get_object_or_404(WorkReport, pk=pk)
    return _assign(
        request,
        lambda: services.work_report_assign(report=report, by=request.user),
        report_url(report),
    )


def report_url(report):
    return reverse("directives:work_report_detail", args=[report.pk])


def _target_form_page(request, *, report, form, milestones, status):
    return _form_page(
        request,
        title=report.title,
        form=form,
        formsets=[(_("Schedule"), milestones)] if milestones is not None else [],
        back="directives:work_report_list",
        status=status,
    )


@office_required
def target_create(request, pk: int):
    report = get_object_or_404(WorkReport, pk=pk)
    form = forms.TargetForm(request.POST or None, initial={"deadline": report.default_deadline})
    milestones = forms.MilestoneFormSet(request.POST or None, prefix="milestones")
    if request.method == "POST" and form.is_valid() and milestones.is_valid():
        data = form.cleaned_data
        target = _perform(
            form,
            lambda: services.target_create(
                report=report,
                by=request.user,
                number=data.get("number"),
                chapter=data["chapter"],
                text=data["text"],
                indicator=data["indicator"],
                target_value=data["target_value"],
                people=form.people(),
                deadline=data.get("deadline"),
                milestones=[m.as_tuple() for m in milestones if m.has_changed()],
            ),
        )
        if target:
            messages.success(request, _("Saved."))
            return redirect(report_url(report))
    return _target_form_page(
        request,
        report=report,
        form=form,
        milestones=milestones,
        status=400 if form.is_bound else 200,
    )


@office_required
def target_edit(request, pk: int):
    target = get_object_or_404(Target.objects.select_related("report", "task"), pk=pk)
    task = target.task
    initial = {
        "number": target.number,
        "chapter": target.chapter,
        "text": target.text,
        "indicator": target.indicator,
        "target_value": target.target_value,
        "lead_leader": task.lead_leader_id,
        "lead_unit": task.lead_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
        "owner": task.owner_id,
        "deadline": task.deadline,
    }
    form = forms.TargetForm(request.POST or None, initial=initial)
    form.fields["number"].disabled = True
    if task.state != TaskState.DRAFT:
        form.fields["deadline"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _perform(
            form,
            lambda: services.target_update(
                target=target,
                by=request.user,
                chapter=data["chapter"],
                text=data["text"],
                indicator=data["indicator"],
                target_value=data["target_value"],
                people=form.people(),
                deadline=data.get("deadline"),
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect(report_url(target.report))
    return _target_form_page(
        request,
        report=target.report,
        form=form,
        milestones=None,
        status=400 if form.is_bound else 200,
    )


@office_required
def target_split(request, pk: int):
    target = get_object_or_404(Target.objects.select_related("report", "task"), pk=pk)
    parts = forms.PartFormSet(request.POST or None, prefix="parts")
    header = django_forms.Form(request.POST or None)
    if request.method == "POST" and parts.is_valid() and header.is_valid():
        children = _perform(
            header,
            lambda: services.target_split(
                target=target,
                by=request.user,
                parts=[part.as_part() for part in parts if part.has_changed()],
            ),
        )
        if children:
            messages.success(request, _("Saved."))
            return redirect(report_url(target.report))
    return _form_page(
        request,
        title=target.task.title,
        intro=target.text,
        form=header,
        formsets=[(_("Parts"), parts)],
        back="directives:work_report_list",
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------
# Instructions


@viewer_required
def instruction_list(request):
    return _list_page(
        request,
        filterset_class=filters.InstructionFilter,
        queryset=Instruction.objects.filter(task__in=_visible(request)),
        selector=lambda qs: selectors.instruction_list(instructions=qs),
        template="directives/instruction_list.html",
    )


def _instruction_kwargs(form) -> dict:
    data = form.cleaned_data
    return {
        "leader": data["leader"],
        "issued_on": data["issued_on"],
        "kind": data["kind"],
        "reference": data["reference"],
        "text": data["text"],
        "attachment": data.get("attachment"),
        "people": form.people(),
    }


@office_required
def instruction_create(request):
    form = forms.InstructionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        instruction = _perform(
            form,
            lambda: services.instruction_create(by=request.user, **_instruction_kwargs(form)),
        )
        if instruction:
            messages.success(request, _("Saved."))
            return redirect("directives:instruction_detail", pk=instruction.pk)
    return _form_page(
        request,
        title=_("New instruction"),
        form=form,
        back="directives:instruction_list",
        status=400 if form.is_bound else 200,
    )


@office_required
def instruction_edit(request, pk: int):
    instruction = get_object_or_404(Instruction.objects.select_related("task"), pk=pk)
    task = instruction.task
    initial = {
        "leader": instruction.leader_id,
        "issued_on": instruction.issued_on,
        "kind": instruction.kind,
        "reference": instruction.reference,
        "text": instruction.text,
        "lead_unit": task.lead_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
    }
    form = forms.InstructionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _perform(
            form,
            lambda: services.instruction_update(
                instruction=instruction, by=request.user, **_instruction_kwargs(form)
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directives:instruction_detail", pk=instruction.pk)
    return _form_page(
        request,
        title=_("Edit instruction"),
        form=form,
        back="directives:instruction_list",
        status=400 if form.is_bound else 200,
    )


@viewer_required
def instruction_detail(request, pk: int):
    instruction = get_object_or_404(
        selectors.instruction_detail(
            instructions=Instruction.objects.filter(task__in=_visible(request))
        ),
        pk=pk,
    )
    return render(
        request,
        "directives/instruction_detail.html",
        {
            "instruction": instruction,
            "tasks": [instruction.task, *instruction.task.children.all()],
            "issue_by": services.instruction_issue_by(instruction),
            "today": timezone.localdate(),
            "may_edit": is_office(request.user),
        },
    )


@office_required
@require_POST
def instruction_assign(request, pk: int):
    instruction = get_object_or_404(Instruction, pk=pk)
    return _assign(
        request,
        lambda: services.instruction_assign(instruction=instruction, by=request.user),
        instruction_url(instruction),
    )


def instruction_url(instruction):
    return reverse("directives:instruction_detail", args=[instruction.pk])


@viewer_required
def instruction_attachment(request, pk: int):
    instruction = get_object_or_404(Instruction, pk=pk)
    if not instruction.attachment:
        raise Http404
    return FileResponse(
        instruction.attachment.open("rb"),
        as_attachment=True,
        filename=instruction.attachment_name or "attachment",
    )


# ---------------------------------------------------------------------------
# Assignments from above


@viewer_required
def superior_list(request):
    return _list_page(
        request,
        filterset_class=filters.SuperiorAssignmentFilter,
        queryset=SuperiorAssignment.objects.all(),
        selector=lambda qs: selectors.superior_assignment_list(
            assignments=qs, tasks=_visible(request)
        ),
        template="directives/superior_list.html",
    )


@office_required
def superior_create(request):
    form = forms.SuperiorAssignmentForm(request.POST or None)
    items = forms.ItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        assignment = _perform(
            form,
            lambda: services.superior_assignment_create(
                by=request.user,
                items=[item.as_item() for item in items if item.has_changed()],
                **form.cleaned_data,
            ),
        )
        if assignment:
            messages.success(request, _("Saved."))
            return redirect("directives:superior_detail", pk=assignment.pk)
    return _form_page(
        request,
        title=_("New assignment from above"),
        form=form,
        formsets=[(_("Items"), items)],
        back="directives:superior_list",
        status=400 if form.is_bound else 200,
    )


@office_required
def superior_edit(request, pk: int):
    assignment = get_object_or_404(SuperiorAssignment, pk=pk)
    initial = {
        "issuing_body": assignment.issuing_body,
        "reference": assignment.reference,
        "title": assignment.title,
        "received_on": assignment.received_on,
    }
    form = forms.SuperiorAssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _perform(
            form,
            lambda: services.superior_assignment_update(
                assignment=assignment, by=request.user, **form.cleaned_data
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directives:superior_detail", pk=assignment.pk)
    return _form_page(
        request,
        title=assignment.title,
        form=form,
        back="directives:superior_list",
        status=400 if form.is_bound else 200,
    )


def _item_page(request, *, assignment, form, status):
    return _form_page(
        request,
        title=assignment.title,
        form=form,
        back="directives:superior_list",
        status=status,
    )


def superior_url(assignment_id: int) -> str:
    return reverse("directives:superior_detail", args=[assignment_id])


@office_required
def superior_item_create(request, pk: int):
    """Add an item to a registered assignment; it is numbered after the last one."""
    assignment = get_object_or_404(SuperiorAssignment, pk=pk)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = _perform(
            form,
            lambda: services.assignment_item_create(
                assignment=assignment,
                by=request.user,
                text=form.cleaned_data["text"],
                people=form.people(),
                deadline=form.cleaned_data["deadline"],
            ),
        )
        if item:
            messages.success(request, _("Saved."))
            return redirect(superior_url(assignment.pk) + f"#item-{item.number}")
    return _item_page(
        request, assignment=assignment, form=form, status=400 if form.is_bound else 200
    )


@office_required
def superior_item_edit(request, pk: int):
    item = get_object_or_404(AssignmentItem.objects.select_related("assignment", "task"), pk=pk)
    task = item.task
    initial = {
        "text": item.text,
        "lead_unit": task.lead_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
        "deadline": task.deadline,
    }
    form = forms.ItemForm(request.POST or None, initial=initial)
    if task.state != TaskState.DRAFT:
        # Once assigned, the deadline moves only by an approved extension.
        form.fields["deadline"].disabled = True
    if request.method == "POST" and form.is_valid():
        saved = _perform(
            form,
            lambda: services.assignment_item_update(
                item=item,
                by=request.user,
                text=form.cleaned_data["text"],
                people=form.people(lead_leader=task.lead_leader, owner=task.owner),
                deadline=form.cleaned_data["deadline"],
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect(superior_url(item.assignment_id) + f"#item-{item.number}")
    return _item_page(
        request, assignment=item.assignment, form=form, status=400 if form.is_bound else 200
    )


@viewer_required
def superior_detail(request, pk: int):
    assignment = get_object_or_404(SuperiorAssignment, pk=pk)
    items = list(selectors.items_of(assignment).filter(task__in=_visible(request)))
    return render(
        request,
        "directives/superior_detail.html",
        {
            "assignment": assignment,
            "items": items,
            "draft_count": sum(item.task.state == TaskState.DRAFT for item in items),
            "today": timezone.localdate(),
            "may_edit": is_office(request.user),
        },
    )


@office_required
@require_POST
def superior_assign(request, pk: int):
    assignment = get_object_or_404(SuperiorAssignment, pk=pk)
    return _assign(
        request,
        lambda: services.superior_assignment_assign(assignment=assignment, by=request.user),
        reverse("directives:superior_detail", args=[assignment.pk]),
    )


# ---------------------------------------------------------------------------
# Proposals


@viewer_required
def proposal_list(request):
    return _list_page(
        request,
        filterset_class=filters.ProposalFilter,
        queryset=Proposal.objects.filter(task__in=_visible(request)),
        selector=lambda qs: selectors.proposal_list(proposals=qs),
        template="directives/proposal_list.html",
    )


def _proposal_kwargs(form) -> dict:
    data = form.cleaned_data
    fields = ["kind", "year", "number", "proposer", "category", "title", "text", "received_on"]
    return {name: data[name] for name in fields} | {"people": form.people()}


@office_required
def proposal_create(request):
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposal = _perform(
            form, lambda: services.proposal_create(by=request.user, **_proposal_kwargs(form))
        )
        if proposal:
            messages.success(request, _("Saved."))
            return redirect("directives:proposal_detail", pk=proposal.pk)
    return _form_page(
        request,
        title=_("New suggestion or proposal"),
        form=form,
        back="directives:proposal_list",
        status=400 if form.is_bound else 200,
    )


@office_required
def proposal_edit(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("task"), pk=pk)
    task = proposal.task
    initial = {
        name: getattr(proposal, name)
        for name in ["kind", "year", "number", "proposer", "category", "title", "text"]
    } | {
        "received_on": proposal.received_on,
        "lead_unit": task.lead_unit_id,
        "co_units": list(task.co_units.values_list("pk", flat=True)),
        "lead_leader": task.lead_leader_id,
    }
    form = forms.ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _perform(
            form,
            lambda: services.proposal_update(
                proposal=proposal, by=request.user, **_proposal_kwargs(form)
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directives:proposal_detail", pk=proposal.pk)
    return _form_page(
        request,
        title=proposal.title,
        form=form,
        back="directives:proposal_list",
        status=400 if form.is_bound else 200,
    )


def _proposal_page(request, proposal_pk, *, reply_form=None, satisfaction_form=None, status=200):
    proposal = get_object_or_404(
        selectors.proposal_detail(proposals=Proposal.objects.filter(task__in=_visible(request))),
        pk=proposal_pk,
    )
    replies = list(proposal.replies.all())
    last = replies[-1] if replies else None
    may_edit = is_office(request.user)
    awaiting_satisfaction = last is not None and not last.satisfaction
    may_reply = proposal.task.state not in {TaskState.DRAFT, TaskState.CANCELLED} and (
        last is None or last.satisfaction == "dissatisfied"
    )
    if status != 200:
        messages.error(request, _("Please correct the errors below; nothing was saved."))
    return render(
        request,
        "directives/proposal_detail.html",
        {
            "proposal": proposal,
            "tasks": [proposal.task, *proposal.task.children.all()],
            "replies": replies,
            "may_edit": may_edit,
            "today": timezone.localdate(),
            "reply_form": (reply_form or forms.ReplyForm()) if may_edit and may_reply else None,
            "satisfaction_form": (satisfaction_form or forms.SatisfactionForm())
            if may_edit and awaiting_satisfaction
            else None,
        },
        status=status,
    )


@viewer_required
def proposal_detail(request, pk: int):
    return _proposal_page(request, pk)


@office_required
@require_POST
def proposal_assign(request, pk: int):
    proposal = get_object_or_404(Proposal, pk=pk)
    return _assign(
        request,
        lambda: services.proposal_assign(proposal=proposal, by=request.user),
        reverse("directives:proposal_detail", args=[proposal.pk]),
    )


@office_required
@require_POST
def proposal_reply(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("task"), pk=pk)
    form = forms.ReplyForm(request.POST)
    if form.is_valid() and _perform(
        form,
        lambda: services.proposal_reply_record(
            proposal=proposal, by=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("directives:proposal_detail", pk=pk)
    return _proposal_page(request, pk, reply_form=form, status=400)


@office_required
@require_POST
def proposal_satisfaction(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("task"), pk=pk)
    form = forms.SatisfactionForm(request.POST)
    if form.is_valid() and _perform(
        form,
        lambda: services.proposal_satisfaction_record(
            proposal=proposal, by=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("directives:proposal_detail", pk=pk)
    return _proposal_page(request, pk, satisfaction_form=form, status=400)
