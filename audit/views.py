from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from taskboard.choices import Role
from taskboard.models import role_of

from . import exports, two_factor
from .choices import AuditAction, AuditResult
from .filters import AuditRecordFilter
from .forms import CodeForm
from .models import AuditRecord
from .services import record_write

PAGE_SIZE = 50


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refused(request, form, error: two_factor.CodeRefused) -> None:
    record_write(
        action=AuditAction.TWO_FACTOR,
        result=AuditResult.FAILED,
        user=request.user,
        request=request,
        status=400,
    )
    if error.throttled:
        form.add_error("code", _("Too many wrong codes. Wait a minute, then try again."))
    else:
        form.add_error("code", _("The code is wrong or has expired. Enter the current code."))


@never_cache
@login_required
def two_factor_verify(request):
    """After the password: the code from the person's authenticator app."""
    next_url = _next_url(request)
    if not two_factor.is_pending(request):
        return redirect(next_url)
    if two_factor.confirmed_device(request.user) is None:
        return redirect(f"{resolve_url('audit:two_factor_setup')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.device_verify(
                request=request, user=request.user, token=form.cleaned_data["code"]
            )
        except two_factor.CodeRefused as error:
            _refused(request, form, error)
        else:
            record_write(
                action=AuditAction.TWO_FACTOR,
                result=AuditResult.OK,
                user=request.user,
                request=request,
                status=302,
            )
            return redirect(next_url)
    status = 400 if form.errors else 200
    return render(
        request, "audit/two_factor_verify.html", {"form": form, "next": next_url}, status=status
    )


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: a QR code and the key to type, then a code to confirm."""
    next_url = _next_url(request)
    device = two_factor.confirmed_device(request.user)
    if device is not None and two_factor.is_pending(request):
        # Someone who has a device proves it; nobody enrols a second one in its place.
        return redirect(f"{resolve_url('audit:two_factor_verify')}?{urlencode({'next': next_url})}")
    context = {
        "device": device,
        "required": two_factor.is_required(request.user),
        "pending": two_factor.is_pending(request),
        "next": next_url,
    }
    if device is None:
        key = two_factor.setup_key(request)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                two_factor.device_enrol(
                    request=request,
                    user=request.user,
                    hex_key=key,
                    token=form.cleaned_data["code"],
                )
            except two_factor.CodeRefused as error:
                _refused(request, form, error)
            else:
                record_write(
                    action=AuditAction.TWO_FACTOR,
                    result=AuditResult.OK,
                    user=request.user,
                    request=request,
                    status=302,
                    object_type="otp_totp.totpdevice",
                )
                messages.success(request, _("Two-factor log-in is on for your account."))
                return redirect(next_url)
        context.update(
            form=form,
            qr_svg=two_factor.qr_svg(two_factor.config_url(key, request.user.get_username())),
            manual_key=two_factor.manual_key(key),
        )
    status = 400 if context.get("form") is not None and context["form"].errors else 200
    return render(request, "audit/two_factor_setup.html", context, status=status)


def _may_read_audit(user) -> bool:
    return role_of(user) == Role.ADMINISTRATOR or user.has_perm("audit.view_auditrecord")


def _filtered(request):
    filterset = AuditRecordFilter(request.GET or None, queryset=AuditRecord.objects.all())
    valid = not filterset.is_bound or filterset.is_valid()
    return filterset, (filterset.qs if valid else AuditRecord.objects.none()), valid


@login_required
@require_GET
def record_list(request):
    """The audit trail, searchable, for administrators."""
    if not _may_read_audit(request.user):
        return render(request, "audit/forbidden.html", status=403)
    filterset, records, _valid = _filtered(request)
    page = Paginator(records.select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/record_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@login_required
@require_GET
def record_export(request, fmt: str):
    """The searched records as CSV or Excel."""
    if not _may_read_audit(request.user):
        return render(request, "audit/forbidden.html", status=403)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    _filterset, records, valid = _filtered(request)
    if not valid:
        return HttpResponseBadRequest(_("Some filters are not valid; correct them, then export."))
    return exports.csv_response(records) if fmt == "csv" else exports.xlsx_response(records)
