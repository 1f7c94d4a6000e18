from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from kombu import Connection

from . import selectors, services
from .actions import ACTIONS, available_actions
from .choices import UNIT_ROLES, Role
from .filters import TaskFilter
from .forms import ActionForm
from .models import Attachment, Task, Unit, role_of
from .services import ActionNotAllowed, TaskActionError, TaskChanged
from .sources import source_of
from .widgets import PICKER_LIMIT

PAGE_SIZE = 25


@login_required
def home(request):
    """Unit staff start at their inbox; everyone else at the task list."""
    if role_of(request.user) in UNIT_ROLES:
        return redirect("taskboard:inbox")
    return redirect("taskboard:task_list")


@login_required
def inbox(request):
    """The unit's tasks grouped by what needs doing: the unit head's and liaison's start."""
    if role_of(request.user) not in UNIT_ROLES:
        messages.info(request, _("The inbox is for responsible units; here are your tasks."))
        return redirect("taskboard:task_list")
    today = timezone.localdate()
    groups = selectors.unit_inbox(
        unit_id=request.user.profile.unit_id,
        today=today,
        due_soon_until=services.due_soon_until(today),
        days=settings.DUE_SOON_WORKDAYS,
    )
    return render(request, "taskboard/inbox.html", {"groups": groups, "today": today})


@login_required
def notification_list(request):
    notifications = request.user.notifications.select_related("task", "event__actor")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "taskboard/notification_list.html", {"page": page, "query": ""})


@login_required
def notification_open(request, pk: int):
    """Mark one notification read and go to its task."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect("taskboard:task_detail", pk=notification.task_id)


@login_required
@require_POST
def notifications_mark_read(request):
    count = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("taskboard:notification_list")


@login_required
def task_list(request):
    filterset = TaskFilter(request.GET or None, queryset=Task.objects.visible_to(request.user))
    # An invalid filter shows its errors and no tasks, never a wider list than asked for.
    tasks = selectors.task_list(
        tasks=filterset.qs
        if not filterset.is_bound or filterset.is_valid()
        else Task.objects.none()
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "taskboard/task_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


def _task_page(request, pk: int, *, bound: tuple[str, ActionForm] | None = None, status=200):
    """The task page, with a form for each action this person may take now. A form that
    failed is shown again as the person filled it in."""
    tasks = selectors.task_detail(tasks=Task.objects.visible_to(request.user))
    task = get_object_or_404(tasks, pk=pk)
    forms = {}
    for name in available_actions(task=task, user=request.user):
        forms[name] = ACTIONS[name].form(task=task, user=request.user)
    if bound is not None:
        name, form = bound
        form.task = task
        forms[name] = form
    return render(
        request,
        "taskboard/task_detail.html",
        {
            "task": task,
            "source": source_of(task),
            "latest_report": next(iter(task.progress_reports.all()), None),
            "today": timezone.localdate(),
            "action_forms": [(name, ACTIONS[name], form) for name, form in forms.items()],
            "open_action": bound[0] if bound else request.GET.get("action"),
        },
        status=status,
    )


@login_required
def task_detail(request, pk: int):
    return _task_page(request, pk)


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    """Run one action on a task; on any refusal, show the page again with what was typed."""
    if action not in ACTIONS:
        raise Http404
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    try:
        # Refuse the wrong person or state before looking at what they typed.
        services.check_allowed(task=task, user=request.user, action=action)
    except TaskActionError as error:
        messages.error(request, error.message)
        return _task_page(request, pk, status=403 if isinstance(error, ActionNotAllowed) else 409)
    form = ACTIONS[action].form(request.POST, request.FILES, task=task, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return _task_page(request, pk, bound=(action, form), status=400)
    try:
        result = ACTIONS[action].perform(form)
    except ValidationError as error:
        _add_errors(form, error)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
        return _task_page(request, pk, bound=(action, form), status=400)
    except TaskChanged as error:
        messages.error(request, error.message)
        # Keep what was typed, but against the version now on the page.
        data = request.POST.copy()
        data["version"] = error.task.version
        form = ACTIONS[action].form(data, task=error.task, user=request.user)
        form.is_valid()
        return _task_page(request, pk, bound=(action, form), status=409)
    except TaskActionError as error:
        messages.error(request, error.message)
        status = 403 if isinstance(error, ActionNotAllowed) else 409
        return _task_page(request, pk, status=status)
    messages.success(request, ACTIONS[action].done)
    if getattr(result, "is_repeat", False):
        messages.warning(
            request,
            _(
                "Nothing changed since the last report: this report repeats it and is "
                "marked as a repeat."
            ),
        )
    return redirect("taskboard:task_detail", pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def attachment_download(request, pk: int):
    """A file, only for people who can see its task."""
    attachment = get_object_or_404(
        Attachment.objects.filter(task__in=Task.objects.visible_to(request.user)), pk=pk
    )
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )


@login_required
@require_GET
def picker(request, kind: str):
    """Options for a unit or leader picker: the chosen ones first, then matches for `q`."""
    field = request.GET.get("field", "")
    chosen_ids = [v for v in request.GET.getlist(field) if v.isdigit()][:200]
    query = request.GET.get("q", "").strip()[:50].replace("\x00", "")
    if kind == "units":
        items = Unit.objects.filter(is_active=True)
        search = Q(name__icontains=query) | Q(short_name__icontains=query)
    elif kind == "leaders":
        items = get_user_model().objects.filter(
            is_active=True, profile__role__in=[Role.PORTFOLIO_LEADER, Role.PRINCIPAL_LEADER]
        )
        search = Q(first_name__icontains=query) | Q(last_name__icontains=query)
        search |= Q(username__icontains=query) | Q(profile__title__icontains=query)
    else:
        raise Http404
    chosen = list(items.filter(pk__in=chosen_ids))
    matches = items.exclude(pk__in=chosen_ids)
    if query:
        matches = matches.filter(search)
    matches = list(matches[:PICKER_LIMIT])
    return render(
        request,
        "taskboard/widgets/picker_options.html",
        {
            "chosen": [_picker_item(item) for item in chosen],
            "matches": [_picker_item(item) for item in matches],
            "single": request.GET.get("single") == "1",
        },
    )


def _picker_item(item) -> dict:
    if isinstance(item, Unit):
        return {"pk": item.pk, "label": item.name}
    return {"pk": item.pk, "label": item.get_full_name() or item.get_username()}


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    )
    try:
        with broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    """Whether this process can reach its database and its broker. No login needed."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            **{k: "ok" if v else "error" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
