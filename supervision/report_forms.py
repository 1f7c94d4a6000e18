"""The reports page's filter and its form for generating a report."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import reports
from .models import Report, ReportKind


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="period_end", lookup_expr="year", min_value=2000
    )

    class Meta:
        model = Report
        fields = ["kind", "year"]


def _executive_meetings():
    from meetings.choices import MeetingKind
    from meetings.models import Meeting

    return Meeting.objects.filter(kind=MeetingKind.EXECUTIVE).order_by("-date", "-number")


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting) -> str:
        return f"{meeting.display_name}（{meeting.date:%Y-%m-%d}）"


class GenerateReportForm(forms.Form):
    """Which report to generate: a kind and a period, or an executive meeting."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=10,
        help_text=_("2026-10 (month), 2026-Q3 (quarter), 2026-H1 (half-year), 2026 (year)"),
    )
    meeting = MeetingChoiceField(
        label=_("Executive meeting reported on"),
        required=False,
        queryset=None,
        help_text=_("For the report on the previous executive meeting's decisions."),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the list's filter form on the same page has a "kind" too.
        kwargs.setdefault("auto_id", "generate_%s")
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = _executive_meetings()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportKind.EXECUTIVE_MEETING:
            if not data.get("meeting"):
                self.add_error("meeting", _("Choose the executive meeting to report on."))
        elif kind:
            try:
                data["parsed_period"] = reports.parse_period(kind, data.get("period", ""))
            except ValueError as error:
                self.add_error("period", str(error))
        return data
