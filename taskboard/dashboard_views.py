"""The leaders' dashboard: rates from the tallies, every number a link to its tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .choices import DeadlineSource, TaskOrigin
from .filters import NO_SOURCE, PERIOD_CHOICES, leaders
from .models import Unit
from .selectors import DashboardFilters, DashboardScope
from .stats import Figures, Standing
from .widgets import UnitPicker

UNIT_ROWS = 30  # units shown before "all units"


class DashboardFilterForm(forms.Form):
    """The dashboard's filters. Unit staff see their own unit only, so no unit choice."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    period = forms.ChoiceField(
        label=gettext_lazy("Assigned in"),
        choices=[("", gettext_lazy("Whole year")), *PERIOD_CHOICES],
        required=False,
    )
    origin = forms.ChoiceField(
        label=gettext_lazy("Origin"),
        choices=[("", "---------"), *TaskOrigin.choices],
        required=False,
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Kind of source"),
        choices=[
            ("", "---------"),
            *DeadlineSource.choices,
            (NO_SOURCE, gettext_lazy("No deadline rule")),
        ],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Lead unit"), queryset=Unit.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(
        label=gettext_lazy("Lead leader"), queryset=leaders(), required=False
    )
    all_units = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, scope: DashboardScope, **kwargs):
        super().__init__(*args, **kwargs)
        if scope.units is not None and scope.portfolio_of is None:
            del self.fields["unit"]
        elif scope.units is not None:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=scope.units)
        else:
            # Thousands of units: the picker renders the first few and searches the rest.
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
            self.fields["unit"].widget = UnitPicker()

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        unit, leader = data.get("unit"), data.get("leader")
        return DashboardFilters(
            year=data["year"],
            period=data.get("period") or "",
            origin=data.get("origin") or "",
            source=data.get("source") or "",
            unit=unit.pk if unit else None,
            leader=leader.pk if leader else None,
        )


# ---------------------------------------------------------------------------
# Links: each number opens the task list filtered to exactly the tasks it counts


def _base_query(scope: DashboardScope, filters: DashboardFilters, *, co_unit: bool) -> dict:
    query: dict = {"year": filters.year}
    for name in ("period", "origin", "source"):
        if getattr(filters, name):
            query[name] = getattr(filters, name)
    if filters.leader is not None:
        query["lead_leader"] = filters.leader
    if co_unit:
        # Co-unit rows link by their co-unit; the lead-unit scope does not apply to them.
        if filters.unit is not None:
            query["co_unit"] = filters.unit
        elif scope.units is not None and scope.portfolio_of is None:
            (query["co_unit"],) = scope.units
        return query
    if scope.portfolio_of is not None:
        query["portfolio"] = scope.portfolio_of
    elif scope.units is not None:
        (query["lead_unit"],) = scope.units
    if filters.unit is not None:
        query["lead_unit"] = filters.unit
    return query


def tasks_link(base: dict, **cell) -> str:
    return f"{reverse('taskboard:task_list')}?{urlencode({**base, **cell})}"


COLUMNS = [
    ("counted", "total"),
    ("closed", "closed"),
    ("on_track", "on_track_count"),
    ("overdue", "overdue"),
]


@dataclass
class Row:
    """One line of a panel: a label, its figures, and the links of its numbers."""

    label: str
    figures: Figures
    links: dict[str, str] = field(default_factory=dict)
    key: str = ""
    url: str = ""

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        return [
            (standing, getattr(self.figures, attribute), self.links[standing])
            for standing, attribute in COLUMNS
        ]


def _row(label: str, figures: Figures, base: dict, key="", url="", standings=(), **cell) -> Row:
    links = {
        standing: tasks_link(base, **cell, standing=standing)
        for standing in [*(column for column, _attribute in COLUMNS), *standings]
    }
    return Row(label=label, figures=figures, links=links, key=str(key), url=url)


def _month_label(month: int) -> str:
    return _("Not yet assigned") if not month else f"{month // 100}-{month % 100:02d}"


def _month_value(month: int) -> str:
    return "none" if not month else f"{month // 100}-{month % 100:02d}"


def _ranked(figures_by: dict) -> list[tuple]:
    """(key, figures) by completion rate, then by counted tasks, highest first."""
    return sorted(
        figures_by.items(),
        key=lambda item: (-(item[1].completion.percent or -1), -item[1].total, item[0]),
    )


def _by_rate(rows: list[Row]) -> list[Row]:
    return sorted(
        rows,
        key=lambda row: (
            -(row.figures.completion.percent or -1),
            -row.figures.total,
            row.label,
        ),
    )


