from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import OFFICE_ROLES, UNIT_ROLES, Role, TaskState
from .models import role_of

# Other apps add their own unread counts to the top bar (supervision: the sweep's
# warnings) without taskboard importing them: each registers, from AppConfig.ready(), a
# context name and a function giving a person's unread rows. They are counted in the one
# query the bell already costs, so no page pays a query more for them.
_unread_counters: dict[str, Callable[..., QuerySet]] = {}


def unread_counter(name: str, rows: Callable[..., QuerySet]) -> None:
    """Put the count of `rows(user)` into every page's context as `name`."""
    _unread_counters[name] = rows


def unread_counts(user) -> dict[str, int]:
    """The bell's unread notifications and every registered count, in one query."""
    unread = {"unread_count": user.notifications.filter(read_at__isnull=True)}
    unread.update({name: rows(user) for name, rows in _unread_counters.items()})
    if len(unread) == 1:
        return {"unread_count": unread["unread_count"].count()}
    counts = {
        name: Subquery(
            rows.order_by().values(n=Func(F("pk"), function="COUNT")),
            output_field=IntegerField(),
        )
        for name, rows in unread.items()
    }
    return get_user_model().objects.filter(pk=user.pk).values(**counts).get()


def navigation(request):
    """The navigation bar for the person's role, the bell's unread count, and their name."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    tasks = reverse("taskboard:task_list")
    items = []
    if role in UNIT_ROLES:
        items.append((reverse("taskboard:inbox"), _("Inbox")))
    items.append((tasks, _("Tasks")))
    if role is not None and role != Role.COPY_RECIPIENT:
        items.append((reverse("taskboard:dashboard"), _("Dashboard")))
    if role is not None:
        # The periodic reports (supervision) are open to every role: bulletins go to every
        # unit. A URL name reversed at runtime, as for meetings: taskboard imports no app.
        items.append((reverse("supervision:report_list"), _("Supervision reports")))
    if role in {*OFFICE_ROLES, Role.ADMINISTRATOR, Role.PRINCIPAL_LEADER, Role.PORTFOLIO_LEADER}:
        items.append((reverse("meetings:index"), _("Meetings")))
        items.append((reverse("directives:index"), _("Reports, instructions and proposals")))
    if role in {*OFFICE_ROLES, Role.ADMINISTRATOR}:
        items.append((f"{tasks}?state={TaskState.ASSIGNED}", _("Not yet acknowledged")))
        items.append((f"{tasks}?state={TaskState.CLOSURE_REQUESTED}", _("Closure to review")))
        items.append((reverse("taskboard:ledger_import"), _("Import ledger")))
    if user.is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    profile = getattr(user, "profile", None)
    label = profile.get_role_display() if profile else (_("Administrator") if role else "")
    return {
        "nav_items": items,
        "nav_role": label,
        "nav_unit": profile.unit if profile else None,
        **unread_counts(user),
    }
