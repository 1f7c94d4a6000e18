"""What the API says about tasks, and what it accepts for each action.

The action inputs are made from the page's forms (taskboard/actions.py), so a field, a
limit or a requirement cannot differ between the page and the API."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import forms as task_forms
from ..actions import ACTIONS, available_actions
from ..choices import DeadlineSource, FeedbackCadence, TaskOrigin
from ..models import (
    CoordinationRequest,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
)

User = get_user_model()


# ---------------------------------------------------------------------------
# References


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind", "parent", "sort_order", "is_active"]


# ---------------------------------------------------------------------------
# Tasks


class TaskListSerializer(serializers.ModelSerializer):
    lead_unit = UnitRefSerializer()
    lead_leader = PersonRefSerializer(allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "year",
            "title",
            "origin",
            "state",
            "due_state",
            "lead_unit",
            "lead_leader",
            "assigned_on",
            "deadline",
            "original_deadline",
            "version",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "planned_on", "percent", "description"]


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = PersonRefSerializer()
    decided_by = PersonRefSerializer(allow_null=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_by",
            "requested_at",
            "reason",
            "current_deadline",
            "proposed_deadline",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class CoordinationRequestSerializer(serializers.ModelSerializer):
    requested_by = PersonRefSerializer()
    answered_by = PersonRefSerializer(allow_null=True)

    class Meta:
        model = CoordinationRequest
        fields = [
            "id",
            "requested_by",
            "requested_at",
            "tried",
            "disagreement",
            "proposal",
            "answer",
            "answered_by",
            "answered_at",
        ]


class TaskDetailSerializer(TaskListSerializer):
    co_units = UnitRefSerializer(many=True)
    owner = PersonRefSerializer(allow_null=True)
    milestones = MilestoneSerializer(many=True)
    extension_requests = ExtensionRequestSerializer(many=True)
    coordination_requests = CoordinationRequestSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(TaskListSerializer.Meta):
        fields = [
            *TaskListSerializer.Meta.fields,
            "requirement",
            "deadline_source",
            "co_units",
            "owner",
            "feedback_cadence",
            "publicly_listed",
            "parent",
            "closed_at",
            "created_at",
            "updated_at",
            "milestones",
            "extension_requests",
            "coordination_requests",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(list(ACTIONS))))
    def get_allowed_actions(self, task) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return available_actions(task=task, user=request.user)


class BoundedListField(serializers.ListField):
    """A list whose length is checked before each element is looked at (so a huge list
    of ids is refused without a query per id)."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def unit_ids(*, max_length: int = 100, **kwargs) -> BoundedListField:
    """A list of active units' ids."""
    return BoundedListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True)),
        max_length=max_length,
        required=False,
        **kwargs,
    )


class MilestoneInputSerializer(serializers.Serializer):
    planned_on = serializers.DateField()
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TaskCreateSerializer(serializers.Serializer):
    """A draft task registered by the office (task_create)."""

    title = serializers.CharField(max_length=300)
    requirement = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    origin = serializers.ChoiceField(TaskOrigin.choices)
    deadline_source = serializers.ChoiceField(
        DeadlineSource.choices, required=False, allow_blank=True
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = unit_ids()
    lead_leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    feedback_cadence = serializers.ChoiceField(FeedbackCadence.choices, required=False)
    publicly_listed = serializers.BooleanField(required=False, default=False)
    milestones = MilestoneInputSerializer(many=True, required=False, max_length=100)


class ProgressReportSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    reporter = PersonRefSerializer()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "unit",
            "reporter",
            "reported_at",
            "text",
            "percent",
            "milestone",
            "is_repeat",
            "consolidated_parts",
        ]


class TaskEventSerializer(serializers.ModelSerializer):
    actor = PersonRefSerializer(allow_null=True)

    class Meta:
        model = TaskEvent
        fields = ["id", "kind", "actor", "at", "from_state", "to_state", "note", "payload"]


# ---------------------------------------------------------------------------
# Action inputs, made from the page's forms


def _field_from_form(field: django_forms.Field) -> serializers.Field | None:
    """The serializer field that accepts what this form field accepts (JSON typed)."""
    common = {"required": field.required}
    if isinstance(field, task_forms.MultipleFileField):
        return None  # files are given on the page; the API takes JSON only
    if isinstance(field, django_forms.ModelMultipleChoiceField):
        return BoundedListField(
            child=serializers.IntegerField(min_value=1), max_length=100, **common
        )
    if isinstance(field, django_forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, allow_null=not field.required, **common)
    if isinstance(field, django_forms.TypedChoiceField | django_forms.ChoiceField):
        return serializers.ChoiceField([value for value, _label in field.choices], **common)
    if isinstance(field, django_forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, django_forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, django_forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, django_forms.CharField):
        return serializers.CharField(
            max_length=field.max_length, allow_blank=not field.required, **common
        )
    raise TypeError(f"No API field for {type(field).__name__}")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def action_input_serializer(name: str) -> type[serializers.Serializer]:
    """A serializer with the fields of the action's form, `version` included."""
    form_class = ACTIONS[name].form
    fields = {}
    for field_name, form_field in form_class.base_fields.items():
        api_field = _field_from_form(form_field)
        if api_field is not None:
            fields[field_name] = api_field
    fields["version"] = serializers.IntegerField(
        min_value=1, help_text=_("The version of the task you saw; a stale one gets 409.")
    )
    return type(f"{_camel(name)}Action", (serializers.Serializer,), fields)


ACTION_INPUTS = {name: action_input_serializer(name) for name in ACTIONS}


# ---------------------------------------------------------------------------
# Errors


class ErrorSerializer(serializers.Serializer):
    """Every error: a machine-readable code and a message for people."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=_("Per field, what is wrong (400 only)."),
    )
    current = TaskDetailSerializer(
        required=False, help_text=_("The task as it is now (409 on a stale version).")
    )


class BoundedDateField(serializers.DateField):
    """A date in the years the calendar and the deadline rules can count in."""

    default_error_messages = {"out_of_range": _("Give a date between 2000 and 2100.")}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not 2000 <= day.year <= 2100:
            self.fail("out_of_range")
        return day
