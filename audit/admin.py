from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import exports
from .models import AuditRecord


@admin.action(description=_("Export the selected records as CSV"))
def export_csv(modeladmin, request, queryset):
    return exports.csv_response(queryset)


@admin.action(description=_("Export the selected records as Excel"))
def export_xlsx(modeladmin, request, queryset):
    return exports.xlsx_response(queryset)


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read only: the trail is appended by the application and expires by the retention job."""

    list_display = [
        "at",
        "username",
        "ip",
        "action",
        "result",
        "object_type",
        "object_id",
        "object_repr",
        "method",
        "path",
        "status",
    ]
    list_filter = ["action", "result", "at"]
    date_hierarchy = "at"
    search_fields = ["username", "object_repr", "object_id", "path", "ip"]
    actions = [export_csv, export_xlsx]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
