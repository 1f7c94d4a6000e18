"""Forms for meetings and their decisions: what people type, with messages for them."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from taskboard.choices import Role
from taskboard.models import Unit
from taskboard.widgets import LeaderPicker, UnitPicker, UnitsPicker

from .choices import MeetingKind
from .models import DECISION_TEXT_LIMIT, MINUTES_LIMIT, Meeting
from .services import DecisionDraft

# One paste of minutes gives at most this many decisions.
MAX_DECISIONS = 200

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def leaders():
    return get_user_model().objects.filter(
        is_active=True, profile__role__in=[Role.PORTFOLIO_LEADER, Role.PRINCIPAL_LEADER]
    )


def units():
    return Unit.objects.filter(is_active=True)


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=9999,
        help_text=_("Leave blank to number it after the last meeting of its kind this year."),
    )
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    chair = LeaderChoiceField(
        label=_("Chaired by"), queryset=leaders(), required=False, widget=LeaderPicker
    )
    attending_units = forms.ModelMultipleChoiceField(
        label=_("Attending units"), queryset=units(), required=False, widget=UnitsPicker
    )
    minutes = forms.CharField(
        label=_("Meeting minutes"),
        max_length=MINUTES_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        self.meeting = meeting
        if meeting is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "kind": meeting.kind,
                "number": meeting.number,
                "date": meeting.date,
                "subject": meeting.subject,
                "chair": meeting.chair_id,
                "attending_units": [unit.pk for unit in meeting.attending_units.all()],
                "minutes": meeting.minutes,
            }
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = leaders()
        self.fields["attending_units"].queryset = units()


class MinutesForm(forms.Form):
    """Minutes pasted to be split into decisions."""

    minutes = forms.CharField(
        label=_("Meeting minutes"),
        max_length=MINUTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class DecisionForm(forms.Form):
    """One decision on the review page: its text, units, leader and deadline."""

    text = forms.CharField(
        label=_("Meeting decision"),
        max_length=DECISION_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=units(), widget=UnitPicker)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"), queryset=units(), required=False, widget=UnitsPicker
    )
    lead_leader = LeaderChoiceField(
        label=_("Lead leader"), queryset=leaders(), required=False, widget=LeaderPicker
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units()
        self.fields["co_units"].queryset = units()
        self.fields["lead_leader"].queryset = leaders()

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < self.meeting.date:
            raise forms.ValidationError(
                _("The deadline cannot be before the meeting (%(date)s).")
                % {"date": self.meeting.date.isoformat()}
            )
        return deadline

    def draft(self) -> DecisionDraft:
        data = self.cleaned_data
        lead = data["lead_unit"]
        return DecisionDraft(
            text=data["text"],
            lead_unit=lead,
            deadline=data["deadline"],
            co_units=[unit for unit in data["co_units"] if unit.pk != lead.pk],
            lead_leader=data["lead_leader"],
        )


class BaseDecisionFormSet(forms.BaseFormSet):
    def drafts(self) -> list[DecisionDraft]:
        """The rows kept (not marked for removal), in order."""
        deleted = self.deleted_forms
        return [form.draft() for form in self.forms if form not in deleted]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not [form for form in self.forms if form not in self.deleted_forms]:
            raise forms.ValidationError(_("Keep at least one decision, or go back."))


DecisionFormSet = forms.formset_factory(
    DecisionForm,
    formset=BaseDecisionFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_DECISIONS,
    validate_max=True,
    absolute_max=MAX_DECISIONS,
)


class ReviewMinutesForm(forms.Form):
    """The minutes the review page came from, kept with the meeting when it is saved."""

    minutes = forms.CharField(max_length=MINUTES_LIMIT, required=False, widget=forms.HiddenInput)
