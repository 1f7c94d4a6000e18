"""The audit trail of every change and refusal, and the two-factor gate."""

import logging
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from . import two_factor
from .choices import AuditAction, AuditResult
from .services import record_write

logger = logging.getLogger(__name__)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED_STATUSES = {401, 403}
# Views that write their own, better records (the auth signals, the two-factor views).
SELF_AUDITED = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "audit:two_factor_setup",
    "audit:two_factor_verify",
}
# What a session that owes a TOTP code may still reach.
OPEN_WHILE_PENDING = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "admin:logout",
    "audit:two_factor_setup",
    "audit:two_factor_verify",
}
PK_KWARGS = ("pk", "object_id", "id", "task_pk")


def _match(request):
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def _result(status: int) -> AuditResult:
    if status in REFUSED_STATUSES:
        return AuditResult.REFUSED
    if status >= 400:
        return AuditResult.FAILED
    return AuditResult.OK


def _admin_model(url_name: str):
    """The model an admin URL such as `taskboard_task_change` is about."""
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url_name.startswith(prefix):
            return model
    return None


def _page_model(app_name: str, url_name: str):
    """The model a page URL such as `work_report_edit` in `directives` is about: the
    longest leading words of the URL name that name a model of that app."""
    words = url_name.split("_")
    for end in range(len(words), 0, -1):
        try:
            return apps.get_model(app_name, "".join(words[:end]))
        except LookupError:
            continue
    return None


def describe_object(match) -> tuple[str, str, str]:
    """(type, id, text) of the object a URL is about, as far as its arguments tell."""
    if match is None:
        return "", "", ""
    object_id = next((str(match.kwargs[k]) for k in PK_KWARGS if k in match.kwargs), "")
    if not object_id:
        return "", "", ""
    model = None
    if match.namespace == "admin":
        model = _admin_model(match.url_name or "")
    elif match.app_name:
        model = _page_model(match.app_name.split(":")[0], match.url_name or "")
    if model is None:
        return match.view_name, object_id, ""
    try:
        text = str(model._default_manager.get(pk=object_id))
    except (ObjectDoesNotExist, ValueError, TypeError):
        text = ""
    return model._meta.label_lower, object_id, text


class AuditMiddleware:
    """Record every write request and every refused request with its outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        write = request.method in WRITE_METHODS
        if write or response.status_code in REFUSED_STATUSES:
            try:
                self._record(request, response, write)
            except Exception:
                # The change itself has happened; a failed record must not turn it into an
                # error page. It is logged loudly instead.
                logger.exception("audit: could not record %s %s", request.method, request.path)
        return response

    def _record(self, request, response, write: bool) -> None:
        match = _match(request)
        if match is not None and match.view_name in SELF_AUDITED:
            return
        object_type, object_id, object_repr = describe_object(match)
        record_write(
            action=AuditAction.WRITE if write else AuditAction.ACCESS,
            result=_result(response.status_code),
            user=getattr(request, "user", None),
            request=request,
            status=response.status_code,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
        )


class TwoFactorMiddleware:
    """A session that owes a TOTP code reaches nothing but the code pages: pages redirect
    there, other requests are refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if two_factor.is_pending(request):
            match = _match(request)
            if match is None or match.view_name not in OPEN_WHILE_PENDING:
                if request.method not in {"GET", "HEAD"}:
                    raise PermissionDenied
                target = reverse("audit:two_factor_verify")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
