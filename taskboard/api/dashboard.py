"""The dashboard's figures as JSON: the page's filter form, the page's scope and the page's
selector (`selectors.dashboard`, summing the tallies), so a number here and on the page
cannot differ. Each row links to /api/tasks/ filtered to exactly the tasks it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..choices import DeadlineSource, TaskOrigin
from ..dashboard_views import UNIT_ROWS, DashboardFilterForm, _base_query, _ranked
from ..filters import NO_SOURCE, PERIOD_CHOICES
from ..models import Unit
from ..services import ActionNotAllowed
from ..stats import CompletionRate, Figures, Standing
from .serializers import PersonRefSerializer, TaskListSerializer, UnitRefSerializer
from .views import form_errors


def _rate(rate: CompletionRate) -> str | None:
    percent = rate.percent
    return None if percent is None else str(percent)


# ---------------------------------------------------------------------------
# What the API says


class FiguresSerializer(serializers.Serializer):
    """Counts by standing and the rates from them (docs/metrics.md), rates in percent to
    one decimal as strings ("94.9"), null when nothing is counted."""

    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("Tasks by standing (draft, on_schedule, …, cancelled)."),
    )
    counted = serializers.IntegerField(help_text=gettext_lazy("All but the cancelled."))
    closed = serializers.IntegerField()
    on_track = serializers.IntegerField(
        help_text=gettext_lazy("Closed, on schedule, or due soon on schedule.")
    )
    overdue = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    completion_rate = serializers.CharField(allow_null=True)
    on_track_rate = serializers.CharField(allow_null=True)
    overdue_rate = serializers.CharField(allow_null=True)
    tasks = serializers.CharField(
        help_text=gettext_lazy("The task list (/api/tasks/) of exactly the counted tasks.")
    )


def figures_data(figures: Figures, tasks: str) -> dict:
    return {
        "counts": {standing: figures.count(standing) for standing in Standing.values},
        "counted": figures.total,
        "closed": figures.closed,
        "on_track": figures.on_track_count,
        "overdue": figures.overdue,
        "cancelled": figures.cancelled,
        "completion_rate": _rate(figures.completion),
        "on_track_rate": _rate(figures.on_track),
        "overdue_rate": _rate(figures.overdue_rate),
        "tasks": tasks,
    }


class LightsSerializer(serializers.Serializer):
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class HeadlineSerializer(FiguresSerializer):
    lights = LightsSerializer(help_text=gettext_lazy("Running tasks by light."))


class KeyedFiguresSerializer(FiguresSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class LeaderFiguresSerializer(FiguresSerializer):
    leader = PersonRefSerializer(allow_null=True)


class UnitFiguresSerializer(FiguresSerializer):
    unit = UnitRefSerializer()


class MonthFiguresSerializer(FiguresSerializer):
    month = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("YYYY-MM assigned; null: not yet assigned.")
    )


class SourceRowSerializer(FiguresSerializer):
    label = serializers.CharField()
    ref = serializers.CharField()
    url = serializers.CharField()


class SourcePanelSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    rows = SourceRowSerializer(many=True)


class AppliedFiltersSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    period = serializers.CharField()
    origin = serializers.CharField()
    source = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    leader = serializers.IntegerField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    filters = AppliedFiltersSerializer()
    headline = HeadlineSerializer()
    by_origin = KeyedFiguresSerializer(many=True)
    by_source = KeyedFiguresSerializer(
        many=True, help_text=gettext_lazy("Meeting decisions by kind of meeting.")
    )
    by_leader = LeaderFiguresSerializer(many=True)
    by_unit = UnitFiguresSerializer(
        many=True, help_text=gettext_lazy("Tasks by lead unit, best rate first.")
    )
    unit_count = serializers.IntegerField()
    by_co_unit = UnitFiguresSerializer(
        many=True, help_text=gettext_lazy("Co-unit work by unit, apart from the totals.")
    )
    co_unit_count = serializers.IntegerField()
    by_month = MonthFiguresSerializer(many=True)
    source_panels = SourcePanelSerializer(many=True)
    overdue = TaskListSerializer(many=True, help_text=gettext_lazy("Overdue longest first."))


# ---------------------------------------------------------------------------
# The view


def _month(month: int) -> str | None:
    return f"{month // 100}-{month % 100:02d}" if month else None


PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("Default: this year.")),
    OpenApiParameter("period", str, enum=[value for value, _label in PERIOD_CHOICES]),
    OpenApiParameter("origin", str, enum=TaskOrigin.values),
    OpenApiParameter("source", str, enum=[*DeadlineSource.values, NO_SOURCE]),
    OpenApiParameter(
        "unit",
        OpenApiTypes.INT,
        description=gettext_lazy("Lead unit (not for unit staff: theirs is their own)."),
    ),
    OpenApiParameter("leader", OpenApiTypes.INT, description=gettext_lazy("Lead leader.")),
    OpenApiParameter(
        "all_units",
        OpenApiTypes.BOOL,
        description=gettext_lazy("Every unit, not only the first 30 by rate."),
    ),
]


class DashboardView(APIView):
    """The leaders' dashboard figures for this person's scope, as on /dashboard/."""

    @extend_schema(tags=["dashboard"], parameters=PARAMETERS, responses={200: DashboardSerializer})
    def get(self, request):
        """Headline counts and rates, by origin, kind of meeting, leader, lead unit, co-unit
        and month, the per-meeting panel and the longest overdue tasks."""
        scope = selectors.dashboard_scope(request.user)
        if scope is None:
            raise ActionNotAllowed(_("Your role has no dashboard."))
        data = request.query_params.copy()
        data.setdefault("year", str(timezone.localdate().year))
        form = DashboardFilterForm(data, scope=scope)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        filters = form.filters()
        numbers = selectors.dashboard(user=request.user, scope=scope, filters=filters)

        api_tasks = reverse("api:task-list")
        lead = _base_query(scope, filters, co_unit=False)
        co = _base_query(scope, filters, co_unit=True)

        def figures(value: Figures, base: dict, **cell) -> dict:
            query = urlencode({**base, **cell, "standing": "counted"})
            return figures_data(value, request.build_absolute_uri(f"{api_tasks}?{query}"))

        ranked_units, ranked_co_units = _ranked(numbers.by_unit), _ranked(numbers.by_co_unit)
        if not form.cleaned_data.get("all_units"):
            ranked_units, ranked_co_units = ranked_units[:UNIT_ROWS], ranked_co_units[:UNIT_ROWS]
        unit_ids = {pk for pk, _figures in ranked_units + ranked_co_units}
        units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=unit_ids)}
        people = {
            person.pk: person
            for person in get_user_model().objects.filter(
                pk__in=[pk for pk in numbers.by_leader if pk]
            )
        }
        origins = dict(TaskOrigin.choices)
        sources = {**dict(DeadlineSource.choices), NO_SOURCE: _("No deadline rule")}

        def unit_row(pk, value, base, **cell) -> dict:
            unit = units.get(pk)
            ref = {"id": pk, "name": unit.name if unit else str(pk)}
            return {"unit": ref, **figures(value, base, **cell)}

        def leader_name(person) -> str:
            if person is None:
                return _("No lead leader")
            return person.get_full_name() or person.get_username()

        # Best rate first, then most tasks, then by name, as on the page.
        by_rate = sorted(
            numbers.by_leader.items(),
            key=lambda item: (
                -(item[1].completion.percent or -1),
                -item[1].total,
                leader_name(people.get(item[0])),
            ),
        )
        leader_rows = [
            {"leader": people.get(pk), **figures(value, lead, lead_leader=pk or "null")}
            for pk, value in by_rate
        ]
        counted_tasks = selectors.dashboard_tasks(user=request.user, scope=scope, filters=filters)
        body = {
            "as_of": timezone.localtime(),
            "filters": {
                "year": filters.year,
                "period": filters.period,
                "origin": filters.origin,
                "source": filters.source,
                "unit": filters.unit,
                "leader": filters.leader,
            },
            "headline": {
                **figures(numbers.headline, lead),
                "lights": {
                    colour: numbers.headline.light(colour) for colour in ("green", "yellow", "red")
                },
            },
            "by_origin": [
                {
                    "key": key,
                    "label": str(origins.get(key, key)),
                    **figures(value, lead, origin=key),
                }
                for key, value in sorted(numbers.by_origin.items())
            ],
            "by_source": [
                {
                    "key": key,
                    "label": str(sources.get(key, key)),
                    **figures(value, lead, source=key),
                }
                for key, value in sorted(numbers.by_source.items())
            ],
            "by_leader": leader_rows,
            "by_unit": [unit_row(pk, value, lead, lead_unit=pk) for pk, value in ranked_units],
            "unit_count": len(numbers.by_unit),
            "by_co_unit": [
                unit_row(pk, value, {**co, "co_unit": pk}) for pk, value in ranked_co_units
            ],
            "co_unit_count": len(numbers.by_co_unit),
            "by_month": [
                {
                    "month": _month(month),
                    **figures(value, lead, assigned_month=_month(month) or "none"),
                }
                for month, value in sorted(numbers.by_month.items())
            ],
            "source_panels": [
                {
                    "key": panel.key,
                    "title": str(panel.title),
                    "rows": [
                        {
                            "label": row.label,
                            "ref": row.ref,
                            "url": request.build_absolute_uri(row.url),
                            **figures(row.figures, lead, source_ref=row.ref),
                        }
                        for row in panel.rows
                    ],
                }
                for panel in selectors.source_panels(tasks=counted_tasks, year=filters.year)
            ],
            "overdue": numbers.overdue,
        }
        return Response(DashboardSerializer(body, context={"request": request}).data)
