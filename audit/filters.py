import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, AuditResult
from .models import AuditRecord


class AuditRecordFilter(django_filters.FilterSet):
    """Searching the audit trail: by person, action, result, object, address and date."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("User, object, path or address")}),
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    result = django_filters.ChoiceFilter(label=_("Result"), choices=AuditResult.choices)
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditRecord
        fields = ["q", "action", "result", "since", "until"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(object_id=value)
            | Q(object_type__icontains=value)
            | Q(path__icontains=value)
            | Q(ip__startswith=value)
        )
