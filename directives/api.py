"""The API of the sources this app registers: work reports and their targets, leader
instructions, deputies' suggestions and members' proposals (read and create, assign), and
assignments from above (read). Same scoping, filters and services as the source pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from taskboard.api.schema import api_filterset
from taskboard.api.serializers import (
    BoundedDateField,
    MilestoneInputSerializer,
    PersonRefSerializer,
    TaskListSerializer,
    unit_ids,
)
from taskboard.models import Task, Unit, role_of
from taskboard.services import ActionNotAllowed, is_office

from . import filters, selectors, services
from .choices import InstructionKind, ProposalKind
from .models import (
    TEXT_LIMIT,
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
    WorkReport,
)
from .views import VIEWER_ROLES


class MayViewSources(permissions.BasePermission):
    """The office and the leaders read the sources; units work from their tasks."""

    def has_permission(self, request, view):
        if role_of(request.user) not in VIEWER_ROLES:
            raise PermissionDenied(_("Source pages are for the supervision office and leaders."))
        return True


PERMISSIONS = [permissions.IsAuthenticated, MayViewSources]


class SourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and register one kind of source: numeric ids, the sources' permissions."""

    lookup_value_regex = "[0-9]+"
    permission_classes = PERMISSIONS


def _require_office(user) -> None:
    if not is_office(user):
        raise ActionNotAllowed(_("Only the supervision office registers and assigns these."))


def _visible(request):
    return Task.objects.visible_to(request.user)


