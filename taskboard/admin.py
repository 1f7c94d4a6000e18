from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .api.tokens import api_token_create, api_token_revoke, check_token_user
from .models import (
    ApiToken,
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


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        check_token_user(user)
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are made here (the key is shown once) and revoked, never edited or deleted."""

    list_display = [
        "name",
        "prefix",
        "user",
        "role",
        "unit",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user__profile__unit"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "user", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["name", "user"] if obj is None else ["name", *self.readonly_fields]

    @admin.display(description=_("role"))
    def role(self, token):
        profile = getattr(token.user, "profile", None)
        return profile.get_role_display() if profile else ""

    @admin.display(description=_("unit"))
    def unit(self, token):
        profile = getattr(token.user, "profile", None)
        return profile.unit if profile and profile.unit else ""

    def save_model(self, request, obj, form, change):
        if change:
            # Only the name can change; who the token acts as is fixed at creation.
            obj.save(update_fields=["name"])
            return
        token, key = api_token_create(by=request.user, name=obj.name, user=obj.user)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        self._new_key = key

    def response_add(self, request, obj, post_url_continue=None):
        # The key exists only in this response: it is not stored and cannot be shown again.
        return TemplateResponse(
            request,
            "admin/taskboard/apitoken/key_created.html",
            {
                **self.admin_site.each_context(request),
                "token": obj,
                "key": self._new_key,
                "opts": self.model._meta,
                "title": _("API token created"),
            },
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
        self.message_user(request, _("Revoked."))

    def has_delete_permission(self, request, obj=None):
        return False
