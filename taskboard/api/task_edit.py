"""Correcting a task's details through the API: the office's edit (task_update), with the
task's version, as the ledger re-import and the sources' edit pages do it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..choices import DeadlineSource, FeedbackCadence
from ..models import Task, Unit
from .serializers import BoundedDateField, TaskDetailSerializer, unit_ids
from .views import task_detail_queryset, visible_task

User = get_user_model()


class TaskEditInput(serializers.Serializer):
    """The fields to change; a field left out stays as it is. The deadline can be changed
    only while the task is a draft (once assigned, only an extension moves it)."""

    version = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    title = serializers.CharField(max_length=300, required=False)
    requirement = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False
    )
    co_units = unit_ids()
    lead_leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    feedback_cadence = serializers.ChoiceField(FeedbackCadence.choices, required=False)
    publicly_listed = serializers.BooleanField(required=False)
    deadline_source = serializers.ChoiceField(
        DeadlineSource.choices, required=False, allow_blank=True
    )
    deadline = BoundedDateField(required=False, allow_null=True)


class TaskEditView(APIView):
    @extend_schema(
        operation_id="tasks_edit",
        summary="Edit",
        tags=["tasks"],
        request=TaskEditInput,
        responses={200: TaskDetailSerializer},
    )
    def post(self, request, pk: int):
        """Correct a task's details (office only); carries the task's `version`."""
        task = visible_task(request, pk)
        # Refuse the wrong person or state before looking at the input, as the actions do.
        services.check_allowed(task=task, user=request.user, action="edit")
        serializer = TaskEditInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        co_units = changes.pop("co_units", None)
        services.task_update(
            task=task, by=request.user, changes=changes, co_units=co_units, expected_version=version
        )
        task = task_detail_queryset(Task.objects.filter(pk=task.pk)).get()
        return Response(TaskDetailSerializer(task, context={"request": request}).data)
