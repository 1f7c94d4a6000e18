"""The OpenAPI schema: every operation documents the errors it can answer with."""

from __future__ import annotations

import copy

import django_filters
from drf_spectacular import openapi
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes


class AutoSchema(openapi.AutoSchema):
    """Adds the JSON error responses (ErrorSerializer) every operation may give."""

    def _error_statuses(self) -> list[str]:
        codes = ["400", "401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "415"]
        return codes

    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in self._error_statuses():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, None, direction
                )
        return responses


def api_filterset(filterset_class):
    """The page's FilterSet unchanged, except that the schema is told its model-choice
    filters take ids (drf-spectacular cannot tell when such a filter has a method)."""
    declared = {}
    for name, declared_filter in filterset_class.base_filters.items():
        if isinstance(
            declared_filter,
            django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter,
        ):
            copied = copy.deepcopy(declared_filter)
            set_override(copied, "field", OpenApiTypes.INT)
            declared[name] = copied
    return type(filterset_class.__name__, (filterset_class,), declared)