class PeopleInput(serializers.Serializer):
    """Who a source's task goes to."""

    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = unit_ids()
    lead_leader = serializers.PrimaryKeyRelatedField(
        queryset=selectors.leaders(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=selectors.leaders().model.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )

    def people(self) -> services.UnitsAndPeople:
        data = self.validated_data
        return services.UnitsAndPeople(
            lead_unit=data["lead_unit"],
            co_units=data.get("co_units", ()),
            lead_leader=data.get("lead_leader"),
            owner=data.get("owner"),
        )


class AssignSourceSerializer(serializers.Serializer):
    assigned_on = BoundedDateField(required=False, allow_null=True)


def _assigned(request, call):
    """Run a source's assign service; answer with its tasks."""
    _require_office(request.user)
    serializer = AssignSourceSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    tasks = call(serializer.validated_data.get("assigned_on"))
    rows = Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related(
        "lead_unit", "lead_leader"
    )
    return Response(TaskListSerializer(rows.order_by("code"), many=True).data)


ASSIGN_SCHEMA = extend_schema(
    request=AssignSourceSerializer, responses={200: TaskListSerializer(many=True)}
)


# ---------------------------------------------------------------------------
# Work reports and targets


class WorkReportSerializer(serializers.ModelSerializer):
    target_count = serializers.IntegerField()
    task_count = serializers.IntegerField()
    draft_count = serializers.IntegerField()

    class Meta:
        model = WorkReport
        fields = [
            "id",
            "year",
            "title",
            "session_ended_on",
            "target_count",
            "task_count",
            "draft_count",
        ]


class WorkReportInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    session_ended_on = BoundedDateField()


class TargetSerializer(serializers.ModelSerializer):
    task = TaskListSerializer()

    class Meta:
        model = Target
        fields = ["id", "report", "number", "chapter", "text", "indicator", "target_value", "task"]


class TargetInput(PeopleInput):
    text = serializers.CharField(max_length=TEXT_LIMIT)
    chapter = serializers.CharField(max_length=100, required=False, allow_blank=True)
    indicator = serializers.CharField(max_length=200, required=False, allow_blank=True)
    target_value = serializers.CharField(max_length=100, required=False, allow_blank=True)
    number = serializers.IntegerField(min_value=1, max_value=9999, required=False, allow_null=True)
    deadline = BoundedDateField(required=False, allow_null=True)
    milestones = MilestoneInputSerializer(many=True, required=False, max_length=100)


def _work_reports():
    return selectors.work_report_list(reports=WorkReport.objects.all())


@extend_schema(tags=["work reports"])
class WorkReportViewSet(SourceViewSet):
    """Government work reports whose targets are decomposed into tasks."""

    serializer_class = WorkReportSerializer
    filterset_class = api_filterset(filters.WorkReportFilter)
    queryset = WorkReport.objects.none()

    def get_queryset(self):
        return _work_reports()

    @extend_schema(request=WorkReportInput, responses={201: WorkReportSerializer})
    def create(self, request, *args, **kwargs):
        """Register a year's work report (office only)."""
        _require_office(request.user)
        serializer = WorkReportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.work_report_create(by=request.user, **serializer.validated_data)
        body = WorkReportSerializer(_work_reports().get(pk=report.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @ASSIGN_SCHEMA
    @action(detail=True, methods=["post"], pagination_class=None)
    def assign(self, request, pk=None):
        """Issue every draft target (and split part) of the report, or none (office only)."""
        report = get_object_or_404(WorkReport, pk=pk)
        return _assigned(
            request,
            lambda day: services.work_report_assign(
                report=report, by=request.user, assigned_on=day
            ),
        )


@extend_schema(tags=["work reports"])
class WorkReportTargetList(generics.ListAPIView):
    """A report's targets whose tasks this person may see, in number order."""

    permission_classes = PERMISSIONS
    serializer_class = TargetSerializer
    queryset = Target.objects.none()

    def get_queryset(self):
        report = get_object_or_404(WorkReport, pk=self.kwargs["pk"])
        return (
            Target.objects.filter(report=report, task__in=_visible(self.request))
            .select_related("task__lead_unit", "task__lead_leader")
            .order_by("number")
        )

    @extend_schema(request=TargetInput, responses={201: TargetSerializer})
    def post(self, request, pk: int):
        """Add a target with its draft task (office only); due at year end unless told."""
        _require_office(request.user)
        report = get_object_or_404(WorkReport, pk=pk)
        serializer = TargetInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.target_create(
            report=report,
            by=request.user,
            text=data["text"],
            people=serializer.people(),
            chapter=data.get("chapter", ""),
            indicator=data.get("indicator", ""),
            target_value=data.get("target_value", ""),
            number=data.get("number"),
            deadline=data.get("deadline"),
            milestones=[
                (row["planned_on"], row.get("percent"), row.get("description", ""))
                for row in data.get("milestones", [])
            ],
        )
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------
# Leader instructions


class InstructionSerializer(serializers.ModelSerializer):
    leader = PersonRefSerializer()
    task = TaskListSerializer()

    class Meta:
        model = Instruction
        fields = ["id", "leader", "issued_on", "kind", "reference", "text", "task"]


class InstructionInput(PeopleInput):
    leader = serializers.PrimaryKeyRelatedField(queryset=selectors.leaders())
    issued_on = BoundedDateField()
    kind = serializers.ChoiceField(InstructionKind.choices)
    text = serializers.CharField(max_length=TEXT_LIMIT)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema(tags=["instructions"])
class InstructionViewSet(SourceViewSet):
    """Leaders' instructions (批示) whose tasks this person may see."""

    serializer_class = InstructionSerializer
    filterset_class = api_filterset(filters.InstructionFilter)
    queryset = Instruction.objects.none()

    def get_queryset(self):
        return selectors.instruction_list(
            instructions=Instruction.objects.filter(task__in=_visible(self.request))
        )

    @extend_schema(request=InstructionInput, responses={201: InstructionSerializer})
    def create(self, request, *args, **kwargs):
        """Register an instruction and its draft task (office only). Attachments are
        added on the page."""
        _require_office(request.user)
        serializer = InstructionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        instruction = services.instruction_create(
            by=request.user,
            leader=data["leader"],
            issued_on=data["issued_on"],
            kind=data["kind"],
            text=data["text"],
            reference=data.get("reference", ""),
            people=serializer.people(),
        )
        body = InstructionSerializer(self.get_queryset().get(pk=instruction.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @ASSIGN_SCHEMA
    @action(detail=True, methods=["post"], pagination_class=None)
    def assign(self, request, pk=None):
        """Issue the instruction's task (office only)."""
        instruction = get_object_or_404(Instruction, pk=pk)
        return _assigned(
            request,
            lambda day: services.instruction_assign(
                instruction=instruction, by=request.user, assigned_on=day
            ),
        )


# ---------------------------------------------------------------------------
# Suggestions and proposals


class ProposalReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalReply
        fields = [
            "round",
            "text",
            "replied_on",
            "satisfaction",
            "satisfaction_note",
            "satisfaction_recorded_at",
        ]


class ProposalSerializer(serializers.ModelSerializer):
    task = TaskListSerializer()
    replies = ProposalReplySerializer(many=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "kind",
            "year",
            "number",
            "proposer",
            "category",
            "title",
            "text",
            "received_on",
            "task",
            "replies",
        ]


class ProposalInput(PeopleInput):
    kind = serializers.ChoiceField(ProposalKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    number = serializers.IntegerField(min_value=1, max_value=999_999)
    proposer = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=300)
    received_on = BoundedDateField()
    text = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)


@extend_schema(tags=["proposals"])
class ProposalViewSet(SourceViewSet):
    """Deputies' suggestions and members' proposals whose tasks this person may see."""

    serializer_class = ProposalSerializer
    filterset_class = api_filterset(filters.ProposalFilter)
    queryset = Proposal.objects.none()

    def get_queryset(self):
        return selectors.proposal_list(
            proposals=Proposal.objects.filter(task__in=_visible(self.request))
        ).prefetch_related("replies")

    @extend_schema(request=ProposalInput, responses={201: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        """Register a suggestion or proposal with its draft task (office only)."""
        _require_office(request.user)
        serializer = ProposalInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for key in ("lead_unit", "co_units", "lead_leader", "owner"):
            data.pop(key, None)
        proposal = services.proposal_create(by=request.user, people=serializer.people(), **data)
        body = ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @ASSIGN_SCHEMA
    @action(detail=True, methods=["post"], pagination_class=None)
    def assign(self, request, pk=None):
        """Issue the proposal's task (office only)."""
        proposal = get_object_or_404(Proposal, pk=pk)
        return _assigned(
            request,
            lambda day: services.proposal_assign(
                proposal=proposal, by=request.user, assigned_on=day
            ),
        )


# ---------------------------------------------------------------------------
# Assignments from above (read only)


class AssignmentItemSerializer(serializers.ModelSerializer):
    task = TaskListSerializer()

    class Meta:
        model = AssignmentItem
        fields = ["id", "number", "text", "task"]


class SuperiorAssignmentSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = SuperiorAssignment
        fields = ["id", "issuing_body", "reference", "title", "received_on", "items"]

    @extend_schema_field(AssignmentItemSerializer(many=True))
    def get_items(self, assignment) -> list:
        """The items whose tasks this person may see."""
        return AssignmentItemSerializer(assignment.visible_items, many=True).data


class ItemInput(PeopleInput):
    """One item of an assignment from above, with its task's deadline."""

    text = serializers.CharField(max_length=TEXT_LIMIT)
    deadline = BoundedDateField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    number = serializers.IntegerField(min_value=1, max_value=9999, required=False, allow_null=True)

    @staticmethod
    def item(data: dict) -> services.Item:
        return services.Item(
            text=data["text"],
            people=services.UnitsAndPeople(
                lead_unit=data["lead_unit"],
                co_units=data.get("co_units", ()),
                lead_leader=data.get("lead_leader"),
                owner=data.get("owner"),
            ),
            deadline=data["deadline"],
            number=data.get("number"),
            title=data.get("title", ""),
        )


class SuperiorAssignmentInput(serializers.Serializer):
    issuing_body = serializers.CharField(max_length=100)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    received_on = BoundedDateField()
    items = ItemInput(many=True, min_length=1, max_length=200)


@extend_schema(tags=["assignments from above"])
class SuperiorAssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Assignments from above (上级交办) with their items."""

    lookup_value_regex = "[0-9]+"

    permission_classes = PERMISSIONS
    serializer_class = SuperiorAssignmentSerializer
    filterset_class = api_filterset(filters.SuperiorAssignmentFilter)
    queryset = SuperiorAssignment.objects.none()

    def get_queryset(self):
        items = AssignmentItem.objects.filter(task__in=_visible(self.request)).select_related(
            "task__lead_unit", "task__lead_leader"
        )
        return SuperiorAssignment.objects.prefetch_related(
            Prefetch("items", queryset=items.order_by("number"), to_attr="visible_items")
        ).order_by("-received_on", "-pk")

    @extend_schema(request=SuperiorAssignmentInput, responses={201: SuperiorAssignmentSerializer})
    def create(self, request, *args, **kwargs):
        """Register an assignment from above with a draft task per item (office only)."""
        _require_office(request.user)
        serializer = SuperiorAssignmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignment = services.superior_assignment_create(
            by=request.user,
            issuing_body=data["issuing_body"],
            reference=data.get("reference", ""),
            title=data["title"],
            received_on=data["received_on"],
            items=[ItemInput.item(row) for row in data["items"]],
        )
        body = SuperiorAssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("work-reports", WorkReportViewSet, basename="work_report")
router.register("instructions", InstructionViewSet, basename="instruction")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("superior-assignments", SuperiorAssignmentViewSet, basename="superior_assignment")
urlpatterns = [
    path("", include(router.urls)),
    path(
        "work-reports/<int:pk>/targets/",
        WorkReportTargetList.as_view(),
        name="work_report_targets",
    ),
]
