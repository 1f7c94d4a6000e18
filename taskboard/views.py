from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from . import selectors
from .filters import TaskFilter
from .models import Task

PAGE_SIZE = 25


@login_required
def home(request):
    return redirect("taskboard:task_list")


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


@login_required
def task_detail(request, pk: int):
    tasks = selectors.task_detail(tasks=Task.objects.visible_to(request.user))
    task = get_object_or_404(tasks, pk=pk)
    return render(
        request,
        "taskboard/task_detail.html",
        {"task": task, "today": timezone.localdate()},
    )


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
