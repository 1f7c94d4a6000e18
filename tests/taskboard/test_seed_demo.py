"""`manage.py seed_demo` builds a believable city, through the services, exactly once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from taskboard.choices import OPEN_STATES, Role, TaskState, UnitKind
from taskboard.models import (
    ExtensionRequest,
    Milestone,
    Profile,
    ProgressReport,
    Task,
    TaskEvent,
    Unit,
)
from taskboard.services import due_soon_until

User = get_user_model()


def _counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "tasks": Task.objects.count(),
        "events": TaskEvent.objects.count(),
        "reports": ProgressReport.objects.count(),
        "milestones": Milestone.objects.count(),
        "extensions": ExtensionRequest.objects.count(),
        "task_history": Task.history.count(),
        "unit_history": Unit.history.count(),
        "profile_history": Profile.history.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_city_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    today = timezone.localdate()

    # The city: about 40 units of every kind, townships under districts.
    assert 38 <= Unit.objects.count() <= 45
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds == set(UnitKind.values)
    assert all(
        township.parent and township.parent.kind == UnitKind.DISTRICT
        for township in Unit.objects.filter(kind=UnitKind.TOWNSHIP)
    )

    # The people, every one with a profile and the demo password.
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("demo-pass-2026")
    office = User.objects.get(username="office")
    assert office.profile.role == Role.OFFICE_STAFF
    assert office.profile.unit.kind == UnitKind.OFFICE
    assert office.get_full_name()
    assert User.objects.get(username="fgw_head").check_password("demo-pass-2026")
    assert User.objects.get(username="copy").profile.unit.name == "市委组织部"
    assert not User.objects.filter(profile__isnull=True).exists()
    portfolio_units = set(
        Profile.objects.filter(role=Role.PORTFOLIO_LEADER).values_list("portfolio", flat=True)
    )
    assert Profile.objects.filter(role=Role.PORTFOLIO_LEADER).count() == 4
    for unit in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.DISTRICT]):
        assert unit.pk in portfolio_units, unit
        assert unit.people.filter(role=Role.UNIT_HEAD).exists(), unit

    # The tasks: every state, overdue and due-soon ones, every one with a timeline.
    tasks = Task.objects.all()
    assert 140 <= tasks.count() <= 160
    assert set(tasks.values_list("state", flat=True)) == set(TaskState.values)
    assert tasks.filter(state__in=OPEN_STATES, deadline__lt=today).count() >= 10
    assert tasks.filter(
        state__in=OPEN_STATES, deadline__gte=today, deadline__lte=due_soon_until(today)
    ).exists()
    assert not tasks.annotate(n=Count("events")).filter(n=0).exists()
    assert ProgressReport.objects.exists()
    assert tasks.filter(milestones__isnull=False).distinct().count() >= 5
    assert tasks.filter(co_units__isnull=False).exists()
    assert tasks.exclude(assigned_on=None).filter(assigned_on__gt=today).count() == 0
    # Lead leaders are the portfolio leaders of the lead unit.
    for task in tasks.select_related("lead_leader__profile"):
        assert task.lead_leader.profile.portfolio.filter(pk=task.lead_unit_id).exists()

    assert "demo-pass-2026" in out.getvalue()

    # Running it again changes nothing, history included.
    before = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == before
