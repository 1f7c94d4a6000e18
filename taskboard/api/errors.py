"""Every API error as JSON: {"code": ..., "message": ..., "errors": {...}}.

The services' refusals map as on the page: not allowed → 403, wrong state → 409, a stale
version → 409 with the task as it is now, bad input → 400."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ..services import ActionNotAllowed, TaskActionError, TaskChanged


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _messages() -> dict[str, str]:
    # Built per call, so each message is in the language of the request.
    return {
        "invalid": _("The request is invalid; nothing was saved."),
        "parse_error": _("The request body is not valid JSON."),
        "not_authenticated": _("Log in or give an API token."),
        "permission_denied": _("You may not do this."),
        "not_found": _("Not found, or not visible to you."),
        "method_not_allowed": _("This method is not allowed here."),
        "not_acceptable": _("This response format is not available."),
        "unsupported_media_type": _("Send the request body as JSON."),
        "throttled": _("Too many requests; try again later."),
    }


def django_errors(error: DjangoValidationError) -> dict:
    """A Django ValidationError as field → messages; errors not tied to a field go
    under non_field_errors, as DRF names them."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def _code(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, exceptions.ErrorDetail) and detail.code:
        return detail.code
    return exc.default_code


def exception_handler(exc, context):
    current = None
    if isinstance(exc, TaskChanged):
        current = exc.task
        exc = Conflict(exc.message, code=exc.code)
    elif isinstance(exc, ActionNotAllowed):
        exc = exceptions.PermissionDenied(exc.message, code=exc.code)
    elif isinstance(exc, TaskActionError):
        exc = Conflict(exc.message, code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(_("The request is too large."), code="too_large")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(code="bad_request")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _code(exc)
    messages = _messages()
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        errors = response.data if isinstance(response.data, dict) else {}
        if isinstance(response.data, list):
            errors = {"non_field_errors": response.data}
        body = {"code": code, "message": messages["invalid"], "errors": errors}
    else:
        detail = exc.detail
        custom = isinstance(detail, str) and str(detail) != str(exc.default_detail)
        message = str(detail) if custom else messages.get(code, str(detail))
        body = {"code": code, "message": message}
    if current is not None:
        from .serializers import TaskDetailSerializer

        body["current"] = TaskDetailSerializer(current, context=context).data
    response.data = body
    return response
