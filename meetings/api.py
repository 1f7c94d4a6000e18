"""The meetings API: meetings and their decisions, through the same selectors and services
as the meeting pages. Decisions are read with their tasks; their tasks' lifecycle is
/api/tasks/."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from taskboard.api.serializers import (
    BoundedDateField,
    PersonRefSerializer,
    TaskListSerializer,
    UnitRefSerializer,
    unit_ids,
)
from taskboard.models import Task, Unit
from taskboard.services import ActionNotAllowed
from taskboard.stats import CompletionRate

from . import selectors, services
from .choices import MeetingKind
from .filters import MeetingFilter
from .forms import MAX_DECISIONS, leaders
from .models import DECISION_TEXT_LIMIT, MINUTES_LIMIT, Decision, Meeting


class MeetingSerializer(serializers.ModelSerializer):
    chair = PersonRefSerializer(allow_null=True)
    attending_units = UnitRefSerializer(many=True)
    name = serializers.CharField(source="display_name")
    decision_count = serializers.IntegerField()
    done_count = serializers.IntegerField()
    completion_rate = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "year",
            "number",
            "date",
            "name",
            "subject",
            "chair",
            "attending_units",
            "decision_count",
            "done_count",
            "completion_rate",
        ]

    def get_completion_rate(self, meeting) -> str | None:
        """Closed ÷ counted decisions, in percent to one decimal; null with none counted."""
        percent = CompletionRate(meeting.done_count, meeting.decision_count).percent
        return None if percent is None else str(percent)


class MeetingDetailSerializer(MeetingSerializer):
    minutes = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes"]

    def get_minutes(self, meeting) -> str | None:
        """The whole minutes, for those who see every task; null for others."""
        request = self.context["request"]
        return meeting.minutes if services.may_read_minutes(request.user) else None


class MeetingInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(MeetingKind.choices)
    number = serializers.IntegerField(min_value=1, max_value=9999, required=False, allow_null=True)
    date = BoundedDateField()
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chair = serializers.PrimaryKeyRelatedField(queryset=leaders(), required=False, allow_null=True)
    attending_units = unit_ids(max_length=500)
    minutes = serializers.CharField(max_length=MINUTES_LIMIT, required=False, allow_blank=True)


class DecisionSerializer(serializers.ModelSerializer):
    task = TaskListSerializer()

    class Meta:
        model = Decision
        fields = ["id", "meeting", "number", "text", "task"]


class DecisionDraftSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=DECISION_TEXT_LIMIT)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = unit_ids()
    lead_leader = serializers.PrimaryKeyRelatedField(
        queryset=leaders(), required=False, allow_null=True
    )
    deadline = BoundedDateField()


class DecisionsInputSerializer(serializers.Serializer):
    decisions = DecisionDraftSerializer(many=True, min_length=1, max_length=MAX_DECISIONS)


class MeetingAssignSerializer(serializers.Serializer):
    assigned_on = BoundedDateField(required=False, allow_null=True)


class MeetingFilterBackend(DjangoFilterBackend):
    """MeetingFilter searches only what the person may read: visible decisions, and the
    minutes only for those who may read them."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["tasks"] = Task.objects.visible_to(request.user)
        kwargs["read_minutes"] = services.may_read_minutes(request.user)
        return kwargs


class MayViewMeetings(permissions.BasePermission):
    """Meetings are for the office and the leaders; units follow their own tasks."""

    def has_permission(self, request, view):
        if not services.may_view_meetings(request.user):
            raise PermissionDenied(_("Meeting pages are for the supervision office and leaders."))
        return True


def _meetings(user):
    return selectors.meeting_list(
        meetings=Meeting.objects.prefetch_related(
            Prefetch("attending_units", queryset=Unit.objects.order_by("sort_order", "name"))
        ),
        tasks=Task.objects.visible_to(user),
    )


def _require_office(user) -> None:
    if not services.may_edit_meetings(user):
        raise ActionNotAllowed(_("Only the supervision office registers meetings."))


def _decision_rows(decisions):
    return (
        Decision.objects.filter(pk__in=[d.pk for d in decisions])
        .select_related("task__lead_unit", "task__lead_leader")
        .order_by("number")
    )


@extend_schema(tags=["meetings"])
class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings with their completion rates (for the office and leaders)."""

    lookup_value_regex = "[0-9]+"

    permission_classes = [permissions.IsAuthenticated, MayViewMeetings]
    filter_backends = [MeetingFilterBackend]
    filterset_class = MeetingFilter
    queryset = Meeting.objects.none()

    def get_queryset(self):
        return _meetings(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return MeetingSerializer
        return MeetingDetailSerializer

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Register a meeting (office only); left out, its number is the next of its kind."""
        _require_office(request.user)
        serializer = MeetingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_create(by=request.user, **serializer.validated_data)
        meeting = _meetings(request.user).get(pk=meeting.pk)
        body = MeetingDetailSerializer(meeting, context={"request": request})
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingAssignSerializer, responses={200: DecisionSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def assign(self, request, pk=None):
        """Assign every draft decision of the meeting at once, or none (office only)."""
        _require_office(request.user)
        meeting = get_object_or_404(Meeting, pk=pk)
        serializer = MeetingAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assigned = services.decisions_assign(
            meeting=meeting,
            by=request.user,
            assigned_on=serializer.validated_data.get("assigned_on"),
        )
        return Response(DecisionSerializer(_decision_rows(assigned), many=True).data)


@extend_schema(tags=["meetings"])
class MeetingDecisionList(generics.ListAPIView):
    """The meeting's decisions whose tasks this person may see, in item order."""

    permission_classes = [permissions.IsAuthenticated, MayViewMeetings]
    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()

    def get_queryset(self):
        meeting = get_object_or_404(Meeting, pk=self.kwargs["pk"])
        return selectors.meeting_decisions(
            meeting=meeting, tasks=Task.objects.visible_to(self.request.user)
        )

    @extend_schema(request=DecisionsInputSerializer, responses={201: DecisionSerializer(many=True)})
    def post(self, request, pk: int):
        """Add decisions, each with its draft task, all or none (office only)."""
        _require_office(request.user)
        meeting = get_object_or_404(Meeting, pk=pk)
        serializer = DecisionsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drafts = [
            services.DecisionDraft(
                text=row["text"],
                lead_unit=row["lead_unit"],
                deadline=row["deadline"],
                co_units=row.get("co_units", ()),
                lead_leader=row.get("lead_leader"),
            )
            for row in serializer.validated_data["decisions"]
        ]
        created = services.decisions_create(meeting=meeting, by=request.user, drafts=drafts)
        return Response(
            DecisionSerializer(_decision_rows(created), many=True).data,
            status=status.HTTP_201_CREATED,
        )


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = [
    path("", include(router.urls)),
    path(
        "meetings/<int:pk>/decisions/",
        MeetingDecisionList.as_view(),
        name="meeting_decisions",
    ),
]
