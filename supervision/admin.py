from django.contrib import admin

from .models import SweepRun, TaskWarning, WarningRead, WarningsReadUpTo


class WrittenBySweep:
    """Rows only the sweep writes: visible here, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskWarning)
class TaskWarningAdmin(WrittenBySweep, admin.ModelAdmin):
    list_display = ["for_date", "kind", "task", "unit", "created_at"]
    list_filter = ["kind", "for_date"]
    list_select_related = ["task", "unit"]
    search_fields = ["task__code", "task__title"]
    date_hierarchy = "for_date"
    raw_id_fields = ["task"]
    show_full_result_count = False


class WrittenByReading:
    """Who has read which warning: written only as people read them, never edited by
    hand; deleted with the person or the task they are about."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WarningRead)
class WarningReadAdmin(WrittenByReading, admin.ModelAdmin):
    list_display = ["read_at", "reader", "warning"]
    list_select_related = ["reader", "warning__task"]
    search_fields = ["reader__username", "warning__task__code"]
    raw_id_fields = ["warning", "reader"]
    show_full_result_count = False


@admin.register(WarningsReadUpTo)
class WarningsReadUpToAdmin(WrittenByReading, admin.ModelAdmin):
    list_display = ["user", "read_up_to"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(SweepRun)
class SweepRunAdmin(WrittenBySweep, admin.ModelAdmin):
    list_display = ["for_date", "finished_at", "counts"]
    date_hierarchy = "for_date"


# Notices (交办单, 催办单, 督办单): copy recipients are configured here; notices and their
# steps change only through supervision/notices.py (the chain and the numbering).
from simple_history.admin import SimpleHistoryAdmin  # noqa: E402

from .models import CopyRecipient, Notice, NoticeStep  # noqa: E402


@admin.register(CopyRecipient)
class CopyRecipientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "for_assignment", "for_urge", "for_supervise", "is_active"]
    list_editable = ["for_assignment", "for_urge", "for_supervise", "is_active"]
    list_select_related = ["unit"]
    filter_horizontal = ["users"]
    search_fields = ["name"]


class NoticeStepInline(admin.TabularInline):
    model = NoticeStep
    fields = ["at", "action", "actor", "from_state", "to_state", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(WrittenBySweep, SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "state", "year", "number", "created_at", "issued_at"]
    list_filter = ["kind", "state", "year"]
    search_fields = ["tasks__code", "tasks__title"]
    readonly_fields = ["auto_task"]
    raw_id_fields = ["tasks"]
    inlines = [NoticeStepInline]
    show_full_result_count = False


# Email and SMS (supervision/delivery.py): the delivery log, failures filterable and retried
# by an action; each person's channel settings.
from django.utils.translation import gettext_lazy as _  # noqa: E402

from . import delivery as delivery_service  # noqa: E402
from .models import ChannelPreference, Delivery  # noqa: E402


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "channel",
        "address",
        "subject",
        "digest_date",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "digest_date"]
    list_select_related = ["recipient"]
    search_fields = ["address", "subject", "recipient__username", "last_error"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # The log is read-only; sending again is what "change" means for it.
        return request.user.has_perm("supervision.change_delivery")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = delivery_service.deliveries_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)s deliveries queued again.") % {"count": count})


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_mode", "sms_mode", "updated_at"]
    list_filter = ["email_mode", "sms_mode"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


# Periodic reports: generated by the jobs and the reports page, never edited by hand (their
# files must keep saying what they said); the scoring rule is the administrators' to set.
from simple_history.admin import SimpleHistoryAdmin  # noqa: E402

from .models import Report, ScoringRule  # noqa: E402


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "period_start", "period_end", "as_of", "generated_at"]
    list_filter = ["kind"]
    date_hierarchy = "period_end"
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScoringRule)
class ScoringRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "effective_from",
        "start_score",
        "per_overdue_as_lead",
        "per_overdue_as_co_unit",
        "per_late_report",
        "per_returned_closure",
        "excellent_from",
        "good_from",
        "pass_from",
    ]
