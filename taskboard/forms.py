"""Forms for the actions on a task. Each carries the version the person saw, so a change
made by someone else meanwhile is caught instead of overwritten."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .attachments import ALLOWED, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from .choices import ExtensionStatus
from .models import CoUnitPart, Task

TEXT_LIMIT = 20_000
SHORT_LIMIT = 5_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (kind, size, bytes)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED))}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Up to %(count)s files of at most %(size)s MB each: %(kinds)s")
            % {
                "count": MAX_ATTACHMENTS,
                "size": MAX_ATTACHMENT_BYTES // (1024 * 1024),
                "kinds": " ".join(sorted(ALLOWED)),
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def text_field(label, limit=TEXT_LIMIT, required=True, rows=4):
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ActionForm(forms.Form):
    """Base of every action form: the task and the person, and the version they saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, task: Task, user, **kwargs):
        self.task, self.user = task, user
        kwargs.setdefault("initial", {}).setdefault("version", task.version)
        super().__init__(*args, **kwargs)


class ConfirmedActionForm(ActionForm):
    confirm = forms.BooleanField(label=_("I have checked and confirm"), required=True)


class AssignForm(ActionForm):
    assigned_on = forms.DateField(
        label=_("Assigned on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        self.fields["assigned_on"].initial = timezone.localdate()
        self.fields["deadline"].initial = self.task.deadline


class AcknowledgeForm(ActionForm):
    pass


class ProgressReportForm(ActionForm):
    text = text_field(_("Progress"))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    milestone = forms.ModelChoiceField(label=_("Milestone reached"), queryset=None, required=False)
    parts = forms.ModelMultipleChoiceField(
        label=_("Co-unit parts consolidated"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = self.task.milestones.all()
        self.fields["parts"].queryset = CoUnitPart.objects.filter(task=self.task).select_related(
            "unit"
        )
        latest = self.task.progress_reports.order_by("-reported_at", "-pk").first()
        if latest is not None:
            self.fields["percent"].initial = latest.percent


class CoUnitPartForm(ActionForm):
    text = text_field(_("Contribution"))
    files = MultipleFileField(label=_("Attachments"))


class ExtensionRequestForm(ActionForm):
    proposed_deadline = forms.DateField(
        label=_("Proposed deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = text_field(_("Reason"), SHORT_LIMIT)


class ExtensionDecisionForm(ActionForm):
    request = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = text_field(_("Note (required when rejecting)"), SHORT_LIMIT, required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pending = self.task.extension_requests.filter(status=ExtensionStatus.PENDING)
        self.fields["request"].queryset = pending
        self.pending = pending.first()
        if self.pending is not None:
            self.fields["request"].initial = self.pending.pk


class ClosureRequestForm(ActionForm):
    summary = text_field(_("Summary of what was done"))
    files = MultipleFileField(label=_("Evidence"))


class CloseForm(ConfirmedActionForm):
    note = text_field(_("Review note"), SHORT_LIMIT, required=False, rows=2)


class ReturnForm(ActionForm):
    reason = text_field(_("Reason for returning"), SHORT_LIMIT)


class CoordinationRequestForm(ActionForm):
    tried = text_field(_("What has been tried"), SHORT_LIMIT, rows=3)
    disagreement = text_field(_("Where the parties disagree"), SHORT_LIMIT, rows=3)
    proposal = text_field(_("Proposal"), SHORT_LIMIT, rows=3)


class CoordinationAnswerForm(ActionForm):
    request = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    answer = text_field(_("Answer"), SHORT_LIMIT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_requests = self.task.coordination_requests.filter(answered_at__isnull=True)
        self.fields["request"].queryset = open_requests
        self.pending = open_requests.order_by("requested_at").first()
        if self.pending is not None:
            self.fields["request"].initial = self.pending.pk


class ReasonForm(ActionForm):
    reason = text_field(_("Reason"), SHORT_LIMIT, rows=2)


class ConfirmedReasonForm(ConfirmedActionForm):
    reason = text_field(_("Reason"), SHORT_LIMIT, rows=2)


class NoteForm(ActionForm):
    note = text_field(_("Note"), SHORT_LIMIT, required=False, rows=2)
