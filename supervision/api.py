"""The notices API (交办单, 催办单, 督办单): the same scoping (`notices_visible_to`), the
same NoticeFilter, the same forms and the same services as the notice pages.

A step on a notice carries the `version` of the notice the person saw (it changes with
every step and edit); a stale one answers 409 `stale` with the notice as it is now. The
documents (.docx, PDF, print view) stay on the pages; the detail links to them."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from taskboard.api.serializers import BoundedListField, PersonRefSerializer, UnitRefSerializer
from taskboard.api.views import form_errors
from taskboard.models import Task
from taskboard.services import ActionNotAllowed, is_office

from . import notice_views, notices
from .models import CopyRecipient, Notice, NoticeStep

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def notice_version(notice: Notice) -> int:
    """The notice's version for optimistic concurrency: its last change, in microseconds.
    Every step and edit saves the notice, so every change gives a new version."""
    return (notice.updated_at - EPOCH) // datetime.timedelta(microseconds=1)


# ---------------------------------------------------------------------------
# What the API says about notices


class NoticeTaskRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "code", "title"]


class NoticeTaskSerializer(serializers.ModelSerializer):
    lead_unit = UnitRefSerializer()

    class Meta:
        model = Task
        fields = ["id", "code", "title", "state", "lead_unit", "deadline"]


class CopyRecipientRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CopyRecipient
        fields = ["id", "name"]


class NoticeStepSerializer(serializers.ModelSerializer):
    actor = PersonRefSerializer(allow_null=True)

    class Meta:
        model = NoticeStep
        fields = ["id", "action", "actor", "at", "from_state", "to_state", "reason"]


class NoticeListSerializer(serializers.ModelSerializer):
    number_text = serializers.CharField(
        help_text=gettext_lazy("The official number, e.g. 督办〔2026〕15号; empty until issued.")
    )
    title = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    created_by = PersonRefSerializer(allow_null=True)
    tasks = NoticeTaskRefSerializer(many=True)
    recipients = UnitRefSerializer(many=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "state",
            "year",
            "number",
            "number_text",
            "title",
            "tasks",
            "recipients",
            "created_by",
            "created_at",
            "updated_at",
            "issued_at",
            "version",
        ]

    def get_title(self, notice) -> str:
        return str(notice.spec.title)

    def get_version(self, notice) -> int:
        return notice_version(notice)


class DocumentLinksSerializer(serializers.Serializer):
    print = serializers.URLField()
    docx = serializers.URLField()
    pdf = serializers.URLField()


class NoticeDetailSerializer(NoticeListSerializer):
    tasks = NoticeTaskSerializer(many=True)
    copy_recipients = CopyRecipientRefSerializer(many=True)
    steps = NoticeStepSerializer(many=True)
    allowed_steps = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(NoticeListSerializer.Meta):
        fields = [
            *NoticeListSerializer.Meta.fields,
            "body",
            "copy_recipients",
            "steps",
            "allowed_steps",
            "documents",
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(list(notices.TRANSITIONS)))
    )
    def get_allowed_steps(self, notice) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return notices.allowed_notice_actions(notice=notice, user=request.user)

    @extend_schema_field(DocumentLinksSerializer)
    def get_documents(self, notice) -> dict:
        """The print view, .docx and PDF, on the pages (the session logs in to them)."""
        request = self.context["request"]
        return {
            name: request.build_absolute_uri(
                reverse(f"supervision:notice_{name}", args=[notice.pk])
            )
            for name in ("print", "docx", "pdf")
        }


class NoticeStaleSerializer(serializers.Serializer):
    """409 on a stale version: the code, a message, and the notice as it is now."""

    code = serializers.CharField()
    message = serializers.CharField()
    current = NoticeDetailSerializer(required=False)


# ---------------------------------------------------------------------------
# What the API accepts: the page's forms decide


# An id the database can compare (SQLite and PostgreSQL integers are 64-bit).
MAX_ID = 2**63 - 1


def _ids(**kwargs) -> BoundedListField:
    return BoundedListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)


class NoticeDraftInput(serializers.Serializer):
    kind = serializers.ChoiceField([kind.value for kind in notices.HAND_DRAFTED_KINDS])
    tasks = _ids(
        max_length=notice_views.DRAFT_TASK_LIMIT,
        min_length=1,
        help_text=gettext_lazy("Ids of open tasks this person may see."),
    )
    body = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


def _version_field():
    return serializers.IntegerField(
        min_value=0,
        help_text=gettext_lazy("The version of the notice you saw; a stale one gets 409."),
    )


class NoticeStepInput(serializers.Serializer):
    version = _version_field()


class NoticeEditInput(NoticeStepInput):
    body = serializers.CharField(max_length=20_000)
    copy_recipients = _ids(
        max_length=100,
        required=False,
        help_text=gettext_lazy("Ids of copy recipients; left out, they stay as they are."),
    )


class NoticeReasonInput(NoticeStepInput):
    reason = serializers.CharField(max_length=5_000)


STEP_INPUTS = {
    "edit": NoticeEditInput,
    "propose": NoticeStepInput,
    "approve": NoticeStepInput,
    "sign": NoticeStepInput,
    "issue": NoticeStepInput,
    "reject": NoticeReasonInput,
    "withdraw": NoticeReasonInput,
}


def _step_data(name: str, validated: dict) -> dict:
    """The step's input through the page's form (EditForm, ReasonForm): its limits and
    messages, not a copy of them."""
    form_class = notice_views.STEPS[name][0]
    if form_class is None:
        return {}
    data = {key: value for key, value in validated.items() if key != "version"}
    given_copies = "copy_recipients" in data
    form = form_class(
        MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})
    )
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    cleaned = dict(form.cleaned_data)
    if name == "edit" and not given_copies:
        cleaned["copy_recipients"] = None
    return cleaned


# ---------------------------------------------------------------------------
# Views


def _visible(user):
    return notices.notices_visible_to(user)


def _detail_of(request, pk: int) -> Notice:
    return get_object_or_404(notices.notice_detail(notices=_visible(request.user)), pk=pk)


def _detail_response(request, pk: int, *, status_code=status.HTTP_200_OK) -> Response:
    notice = _detail_of(request, pk)
    return Response(
        NoticeDetailSerializer(notice, context={"request": request}).data, status=status_code
    )


@extend_schema(tags=["notices"])
class NoticeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Notices this person may see (`notices_visible_to`), filtered like the notice list:
    the office, the principal leader and administrators see all; a portfolio leader those
    about the portfolio's tasks; units the issued notices addressed or copied to them; copy
    recipients the issued copies."""

    lookup_value_regex = "[0-9]+"
    filterset_class = notices.NoticeFilter
    queryset = Notice.objects.none()  # for the schema; get_queryset scopes per person

    def get_queryset(self):
        visible = _visible(self.request.user)
        if self.action == "list":
            return notices.notice_list(notices=visible).order_by("-created_at", "-pk")
        return notices.notice_detail(notices=visible)

    def get_serializer_class(self):
        if self.action == "list":
            return NoticeListSerializer
        return NoticeDetailSerializer

    @extend_schema(request=NoticeDraftInput, responses={201: NoticeDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Draft an urge or supervise notice about open tasks (office staff only)."""
        if not is_office(request.user):
            raise ActionNotAllowed(_("Only the supervision office drafts notices."))
        serializer = NoticeDraftInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = notice_views.DraftForm(
            MultiValueDict(
                {"kind": [data["kind"]], "tasks": data["tasks"], "body": [data.get("body", "")]}
            ),
            user=request.user,
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        notice = notices.notice_draft(
            by=request.user,
            kind=form.cleaned_data["kind"],
            tasks=form.cleaned_data["tasks"],
            body=form.cleaned_data["body"],
        )
        return _detail_response(request, notice.pk, status_code=status.HTTP_201_CREATED)


class _Stale(Exception):
    pass


class NoticeStepView(APIView):
    """One step of a notice's way, through the page's form and the page's service."""

    step_name = ""

    def post(self, request, pk: int):
        name = self.step_name
        notice = get_object_or_404(_visible(request.user), pk=pk)
        # Refuse the wrong person or moment before looking at the input, as the page does.
        notices.check_notice_allowed(notice=notice, user=request.user, action=name)
        serializer = STEP_INPUTS[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _step_data(name, serializer.validated_data)
        try:
            with transaction.atomic():
                locked = Notice.objects.select_for_update().get(pk=notice.pk)
                if notice_version(locked) != serializer.validated_data["version"]:
                    raise _Stale
                # A refusal here (ValidationError, WrongState) rolls back and answers
                # through taskboard.api.errors like any other.
                notices.STEP_SERVICES[name](locked, request.user, data)
        except _Stale:
            current = _detail_of(request, pk)
            return Response(
                {
                    "code": "stale",
                    "message": _(
                        "This notice was changed by someone else in the meantime. It is now "
                        "“%(state)s”. Check it and try again."
                    )
                    % {"state": current.get_state_display()},
                    "current": NoticeDetailSerializer(current, context={"request": request}).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return _detail_response(request, pk)


STEP_SUMMARIES = {
    "edit": gettext_lazy("Change a draft's text and copy recipients (office)"),
    "propose": gettext_lazy("Propose the draft (deputy director)"),
    "approve": gettext_lazy("Approve (the portfolio leader over its tasks)"),
    "sign": gettext_lazy("Sign (office director)"),
    "issue": gettext_lazy("Issue and number (office)"),
    "reject": gettext_lazy("Send back to draft with a reason (whoever's turn it is)"),
    "withdraw": gettext_lazy("Withdraw a draft with a reason (office)"),
}


def _step_view(name: str) -> type[NoticeStepView]:
    def post(self, request, pk: int):
        return NoticeStepView.post(self, request, pk)

    post.__doc__ = f"{STEP_SUMMARIES[name]}."
    post = extend_schema(
        operation_id=f"notices_{name}",
        summary=STEP_SUMMARIES[name],
        tags=["notices"],
        request=STEP_INPUTS[name],
        responses={200: NoticeDetailSerializer, 409: NoticeStaleSerializer},
    )(post)
    return type(
        f"Notice{name.capitalize()}View", (NoticeStepView,), {"step_name": name, "post": post}
    )


STEP_VIEWS = {name: _step_view(name) for name in notices.TRANSITIONS}


router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = [
    path("", include(router.urls)),
    *(
        path(f"notices/<int:pk>/{name}/", view.as_view(), name=f"notice_{name}")
        for name, view in STEP_VIEWS.items()
    ),
]