@login_required
def dashboard(request):
    """Completion, on-track and overdue rates for the person's scope, from the tallies."""
    scope = selectors.dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("year", str(today.year))
    form = DashboardFilterForm(data, scope=scope)
    context = {
        "form": form,
        "today": today,
        "as_of": timezone.localtime(),
        "big_screen": request.GET.get("screen") == "big",
        "print_view": request.GET.get("view") == "print",
        "standings": Standing,
    }
    if not form.is_valid():
        return render(request, "taskboard/dashboard.html", context)
    filters = form.filters()
    numbers = selectors.dashboard(user=request.user, scope=scope, filters=filters)
    lead = _base_query(scope, filters, co_unit=False)
    co = _base_query(scope, filters, co_unit=True)

    show_all = form.cleaned_data.get("all_units") or False
    # Thousands of units: rank them all, but name and link only the ones shown.
    ranked_units = _ranked(numbers.by_unit)
    ranked_co_units = _ranked(numbers.by_co_unit)
    if not show_all:
        ranked_units, ranked_co_units = ranked_units[:UNIT_ROWS], ranked_co_units[:UNIT_ROWS]
    unit_ids = {pk for pk, _figures in ranked_units + ranked_co_units}
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=unit_ids)}
    people = {
        person.pk: person
        for person in get_user_model().objects.filter(pk__in=[pk for pk in numbers.by_leader if pk])
    }

    def unit_name(pk):
        unit = units.get(pk)
        return unit.short_name or unit.name if unit else str(pk)

    def leader_name(pk):
        if not pk:
            return _("No lead leader")
        person = people.get(pk)
        return (person.get_full_name() or person.get_username()) if person else str(pk)

    origins = dict(TaskOrigin.choices)
    sources = {**dict(DeadlineSource.choices), NO_SOURCE: _("No deadline rule")}
    unit_rows = [
        _row(unit_name(pk), figures, lead, key=pk, lead_unit=pk) for pk, figures in ranked_units
    ]
    co_unit_rows = [
        _row(unit_name(pk), figures, {**co, "co_unit": pk}, key=pk)
        for pk, figures in ranked_co_units
    ]
    counted_tasks = selectors.dashboard_tasks(user=request.user, scope=scope, filters=filters)
    source_panels = [
        (
            panel,
            [
                _row(row.label, row.figures, lead, key=row.ref, url=row.url, source_ref=row.ref)
                for row in panel.rows
            ],
        )
        for panel in selectors.source_panels(tasks=counted_tasks, year=filters.year)
    ]
    origin_rows = [
        _row(origins.get(key, key), figures, lead, key=key, origin=key)
        for key, figures in sorted(numbers.by_origin.items())
    ]
    month_rows = [
        _row(_month_label(month), figures, lead, key=month, assigned_month=_month_value(month))
        for month, figures in sorted(numbers.by_month.items())
    ]
    query = request.GET.dict()
    context.update(
        filters=filters,
        headline=_row(
            _("All counted tasks"),
            numbers.headline,
            lead,
            standings=[*Standing.values, "yellow", "not_closed"],
        ),
        origin_rows=origin_rows,
        source_rows=[
            _row(sources.get(key, key), figures, lead, key=key, source=key)
            for key, figures in sorted(numbers.by_source.items())
        ],
        leader_rows=_by_rate(
            [
                _row(leader_name(pk), figures, lead, key=pk, lead_leader=pk or "null")
                for pk, figures in numbers.by_leader.items()
            ]
        ),
        unit_rows=unit_rows,
        unit_count=len(numbers.by_unit),
        co_unit_rows=co_unit_rows,
        co_unit_count=len(numbers.by_co_unit),
        month_rows=month_rows,
        source_panels=source_panels,
        overdue=numbers.overdue,
        overdue_link=tasks_link(lead, standing=Standing.OVERDUE),
        all_units_query=urlencode({**query, "all_units": "on"}),
        screen_query=urlencode({**query, "screen": "big"}),
        print_query=urlencode({**query, "view": "print"}),
        chart_data={
            "lights": _lights(numbers.headline, lead),
            "origins": [_chart_row(row) for row in origin_rows],
            "units": [_chart_row(row) for row in unit_rows[:UNIT_ROWS]],
            "months": [_chart_row(row) for row in month_rows],
            "labels": _chart_labels(),
        },
    )
    return render(request, "taskboard/dashboard.html", context)


def _chart_row(row: Row) -> dict:
    figures = row.figures
    return {
        "label": row.label,
        "total": figures.total,
        "closed": figures.closed,
        "overdue": figures.overdue,
        "completion": float(figures.completion.percent or 0),
        "on_track": float(figures.on_track.percent or 0),
        "links": {key: row.links[key] for key in ("counted", "closed", "overdue", "on_track")},
    }


def _lights(headline: Figures, lead: dict) -> list[dict]:
    standing = {"green": Standing.ON_SCHEDULE.value, "yellow": "yellow", "red": "overdue"}
    return [
        {
            "name": colour,
            "value": headline.light(colour),
            "link": tasks_link(lead, standing=standing[colour]),
        }
        for colour in ("green", "yellow", "red")
    ]


def _chart_labels() -> dict:
    return {
        "completion": _("Completion rate"),
        "on_track": _("On-track rate"),
        "closed": _("Closed"),
        "overdue": _("Overdue"),
        "total": _("Counted"),
        "green": _("On schedule"),
        "yellow": _("Due soon or behind schedule"),
        "red": _("Overdue"),
    }
