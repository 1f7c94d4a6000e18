import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import MeetingKind
from .models import Decision, Meeting


class MeetingFilter(django_filters.FilterSet):
    """The filters of the meeting list."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Subject, minutes or decision")}),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind of meeting"), choices=MeetingKind.choices)
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)

    class Meta:
        model = Meeting
        fields = ["q", "kind", "year"]

    def __init__(self, *args, tasks, read_minutes: bool, **kwargs):
        # The search looks only where the person may look: decisions of visible tasks,
        # and minutes only for those who may read them.
        self.tasks, self.read_minutes = tasks, read_minutes
        super().__init__(*args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        decisions = Decision.objects.filter(task__in=self.tasks, text__icontains=value)
        found = Q(subject__icontains=value) | Q(pk__in=decisions.values("meeting"))
        if self.read_minutes:
            found |= Q(minutes__icontains=value)
        return queryset.filter(found)
