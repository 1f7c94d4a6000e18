from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import OFFICE_ROLES, UNIT_ROLES, Role, TaskState
from .models import role_of


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
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
