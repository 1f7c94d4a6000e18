import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, DeadlineSource, DueState, Role, TaskOrigin, TaskState
from .models import Task, Unit
from .stats import STANDING_GROUPS, Standing, standing_expression

# The dashboard's numbers link to the task list with these filters (taskboard/selectors.py
# builds the links): each gives exactly the tasks a tally counts.
STANDING_CHOICES = [
    ("counted", _("All counted (not cancelled)")),
    ("on_track", _("Closed or on schedule")),
    ("open", _("Running")),
    ("not_closed", _("Not closed")),
    ("yellow", _("Yellow light")),
    *Standing.choices,
]
PERIOD_CHOICES = [
    ("q1", _("First quarter")),
    ("q2", _("Second quarter")),
    ("q3", _("Third quarter")),
    ("q4", _("Fourth quarter")),
    ("h1", _("First half")),
    ("h2", _("Second half")),
]
PERIOD_MONTHS = {
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
    "h1": (1, 6),
    "h2": (7, 12),
}
NO_SOURCE = "none"
LEADER_ROLES = [Role.PORTFOLIO_LEADER, Role.PRINCIPAL_LEADER]


# Filters by a source row (`source_ref=meeting:12`): taskboard knows no source app, so each
# registers, from AppConfig.ready(), a prefix and how to narrow tasks to one of its rows.
_source_refs: dict[str, object] = {}


def register_source_ref(prefix: str, narrow) -> None:
    """`narrow(queryset, value)` gives the tasks of the source row `value` (a string)."""
    _source_refs[prefix] = narrow


def source_ref(prefix: str, value) -> str:
    return f"{prefix}:{value}"


def leaders():
    return get_user_model().objects.filter(profile__role__in=LEADER_ROLES).order_by("username")


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
    standing = django_filters.ChoiceFilter(
        label=_("Standing"), choices=STANDING_CHOICES, method="filter_standing"
    )
    source = django_filters.ChoiceFilter(
        label=_("Kind of source"),
        choices=[*DeadlineSource.choices, (NO_SOURCE, _("No deadline rule"))],
        method="filter_source",
    )
    co_unit = django_filters.ModelChoiceFilter(
        label=_("Co-unit"), field_name="co_units", queryset=Unit.objects.all()
    )
    lead_leader = django_filters.ModelChoiceFilter(
        label=_("Lead leader"), queryset=leaders(), null_label=_("No lead leader")
    )
    portfolio = django_filters.ModelChoiceFilter(
        label=_("Portfolio of"),
        queryset=get_user_model().objects.filter(profile__role=Role.PORTFOLIO_LEADER),
        method="filter_portfolio",
    )
    period = django_filters.ChoiceFilter(
        label=_("Assigned in"), choices=PERIOD_CHOICES, method="filter_period"
    )
    source_ref = django_filters.CharFilter(
        label=_("Source"),
        method="filter_source_ref",
        max_length=60,
        validators=[RegexValidator(r"^[a-z_]+:\w+$", _("Not a source reference."))],
        widget=forms.TextInput(attrs={"placeholder": "meeting:12"}),
    )
    assigned_month = django_filters.CharFilter(
        label=_("Assigned in month"),
        method="filter_assigned_month",
        max_length=7,
        validators=[
            RegexValidator(
                r"^(none|\d{4}-(0[1-9]|1[0-2]))$", _("Give a month as YYYY-MM, or none.")
            )
        ],
        widget=forms.TextInput(attrs={"placeholder": "2026-03"}),
    )

    class Meta:
        model = Task
        fields = [
            "q",
            "year",
            "state",
            "origin",
            "lead_unit",
            "due_state",
            "overdue",
            "standing",
            "source",
            "co_unit",
            "lead_leader",
            "portfolio",
            "period",
            "assigned_month",
            "source_ref",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())

    def filter_standing(self, queryset, name, value):
        standings = STANDING_GROUPS.get(value, {value})
        return queryset.alias(standing_now=standing_expression()).filter(
            standing_now__in=[str(standing) for standing in standings]
        )

    def filter_source(self, queryset, name, value):
        return queryset.filter(deadline_source="" if value == NO_SOURCE else value)

    def filter_portfolio(self, queryset, name, leader):
        """Tasks led by a unit in this leader's portfolio or by the leader: what the
        leader's dashboard counts."""
        return queryset.filter(
            Q(lead_unit__in=leader.profile.portfolio.all()) | Q(lead_leader=leader)
        )

    def filter_period(self, queryset, name, value):
        first, last = PERIOD_MONTHS[value]
        year = self.form.cleaned_data.get("year")
        if year:
            queryset = queryset.filter(assigned_on__year=year)
        return queryset.filter(assigned_on__month__gte=first, assigned_on__month__lte=last)

    def filter_assigned_month(self, queryset, name, value):
        if not value:
            return queryset
        if value == "none":
            return queryset.filter(assigned_on__isnull=True)
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(assigned_on__year=year, assigned_on__month=month)

    def filter_source_ref(self, queryset, name, value):
        if not value:
            return queryset
        prefix, _colon, key = value.partition(":")
        narrow = _source_refs.get(prefix)
        if narrow is None:
            return queryset.none()
        return narrow(queryset, key)
