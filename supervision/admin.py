from django.contrib import admin

from .models import SweepRun, TaskWarning, WarningNotice


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


@admin.register(WarningNotice)
class WarningNoticeAdmin(WrittenBySweep, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "warning", "read_at"]
    list_select_related = ["recipient", "warning__task"]
    raw_id_fields = ["warning", "recipient"]
    show_full_result_count = False


@admin.register(SweepRun)
class SweepRunAdmin(WrittenBySweep, admin.ModelAdmin):
    list_display = ["for_date", "finished_at", "counts"]
    date_hierarchy = "for_date"
