"""The task API: the same scoping, filters, forms and services as the pages."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..actions import ACTIONS
from ..filters import TaskFilter
from ..models import (
    CoordinationRequest,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
)
from .schema import api_filterset
from .serializers import (
    ACTION_INPUTS,
    ProgressReportSerializer,
    TaskCreateSerializer,
    TaskDetailSerializer,
    TaskEventSerializer,
    TaskListSerializer,
    UnitSerializer,
)


def task_detail_queryset(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """What a task's API representation needs, in a fixed number of queries."""
    return tasks.select_related("lead_unit", "lead_leader", "owner").prefetch_related(
        "co_units",
        Prefetch("milestones", queryset=Milestone.objects.order_by("planned_on", "pk")),
        Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"),
        ),
        Prefetch(
            "coordination_requests",
            queryset=CoordinationRequest.objects.select_related("requested_by", "answered_by"),
        ),
    )


def visible_task(request, pk: int) -> Task:
    """The task if this person may see it; 404 otherwise, as on the page."""
    return get_object_or_404(Task.objects.visible_to(request.user), pk=pk)


def form_errors(form) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }


@extend_schema(tags=["tasks"])
class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks this person may see (`Task.objects.visible_to`), filtered like the task list."""

    lookup_value_regex = "[0-9]+"

    filterset_class = api_filterset(TaskFilter)
    queryset = Task.objects.none()  # for the schema; get_queryset scopes per person

    def get_queryset(self):
        tasks = Task.objects.visible_to(self.request.user)
        if self.action == "list":
            return selectors.task_list(tasks=tasks)
        return task_detail_queryset(tasks)

    def get_serializer_class(self):
        if self.action == "list":
            return TaskListSerializer
        if self.action == "create":
            return TaskCreateSerializer
        return TaskDetailSerializer

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Register a draft task (office staff only)."""
        if not services.is_office(request.user):
            raise services.ActionNotAllowed(_("Only the supervision office registers tasks."))
        serializer = TaskCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        milestones = [
            (row["planned_on"], row.get("percent"), row.get("description", ""))
            for row in data.pop("milestones", [])
        ]
        task = services.task_create(by=request.user, milestones=milestones, **data)
        task = task_detail_queryset(Task.objects.filter(pk=task.pk)).get()
        body = TaskDetailSerializer(task, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class TaskActionView(APIView):
    """One lifecycle action on a task: the page's form validates, the page's service acts."""

    action_name = ""

    def post(self, request, pk: int):
        name = self.action_name
        task = visible_task(request, pk)
        # Refuse the wrong person or state before looking at the input, as the page does.
        services.check_allowed(task=task, user=request.user, action=name)
        serializer = ACTION_INPUTS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        form = ACTIONS[name].form(
            dict(serializer.validated_data), MultiValueDict(), task=task, user=request.user
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        ACTIONS[name].perform(form)
        task = task_detail_queryset(Task.objects.filter(pk=task.pk)).get()
        return Response(TaskDetailSerializer(task, context={"request": request}).data)


def _action_view(name: str) -> type[TaskActionView]:
    def post(self, request, pk: int):
        return TaskActionView.post(self, request, pk)

    post.__doc__ = f"{ACTIONS[name].label}."
    post = extend_schema(
        operation_id=f"tasks_{name}",
        summary=ACTIONS[name].label,
        tags=["tasks"],
        request=ACTION_INPUTS[name],
        responses={200: TaskDetailSerializer},
    )(post)
    camel = "".join(part.capitalize() for part in name.split("_"))
    return type(f"Task{camel}View", (TaskActionView,), {"action_name": name, "post": post})


ACTION_VIEWS = {name: _action_view(name) for name in ACTIONS}


@extend_schema(tags=["tasks"])
class TaskProgressReportList(generics.ListAPIView):
    """A task's progress reports, newest first."""

    serializer_class = ProgressReportSerializer
    queryset = ProgressReport.objects.none()

    def get_queryset(self):
        task = visible_task(self.request, self.kwargs["pk"])
        return (
            ProgressReport.objects.filter(task=task)
            .select_related("unit", "reporter")
            .prefetch_related("consolidated_parts")
            .order_by("-reported_at", "-pk")
        )


@extend_schema(tags=["tasks"])
class TaskEventList(generics.ListAPIView):
    """A task's timeline, oldest first."""

    serializer_class = TaskEventSerializer
    queryset = TaskEvent.objects.none()

    def get_queryset(self):
        task = visible_task(self.request, self.kwargs["pk"])
        return TaskEvent.objects.filter(task=task).select_related("actor").order_by("at", "pk")


@extend_schema(tags=["units"])
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units (departments, districts, townships, special bodies): the pickers' list."""

    lookup_value_regex = "[0-9]+"

    serializer_class = UnitSerializer
    queryset = Unit.objects.order_by("sort_order", "name")
