from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Decision, Meeting


class DecisionInline(admin.TabularInline):
    """Decisions are made with their tasks by the services; here they are read."""

    model = Decision
    extra = 0
    fields = ["number", "text", "task"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "year", "number", "date", "chair", "subject"]
    list_filter = ["kind", "year"]
    list_select_related = ["chair"]
    search_fields = ["subject", "minutes"]
    date_hierarchy = "date"
    autocomplete_fields = ["attending_units"]
    raw_id_fields = ["chair"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [DecisionInline]

    def get_readonly_fields(self, request, obj=None):
        # The kind chooses the deadline rule its decisions' tasks were given.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.decisions.exists():
            return [*fields, "kind"]
        return fields


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    """Read and audited here; a decision and its task change through the meeting pages."""

    list_display = ["__str__", "meeting", "number", "task"]
    list_select_related = ["meeting", "task"]
    list_filter = ["meeting__kind", "meeting__year"]
    search_fields = ["text", "task__code"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
