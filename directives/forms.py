"""Input validation with messages for people. The services check again; these forms give
the messages next to the fields and keep what was typed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taskboard.attachments import ALLOWED, check_upload
from taskboard.choices import UNIT_ROLES
from taskboard.models import Unit
from taskboard.widgets import LeaderPicker, UnitPicker, UnitsPicker

from .choices import InstructionKind, ProposalKind, Satisfaction
from .models import TEXT_LIMIT
from .selectors import leaders
from .services import Item, Part, UnitsAndPeople


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, widget=DateInput)


def text_field(label, limit=TEXT_LIMIT, required=True, rows=4):
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=forms.Textarea({"rows": rows})
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def active_units():
    return Unit.objects.filter(is_active=True)


class UnitsFields(forms.Form):
    """Who a task goes to: one lead unit, any co-units."""

    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=active_units(), widget=UnitPicker
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"), queryset=active_units(), widget=UnitsPicker, required=False
    )

    def people(self, **extra) -> UnitsAndPeople:
        data = self.cleaned_data
        return UnitsAndPeople(
            lead_unit=data.get("lead_unit"), co_units=data.get("co_units") or (), **extra
        )

    def clean(self):
        data = super().clean()
        lead, co_units = data.get("lead_unit"), data.get("co_units")
        if lead and co_units and lead in co_units:
            data["co_units"] = [unit for unit in co_units if unit != lead]
        return data


# ---------------------------------------------------------------------------
# Work reports


class WorkReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    session_ended_on = date_field(_("Session ended on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class TargetForm(UnitsFields):
    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        max_value=9999,
        required=False,
        help_text=_("Leave empty for the next number."),
    )
    chapter = forms.CharField(label=_("Chapter or category"), max_length=100, required=False)
    text = text_field(_("Target"))
    indicator = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    target_value = forms.CharField(label=_("Target value"), max_length=100, required=False)
    lead_leader = PersonChoiceField(
        label=_("Lead leader"), queryset=leaders(), widget=LeaderPicker, required=False
    )
    owner = PersonChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.filter(is_active=True, profile__role__in=UNIT_ROLES),
        required=False,
    )
    deadline = date_field(_("Deadline"), required=False)

    field_order = ["number", "chapter", "text", "indicator", "target_value", "lead_leader"]

    def people(self) -> UnitsAndPeople:
        return super().people(
            lead_leader=self.cleaned_data.get("lead_leader"), owner=self.cleaned_data.get("owner")
        )


class MilestoneForm(forms.Form):
    """One row of the schedule (时序进度)."""

    planned_on = date_field(_("Planned date"))
    percent = forms.IntegerField(
        label=_("Planned percent"), min_value=0, max_value=100, required=False
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("percent") is None and not data.get("description"):
            raise ValidationError(_("Give a percent or a description."))
        return data

    def as_tuple(self):
        data = self.cleaned_data
        return (data["planned_on"], data.get("percent"), data.get("description", ""))


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=4, max_num=50, validate_max=True)


class PartForm(UnitsFields):
    """One unit's share of a split target."""

    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the target's title."),
    )
    deadline = date_field(_("Deadline"))
    requirement = text_field(_("Requirement"), required=False, rows=2)

    def as_part(self) -> Part:
        data = self.cleaned_data
        return Part(
            lead_unit=data["lead_unit"],
            deadline=data["deadline"],
            title=data.get("title", ""),
            requirement=data.get("requirement", ""),
            co_units=data.get("co_units") or (),
        )


PartFormSet = forms.formset_factory(
    PartForm, extra=2, min_num=1, validate_min=True, max_num=50, validate_max=True
)


# ---------------------------------------------------------------------------
# Instructions


class InstructionForm(UnitsFields):
    leader = PersonChoiceField(label=_("Leader"), queryset=leaders(), widget=LeaderPicker)
    issued_on = date_field(_("Date of the instruction"))
    kind = forms.ChoiceField(label=_("Kind"), choices=InstructionKind.choices)
    reference = forms.CharField(
        label=_("Document or letter"),
        max_length=200,
        required=False,
        help_text=_("The reference number or title of the document, or the letter's number."),
    )
    text = text_field(_("Instruction"))
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED))}),
    )

    field_order = ["leader", "issued_on", "kind", "reference", "text", "attachment"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):
            check_upload(upload)
            return upload
        # An edit keeps the stored file unless a new one is given.
        return None


# ---------------------------------------------------------------------------
# Assignments from above


class SuperiorAssignmentForm(forms.Form):
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=100)
    reference = forms.CharField(label=_("Reference number"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    received_on = date_field(_("Received on"))


class ItemForm(UnitsFields):
    text = text_field(_("Item"), rows=2)
    deadline = date_field(_("Deadline"))

    field_order = ["text", "lead_unit", "co_units", "deadline"]

    def as_item(self) -> Item:
        return Item(
            text=self.cleaned_data["text"],
            people=self.people(),
            deadline=self.cleaned_data["deadline"],
        )


ItemFormSet = forms.formset_factory(
    ItemForm, extra=3, min_num=1, validate_min=True, max_num=200, validate_max=True
)


# ---------------------------------------------------------------------------
# Proposals


class ProposalForm(UnitsFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999_999)
    proposer = forms.CharField(label=_("Proposer"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    text = text_field(_("Text"), required=False)
    received_on = date_field(_("Received on"))
    lead_leader = PersonChoiceField(
        label=_("Lead leader"), queryset=leaders(), widget=LeaderPicker, required=False
    )

    field_order = ["kind", "year", "number", "proposer", "category", "title", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def people(self) -> UnitsAndPeople:
        return super().people(lead_leader=self.cleaned_data.get("lead_leader"))


class ReplyForm(forms.Form):
    text = text_field(_("Reply"))
    replied_on = date_field(_("Replied on"))


class SatisfactionForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("The proposer is"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = text_field(_("Note"), limit=5_000, required=False, rows=2)
    deadline = date_field(_("New deadline for the second handling"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("satisfaction") == Satisfaction.DISSATISFIED and not data.get("deadline"):
            self.add_error("deadline", forms.Field.default_error_messages["required"])
        return data
