from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import role_of


def navigation(request):
    """The navigation bar for the person's role, and how to name them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [(reverse("taskboard:task_list"), _("Tasks"))]
    if user.is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    profile = getattr(user, "profile", None)
    return {
        "nav_items": items,
        "nav_role": profile.get_role_display()
        if profile
        else (_("Administrator") if role_of(user) else ""),
        "nav_unit": profile.unit if profile else None,
    }
