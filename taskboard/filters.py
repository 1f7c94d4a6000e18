import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, DueState, TaskOrigin, TaskState
from .models import Task, Unit


class TaskFilter(django_filters.FilterSet):
    """The filters of every task list; shared by the pages and the API."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Code or title")}),
    )
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(label=_("State"), choices=TaskState.choices)
    origin = django_filters.ChoiceFilter(label=_("Origin"), choices=TaskOrigin.choices)
    lead_unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"), queryset=Unit.objects.filter(is_active=True)
    )
    due_state = django_filters.ChoiceFilter(label=_("Light"), choices=DueState.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Task
        fields = ["q", "year", "state", "origin", "lead_unit", "due_state", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
