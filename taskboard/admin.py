from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DeadlineRule,
    ExtensionRequest,
    Milestone,
    Profile,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
    WorkdayOverride,
    YearSequence,
)

User = get_user_model()


class ReadOnlyMixin:
    """Rows written only by the services (or append-only): visible, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "parent", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit", "portfolio"]


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(SimpleHistoryAdmin, UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "last_name", "first_name", "role", "unit", "is_active"]
    list_select_related = ["profile__unit"]
    list_filter = ["profile__role", "is_active", "is_superuser"]

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else ""

    @admin.display(description=_("unit"), ordering="profile__unit__name")
    def unit(self, user):
        profile = getattr(user, "profile", None)
        return profile.unit if profile else ""


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "title"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit", "portfolio"]


class MilestoneInline(ReadOnlyMixin, admin.TabularInline):
    model = Milestone
    extra = 0


class TaskEventInline(ReadOnlyMixin, admin.TabularInline):
    model = TaskEvent
    extra = 0
    fields = ["at", "kind", "actor", "from_state", "to_state", "note"]


@admin.register(Task)
class TaskAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Tasks change only through the lifecycle services; here they are read and audited."""

    list_display = ["code", "title", "lead_unit", "state", "due_state", "deadline"]
    list_filter = ["state", "due_state", "origin", "year"]
    list_select_related = ["lead_unit"]
    search_fields = ["code", "title"]
    inlines = [MilestoneInline, TaskEventInline]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["task", "planned_on", "percent", "description"]
    list_select_related = ["task"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["task", "unit", "reporter", "reported_at", "percent", "is_repeat"]
    list_select_related = ["task", "unit", "reporter"]
    list_filter = ["is_repeat"]
    search_fields = ["task__code", "text"]


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["task", "kind", "actor", "at", "from_state", "to_state"]
    list_select_related = ["task", "actor"]
    list_filter = ["kind"]
    search_fields = ["task__code"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["task", "requested_by", "current_deadline", "proposed_deadline", "status"]
    list_select_related = ["task", "requested_by"]
    list_filter = ["status"]


@admin.register(YearSequence)
class YearSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["series", "year", "last"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "source",
        "issuance_amount",
        "issuance_unit",
        "feedback_amount",
        "feedback_unit",
        "extension_decided_by_portfolio_leader",
    ]
    list_editable = ["issuance_amount", "issuance_unit", "feedback_amount", "feedback_unit"]

    def has_delete_permission(self, request, obj=None):
        return False
