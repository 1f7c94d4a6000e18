from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taskboard.choices import TaskState
from taskboard.models import Task
from taskboard.services import TaskActionError
from taskboard.stats import CompletionRate, completion_of

from . import selectors, services
from .choices import MeetingKind
from .filters import MeetingFilter
from .forms import DecisionForm, DecisionFormSet, MeetingForm, MinutesForm, ReviewMinutesForm
from .minutes import split_minutes
from .models import Decision, Meeting
from .services import may_edit_meetings, may_read_minutes, may_view_meetings

PAGE_SIZE = 25


def _refuse(request, message: str):
    return render(request, "meetings/forbidden.html", {"message": message}, status=403)


def viewer_required(view):
    """Meetings are for the office and the leaders; units follow their own tasks."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_view_meetings(request.user):
            return _refuse(request, _("Meeting pages are for the supervision office and leaders."))
        return view(request, *args, **kwargs)

    return wrapped


def office_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_edit_meetings(request.user):
            return _refuse(request, _("Only the supervision office registers meetings."))
        return view(request, *args, **kwargs)

    return wrapped


def _posted(request):
    """The form data if this is a POST (even an empty one), else None: an unbound form."""
    return request.POST if request.method == "POST" else None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ---------------------------------------------------------------------------
# Meetings


@viewer_required
def index(request):
    """The meeting list: filter by kind, year and text."""
    tasks = Task.objects.visible_to(request.user)
    filterset = MeetingFilter(
        request.GET or None,
        queryset=Meeting.objects.all(),
        tasks=tasks,
        read_minutes=may_read_minutes(request.user),
    )
    # An invalid filter shows its errors and no meetings, never a wider list than asked for.
    meetings = (
        filterset.qs if not filterset.is_bound or filterset.is_valid() else Meeting.objects.none()
    )
    page = Paginator(selectors.meeting_list(meetings=meetings, tasks=tasks), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for meeting in page:
        meeting.rate = CompletionRate(meeting.done_count, meeting.decision_count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "may_edit": may_edit_meetings(request.user),
            "this_year": timezone.localdate().year,
            "kinds": MeetingKind.choices,
        },
    )


def _meeting_fields(form: MeetingForm) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "number": data["number"],
        "date": data["date"],
        "subject": data["subject"],
        "chair": data["chair"],
        "attending_units": data["attending_units"],
        "minutes": data["minutes"],
    }


@office_required
def meeting_create(request):
    form = MeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(by=request.user, **_meeting_fields(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meeting registered."))
            return redirect(meeting)
    status = 400 if form.is_bound else 200
    return render(request, "meetings/meeting_form.html", {"form": form}, status=status)


@office_required
def meeting_update(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.prefetch_related("attending_units"), pk=pk)
    form = MeetingForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, by=request.user, **_meeting_fields(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect(meeting)
    status = 400 if form.is_bound else 200
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


def _meeting_page(request, pk: int, *, minutes_form: MinutesForm | None = None, status=200):
    meeting = get_object_or_404(selectors.meeting_detail(meetings=Meeting.objects.all()), pk=pk)
    decisions = selectors.meeting_decisions(
        meeting=meeting, tasks=Task.objects.visible_to(request.user)
    )
    may_edit = may_edit_meetings(request.user)
    if may_edit and minutes_form is None:
        minutes_form = MinutesForm(initial={"minutes": meeting.minutes})
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "rate": completion_of(decision.task.state for decision in decisions),
            "draft_count": sum(d.task.state == TaskState.DRAFT for d in decisions),
            "issue_by": selectors.meeting_deadlines(meeting=meeting).issue_by,
            "today": timezone.localdate(),
            "may_edit": may_edit,
            "read_minutes": may_read_minutes(request.user),
            "minutes_form": minutes_form,
        },
        status=status,
    )


@viewer_required
def meeting_detail(request, pk: int):
    """The meeting, its decisions with their tasks, and how far they are done."""
    return _meeting_page(request, pk)


@viewer_required
def meeting_series(request, kind: str, year: int):
    """All meetings of one kind in a year, each with its rate, and the total."""
    if kind not in MeetingKind.values:
        raise Http404
    rows, total = selectors.meeting_series(
        kind=kind,
        year=year,
        meetings=Meeting.objects.all(),
        tasks=Task.objects.visible_to(request.user),
    )
    return render(
        request,
        "meetings/meeting_series.html",
        {"kind": MeetingKind(kind), "year": year, "rows": rows, "total": total},
    )


# ---------------------------------------------------------------------------
# Decisions


def _review_page(request, meeting, formset, minutes_form, *, errors=(), status=200):
    return render(
        request,
        "meetings/decision_review.html",
        {
            "meeting": meeting,
            "formset": formset,
            "minutes_form": minutes_form,
            "save_errors": list(errors),
            "issue_by": selectors.meeting_deadlines(meeting=meeting).issue_by,
        },
        status=status,
    )


@office_required
def decisions_review(request, pk: int):
    """Split the minutes into draft decisions, with units, leader and deadline proposed."""
    meeting = get_object_or_404(Meeting.objects.select_related("chair"), pk=pk)
    if request.method == "POST":
        minutes_form = MinutesForm(request.POST)
    else:
        minutes_form = MinutesForm({"minutes": meeting.minutes})
    if not minutes_form.is_valid():
        return _meeting_page(request, pk, minutes_form=minutes_form, status=400)
    minutes = minutes_form.cleaned_data["minutes"]
    items = split_minutes(minutes)
    if not items:
        minutes_form.add_error(
            "minutes",
            _(
                "No numbered items were found. Number each decision (一、 1. （一） ①) on its "
                "own line."
            ),
        )
        return _meeting_page(request, pk, minutes_form=minutes_form, status=400)
    proposals = selectors.decision_proposals(
        meeting=meeting, texts=items, assigned_on=timezone.localdate()
    )
    formset = DecisionFormSet(
        prefix="decisions",
        form_kwargs={"meeting": meeting},
        initial=[
            {
                "text": proposal.text,
                "lead_unit": proposal.lead_unit.pk if proposal.lead_unit else None,
                "co_units": [unit.pk for unit in proposal.co_units],
                "lead_leader": proposal.lead_leader.pk if proposal.lead_leader else None,
                "deadline": proposal.deadline,
            }
            for proposal in proposals
        ],
    )
    return _review_page(
        request, meeting, formset, ReviewMinutesForm(initial={"minutes": minutes}, prefix="review")
    )


@office_required
@require_POST
def decisions_save(request, pk: int):
    """Save the reviewed decisions and their draft tasks, all or none."""
    meeting = get_object_or_404(Meeting.objects.select_related("chair"), pk=pk)
    formset = DecisionFormSet(request.POST, prefix="decisions", form_kwargs={"meeting": meeting})
    minutes_form = ReviewMinutesForm(request.POST, prefix="review")
    if formset.is_valid() and minutes_form.is_valid():
        try:
            decisions = services.decisions_create(
                meeting=meeting,
                by=request.user,
                drafts=formset.drafts(),
                minutes=minutes_form.cleaned_data["minutes"] or None,
            )
        except ValidationError as error:
            messages.error(request, _("Please correct the errors below; nothing was saved."))
            return _review_page(
                request, meeting, formset, minutes_form, errors=error.messages, status=400
            )
        messages.success(
            request, _("%(count)s decisions saved as drafts.") % {"count": len(decisions)}
        )
        return redirect(meeting)
    messages.error(request, _("Please correct the errors below; nothing was saved."))
    return _review_page(request, meeting, formset, minutes_form, status=400)


@office_required
@require_POST
def decisions_assign(request, pk: int):
    """Assign all the meeting's draft decisions in one go, or none of them."""
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        assigned = services.decisions_assign(meeting=meeting, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.error(request, _("Nothing was assigned."))
    except TaskActionError as error:
        messages.error(request, error.message)
        messages.error(request, _("Nothing was assigned."))
    else:
        messages.success(request, _("%(count)s decisions assigned.") % {"count": len(assigned)})
    return redirect(meeting)


@office_required
def decision_update(request, pk: int):
    """Change a draft decision: its text, units, leader or deadline."""
    decision = get_object_or_404(
        Decision.objects.select_related("meeting", "task").prefetch_related("task__co_units"),
        pk=pk,
    )
    meeting, task = decision.meeting, decision.task
    if task.state != TaskState.DRAFT:
        messages.error(request, _("This decision has been assigned; change its task instead."))
        return redirect(meeting)
    form = DecisionForm(
        _posted(request),
        meeting=meeting,
        initial={
            "text": decision.text,
            "lead_unit": task.lead_unit_id,
            "co_units": [unit.pk for unit in task.co_units.all()],
            "lead_leader": task.lead_leader_id,
            "deadline": task.deadline,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(decision=decision, by=request.user, draft=form.draft())
        except ValidationError as error:
            _add_errors(form, error)
        except TaskActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Decision saved."))
            return redirect(meeting)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "meetings/decision_form.html",
        {"form": form, "decision": decision, "meeting": meeting},
        status=status,
    )
