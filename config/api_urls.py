"""The API under /api/: each app's routes, the OpenAPI schema and its browsable docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound

app_name = "api"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request, *args, **kwargs):
    """Anything else under /api/ answers JSON too."""
    raise NotFound


# Swagger UI sets a few inline styles; its scripts come from our own static files.
docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("", include("taskboard.api.urls")),
    path("", include("meetings.api")),
    path("", include("directives.api")),
    path("", include("directives.api_writes")),
    path("", include("supervision.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    re_path(r"^", not_found),  # any path, newlines included
]
