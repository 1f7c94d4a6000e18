"""The person's side of notifications: their channel settings, and the sweep's warnings
addressed to their unit (the "预警" list beside the bell), each read or unread for them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import delivery, warning_reads
from .delivery_forms import PreferencesForm
from .models import ChannelPreference, Delivery
from .models.delivery import DEFAULT_MODES, Channel

PAGE_SIZE = 25
RECENT_DELIVERIES = 10


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    current = ChannelPreference.objects.filter(user=user).first()
    profile = getattr(user, "profile", None)
    initial = {
        "email_mode": current.email_mode if current else DEFAULT_MODES[Channel.EMAIL],
        "sms_mode": current.sms_mode if current else DEFAULT_MODES[Channel.SMS],
        "email": user.email,
        "phone": profile.phone if profile else "",
    }
    if profile is None and not current:
        initial["sms_mode"] = "off"
    form = PreferencesForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        delivery.preferences_update(
            user=user,
            by=user,
            email_mode=form.cleaned_data["email_mode"],
            sms_mode=form.cleaned_data["sms_mode"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data.get("phone"),
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("supervision:preferences")
    recent = Delivery.objects.filter(recipient=user).only(
        "channel", "subject", "body", "status", "created_at", "sent_at", "digest_date"
    )[:RECENT_DELIVERIES]
    return render(
        request,
        "supervision/delivery/preferences.html",
        {
            "form": form,
            "recent": recent,
            "quiet_hours": delivery.quiet_hours_label(),
            "urgent_kinds": delivery.urgent_kind_labels(),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def warning_list(request):
    warnings = warning_reads.warnings_with_read_state(request.user)
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/delivery/warning_list.html", {"page": page, "query": ""})


@login_required
def warning_open(request, pk: int):
    """Mark one warning read for the person and go to its task."""
    warning = get_object_or_404(warning_reads.warnings_for(request.user), pk=pk)
    warning_reads.warning_mark_read(user=request.user, warning=warning)
    return redirect("taskboard:task_detail", pk=warning.task_id)


@login_required
@require_POST
def warnings_mark_read(request):
    count = warning_reads.warnings_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s warnings marked as read.") % {"count": count})
    return redirect("supervision:warning_list")
