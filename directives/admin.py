from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
    WorkReport,
)


class TaskLinkedInline(admin.TabularInline):
    """Rows that carry a task are created through the intake pages, which create the task."""

    extra = 0
    raw_id_fields = ["task"]

    def has_add_permission(self, request, obj=None):
        return False


class TargetInline(TaskLinkedInline):
    model = Target
    fields = ["number", "chapter", "text", "indicator", "target_value", "task"]


@admin.register(WorkReport)
class WorkReportAdmin(SimpleHistoryAdmin):
    list_display = ["year", "title", "session_ended_on"]
    list_filter = ["year"]
    search_fields = ["title"]
    inlines = [TargetInline]
    readonly_fields = ["created_by"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["report", "number", "chapter", "indicator", "target_value", "task"]
    list_select_related = ["report", "task"]
    list_filter = ["report__year"]
    search_fields = ["text", "chapter", "task__code"]
    raw_id_fields = ["task"]

    def has_add_permission(self, request):
        return False


@admin.register(Instruction)
class InstructionAdmin(SimpleHistoryAdmin):
    list_display = ["issued_on", "leader", "kind", "reference", "task"]
    list_select_related = ["leader", "task"]
    list_filter = ["kind"]
    search_fields = ["text", "reference", "task__code"]
    date_hierarchy = "issued_on"
    raw_id_fields = ["task", "leader"]
    readonly_fields = ["created_by"]

    def has_add_permission(self, request):
        return False


class AssignmentItemInline(TaskLinkedInline):
    model = AssignmentItem
    fields = ["number", "text", "task"]


@admin.register(SuperiorAssignment)
class SuperiorAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["received_on", "issuing_body", "reference", "title"]
    search_fields = ["issuing_body", "reference", "title"]
    date_hierarchy = "received_on"
    inlines = [AssignmentItemInline]
    readonly_fields = ["created_by"]

    def has_add_permission(self, request):
        return False


@admin.register(AssignmentItem)
class AssignmentItemAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "number", "task"]
    list_select_related = ["assignment", "task"]
    search_fields = ["text", "task__code"]
    raw_id_fields = ["task"]

    def has_add_permission(self, request):
        return False


class ProposalReplyInline(admin.TabularInline):
    model = ProposalReply
    extra = 0
    fields = ["round", "replied_on", "text", "satisfaction", "satisfaction_note"]


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    list_display = ["year", "kind", "number", "proposer", "title", "task"]
    list_select_related = ["task"]
    list_filter = ["year", "kind"]
    search_fields = ["title", "proposer", "category", "task__code"]
    raw_id_fields = ["task"]
    inlines = [ProposalReplyInline]
    readonly_fields = ["created_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ProposalReply)
class ProposalReplyAdmin(SimpleHistoryAdmin):
    list_display = ["proposal", "round", "replied_on", "satisfaction"]
    list_select_related = ["proposal"]
    list_filter = ["satisfaction"]
