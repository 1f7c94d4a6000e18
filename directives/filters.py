"""The filters of the source lists: year, unit, leader and text."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from taskboard.models import Task, Unit

from .choices import InstructionKind, ProposalKind
from .models import AssignmentItem, Instruction, Proposal, SuperiorAssignment, Target, WorkReport
from .selectors import leaders


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class LeaderFilter(django_filters.ModelChoiceFilter):
    field_class = LeaderChoiceField


class SourceFilter(django_filters.FilterSet):
    """Shared by every source list. Subclasses say how a row reaches its tasks."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    year = django_filters.NumberFilter(
        label=_("Year"), method="filter_year", min_value=2000, max_value=2100
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.filter(is_active=True), method="filter_unit"
    )
    leader = LeaderFilter(label=_("Leader"), queryset=leaders(), method="filter_leader")

    year_field = "year"

    def row_tasks(self, tasks):
        """A condition on the rows: they have one of these tasks."""
        return Q(task__in=tasks)

    def text_condition(self, value: str) -> Q:
        raise NotImplementedError

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(self.text_condition(value)) if value else queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(**{self.year_field: value}) if value else queryset

    def filter_unit(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(self.row_tasks(Task.objects.involving_units([value])))

    def filter_leader(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(self.row_tasks(Task.objects.filter(lead_leader=value)))


class WorkReportFilter(SourceFilter):
    class Meta:
        model = WorkReport
        fields = ["q", "year", "unit", "leader"]

    def row_tasks(self, tasks):
        return Exists(Target.objects.filter(report=OuterRef("pk"), task__in=tasks))

    def text_condition(self, value):
        targets = Target.objects.filter(report=OuterRef("pk"), text__icontains=value)
        return Q(title__icontains=value) | Exists(targets)


class InstructionFilter(SourceFilter):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InstructionKind.choices)
    year_field = "issued_on__year"

    class Meta:
        model = Instruction
        fields = ["q", "year", "kind", "unit", "leader"]

    def filter_leader(self, queryset, name, value):
        return queryset.filter(leader=value) if value else queryset

    def text_condition(self, value):
        return (
            Q(text__icontains=value)
            | Q(reference__icontains=value)
            | Q(task__code__icontains=value)
        )


class SuperiorAssignmentFilter(SourceFilter):
    year_field = "received_on__year"

    class Meta:
        model = SuperiorAssignment
        fields = ["q", "year", "unit", "leader"]

    def row_tasks(self, tasks):
        return Exists(AssignmentItem.objects.filter(assignment=OuterRef("pk"), task__in=tasks))

    def text_condition(self, value):
        items = AssignmentItem.objects.filter(assignment=OuterRef("pk"), text__icontains=value)
        return (
            Q(title__icontains=value)
            | Q(issuing_body__icontains=value)
            | Q(reference__icontains=value)
            | Exists(items)
        )


class ProposalFilter(SourceFilter):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ProposalKind.choices)

    class Meta:
        model = Proposal
        fields = ["q", "year", "kind", "unit", "leader"]

    def text_condition(self, value):
        condition = (
            Q(title__icontains=value)
            | Q(proposer__icontains=value)
            | Q(category__icontains=value)
            | Q(task__code__icontains=value)
        )
        if value.isdigit() and len(value) < 10:
            condition |= Q(number=int(value))
        return condition
