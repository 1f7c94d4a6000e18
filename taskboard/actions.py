"""The actions a person can take on the task page: which form, which service, what to say.

Views look actions up here; the services decide whether they are allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import forms, services
from .choices import ExtensionStatus
from .models import Task


@dataclass(frozen=True)
class Action:
    label: Promise
    form: type[forms.ActionForm]
    perform: Callable[[forms.ActionForm], object]
    done: Promise
    # Shown only when the task has something for it (a pending request, a running clock).
    relevant: Callable[[Task], bool] = lambda task: True


def _call(service, **extra):
    """Call a service with the form's task, person, version and cleaned fields."""

    def perform(form: forms.ActionForm):
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "confirm")}
        return service(
            task=form.task,
            by=form.user,
            expected_version=form.cleaned_data["version"],
            **data,
            **extra,
        )

    return perform


def _decide_extension(form):
    data = form.cleaned_data
    return services.task_decide_extension(
        request=data["request"],
        by=form.user,
        approve=data["approve"],
        note=data["note"],
        expected_version=data["version"],
    )


def _answer_coordination(form):
    data = form.cleaned_data
    return services.task_answer_coordination(
        request=data["request"],
        by=form.user,
        answer=data["answer"],
        expected_version=data["version"],
    )


def _has_pending_extension(task: Task) -> bool:
    return task.extension_requests.filter(status=ExtensionStatus.PENDING).exists()


ACTIONS: dict[str, Action] = {
    "assign": Action(_("Assign"), forms.AssignForm, _call(services.task_assign), _("Assigned.")),
    "acknowledge": Action(
        _("Acknowledge receipt"),
        forms.AcknowledgeForm,
        _call(services.task_acknowledge),
        _("Acknowledged."),
    ),
    "report_progress": Action(
        _("Report progress"),
        forms.ProgressReportForm,
        _call(services.task_report_progress),
        _("Progress reported."),
    ),
    "submit_part": Action(
        _("Submit our part to the lead unit"),
        forms.CoUnitPartForm,
        _call(services.task_submit_part),
        _("Your part was submitted to the lead unit."),
    ),
    "request_extension": Action(
        _("Request an extension"),
        forms.ExtensionRequestForm,
        _call(services.task_request_extension),
        _("Extension requested."),
        relevant=lambda task: (
            task.deadline is not None
            and task.deadline >= timezone.localdate()
            and not _has_pending_extension(task)
        ),
    ),
    "decide_extension": Action(
        _("Decide the extension request"),
        forms.ExtensionDecisionForm,
        _decide_extension,
        _("Extension decided."),
        relevant=_has_pending_extension,
    ),
    "request_coordination": Action(
        _("Request coordination"),
        forms.CoordinationRequestForm,
        _call(services.task_request_coordination),
        _("Coordination requested."),
    ),
    "answer_coordination": Action(
        _("Answer the coordination request"),
        forms.CoordinationAnswerForm,
        _answer_coordination,
        _("Answer recorded."),
        relevant=lambda task: task.coordination_requests.filter(answered_at__isnull=True).exists(),
    ),
    "request_closure": Action(
        _("Request closure"),
        forms.ClosureRequestForm,
        _call(services.task_request_closure),
        _("Closure requested; the office will review it."),
    ),
    "close": Action(
        _("Close (strike off)"), forms.CloseForm, _call(services.task_close), _("Closed.")
    ),
    "return": Action(
        _("Return"), forms.ReturnForm, _call(services.task_return), _("Returned to the unit.")
    ),
    "suspend": Action(
        _("Suspend"), forms.ReasonForm, _call(services.task_suspend), _("Suspended.")
    ),
    "resume": Action(_("Resume"), forms.NoteForm, _call(services.task_resume), _("Resumed.")),
    "cancel": Action(
        _("Cancel the task"),
        forms.ConfirmedReasonForm,
        _call(services.task_cancel),
        _("Cancelled."),
    ),
}


def available_actions(*, task: Task, user) -> list[str]:
    """The actions to offer this person on this task now, in the table's order."""
    allowed = set(services.allowed_actions(task=task, user=user))
    return [name for name, action in ACTIONS.items() if name in allowed and action.relevant(task)]
