"""More writes on this app's sources through the API, each through the service its page
uses: a proposal's reply and the proposer's satisfaction, a target split into child tasks,
an item added to an assignment from above. Office only, as on the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from taskboard.api.serializers import BoundedDateField, TaskListSerializer, unit_ids
from taskboard.models import Task, Unit

from . import selectors, services
from .api import (
    PERMISSIONS,
    AssignmentItemSerializer,
    ItemInput,
    ProposalSerializer,
    _require_office,
)
from .choices import Satisfaction
from .models import TEXT_LIMIT, Proposal, SuperiorAssignment, Target


def _proposal_body(pk: int) -> dict:
    proposal = (
        selectors.proposal_list(proposals=Proposal.objects.filter(pk=pk))
        .prefetch_related("replies")
        .get()
    )
    return ProposalSerializer(proposal).data


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_LIMIT)
    replied_on = BoundedDateField()


class SatisfactionInput(serializers.Serializer):
    satisfaction = serializers.ChoiceField(Satisfaction.choices)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True)
    deadline = BoundedDateField(required=False, allow_null=True)

    def validate(self, data):
        if data.get("satisfaction") == Satisfaction.DISSATISFIED and not data.get("deadline"):
            raise serializers.ValidationError(
                {"deadline": _("Give the new deadline for the second handling.")}
            )
        return data


@extend_schema(tags=["proposals"])
class ProposalReplyView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ReplyInput, responses={201: ProposalSerializer})
    def post(self, request, pk: int):
        """Record the reply sent to the proposer (office only); a second handling gets a
        second reply."""
        _require_office(request.user)
        proposal = get_object_or_404(Proposal, pk=pk)
        serializer = ReplyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.proposal_reply_record(
            proposal=proposal, by=request.user, **serializer.validated_data
        )
        return Response(_proposal_body(proposal.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=["proposals"])
class ProposalSatisfactionView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=SatisfactionInput, responses={200: ProposalSerializer})
    def post(self, request, pk: int):
        """Record the proposer's satisfaction with the last reply (office only):
        `satisfied`, `basically_satisfied` or `dissatisfied`. Dissatisfied reopens the
        closed task for a second handling, due on `deadline`."""
        _require_office(request.user)
        proposal = get_object_or_404(Proposal, pk=pk)
        serializer = SatisfactionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.proposal_satisfaction_record(
            proposal=proposal,
            by=request.user,
            satisfaction=data["satisfaction"],
            note=data.get("note", ""),
            deadline=data.get("deadline"),
        )
        return Response(_proposal_body(proposal.pk))


class PartInput(serializers.Serializer):
    """One unit's share of a split target: a child task."""

    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = unit_ids()
    deadline = BoundedDateField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    requirement = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class SplitInput(serializers.Serializer):
    parts = PartInput(many=True, min_length=1, max_length=50)


@extend_schema(tags=["work reports"])
class TargetSplitView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=SplitInput, responses={201: TaskListSerializer(many=True)})
    def post(self, request, pk: int):
        """Split a target into draft child tasks, one per unit (office only), each due no
        later than the target; they are assigned with the report."""
        _require_office(request.user)
        target = get_object_or_404(Target.objects.select_related("report", "task"), pk=pk)
        serializer = SplitInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        children = services.target_split(
            target=target,
            by=request.user,
            parts=[
                services.Part(
                    lead_unit=row["lead_unit"],
                    deadline=row["deadline"],
                    title=row.get("title", ""),
                    requirement=row.get("requirement", ""),
                    co_units=row.get("co_units", ()),
                )
                for row in serializer.validated_data["parts"]
            ],
        )
        rows = Task.objects.filter(pk__in=[t.pk for t in children]).select_related(
            "lead_unit", "lead_leader"
        )
        body = TaskListSerializer(rows.order_by("code"), many=True).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["assignments from above"])
class AssignmentItemCreateView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(request=ItemInput, responses={201: AssignmentItemSerializer})
    def post(self, request, pk: int):
        """Add an item with its draft task to an assignment from above (office only);
        numbered after the last item unless told."""
        _require_office(request.user)
        assignment = get_object_or_404(SuperiorAssignment, pk=pk)
        serializer = ItemInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.assignment_item_create(
            assignment=assignment, by=request.user, **_item_kwargs(serializer.validated_data)
        )
        return Response(AssignmentItemSerializer(item).data, status=status.HTTP_201_CREATED)


def _item_kwargs(data: dict) -> dict:
    item = ItemInput.item(data)
    return {
        "text": item.text,
        "people": item.people,
        "deadline": item.deadline,
        "number": item.number,
        "title": item.title,
    }


urlpatterns = [
    path("proposals/<int:pk>/reply/", ProposalReplyView.as_view(), name="proposal_reply"),
    path(
        "proposals/<int:pk>/satisfaction/",
        ProposalSatisfactionView.as_view(),
        name="proposal_satisfaction",
    ),
    path("targets/<int:pk>/split/", TargetSplitView.as_view(), name="target_split"),
    path(
        "superior-assignments/<int:pk>/items/",
        AssignmentItemCreateView.as_view(),
        name="superior_assignment_items",
    ),
]
