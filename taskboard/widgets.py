"""Pickers for units and leaders: a select that an htmx search box refills, keeping what is
already chosen. Without JavaScript the select still lists the first units."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PICKER_LIMIT = 50


class PickerMixin:
    template_name = "taskboard/widgets/picker.html"
    picker_kind = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker_url"] = reverse("taskboard:picker", args=[self.picker_kind])
        context["widget"]["search_label"] = self.search_label
        return context

    def optgroups(self, name, value, attrs=None):
        # Render the chosen options and the first page only; the search box brings the rest.
        chosen = {str(v) for v in value if v not in (None, "")}
        shown, kept = 0, []
        for group_name, options, index in super().optgroups(name, value, attrs):
            visible = []
            for option in options:
                if option["value"] in ("", None) or str(option["value"]) in chosen:
                    visible.append(option)
                elif shown < PICKER_LIMIT:
                    shown += 1
                    visible.append(option)
            kept.append((group_name, visible, index))
        return kept


class UnitPicker(PickerMixin, forms.Select):
    picker_kind = "units"
    search_label = _("Search units")


class UnitsPicker(PickerMixin, forms.SelectMultiple):
    picker_kind = "units"
    search_label = _("Search units")


class LeaderPicker(PickerMixin, forms.Select):
    picker_kind = "leaders"
    search_label = _("Search leaders")
