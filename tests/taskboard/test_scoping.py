import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from taskboard.choices import Role, TaskState
from taskboard.models import Task

from ..factories import TaskFactory, UnitFactory, UserFactory, person

D = datetime.date


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(
        datetime.datetime(2026, 9, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def ledger(city):
    """Tasks led by A, co-handled by A, led by B, led by another unit under pat, and others."""
    unit_c = UnitFactory(name="市住房和城乡建设局")
    a_leads = TaskFactory(lead_unit=city.unit_a)
    b_leads_a_helps = TaskFactory(lead_unit=city.unit_b)
    b_leads_a_helps.co_units.add(city.unit_a)
    b_leads = TaskFactory(lead_unit=city.unit_b)
    c_leads = TaskFactory(lead_unit=unit_c)
    c_leads_pat_leads = TaskFactory(lead_unit=unit_c, lead_leader=city.pat)
    b_leads_c_helps = TaskFactory(lead_unit=city.unit_b)
    b_leads_c_helps.co_units.add(unit_c)
    return {
        "a_leads": a_leads,
        "b_leads_a_helps": b_leads_a_helps,
        "b_leads": b_leads,
        "c_leads": c_leads,
        "c_leads_pat_leads": c_leads_pat_leads,
        "b_leads_c_helps": b_leads_c_helps,
    }


def visible(user, ledger):
    seen = set(Task.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, task in ledger.items() if task.pk in seen}


@pytest.mark.parametrize("who", ["uma", "lisa"])
def test_unit_staff_see_what_their_unit_leads_or_co_handles_and_nothing_else(city, ledger, who):
    assert visible(getattr(city, who), ledger) == {"a_leads", "b_leads_a_helps"}


def test_staff_of_the_other_unit_see_only_their_own_units_tasks(city, ledger):
    assert visible(city.bob, ledger) == {"b_leads_a_helps", "b_leads", "b_leads_c_helps"}


def test_a_task_co_handled_by_the_unit_appears_once(city, ledger):
    ledger["a_leads"].co_units.add(city.unit_a, city.unit_b)

    pks = list(Task.objects.visible_to(city.uma).values_list("pk", flat=True))

    assert sorted(pks) == sorted({ledger["a_leads"].pk, ledger["b_leads_a_helps"].pk})


def test_portfolio_leader_sees_portfolio_units_tasks_and_the_tasks_they_lead(city, ledger):
    assert visible(city.pat, ledger) == {"a_leads", "b_leads_a_helps", "c_leads_pat_leads"}


def test_portfolio_leader_over_two_units_sees_both(city, ledger):
    unit_c = ledger["c_leads"].lead_unit
    city.pat.profile.portfolio.add(unit_c)

    assert visible(city.pat, ledger) == set(ledger) - {"b_leads"}


def test_portfolio_leader_with_an_empty_portfolio_sees_only_the_tasks_they_lead(city, ledger):
    city.pat.profile.portfolio.clear()

    assert visible(city.pat, ledger) == {"c_leads_pat_leads"}


@pytest.mark.parametrize("who", ["mayor", "alice", "dirk", "dana"])
def test_principal_leader_and_office_see_everything(city, ledger, who):
    assert visible(getattr(city, who), ledger) == set(ledger)


def test_a_superuser_without_a_profile_sees_everything(ledger):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    assert visible(admin, ledger) == set(ledger)


def test_an_administrator_profile_sees_everything(ledger):
    assert visible(person("ada", Role.ADMINISTRATOR), ledger) == set(ledger)


def test_copy_recipient_sees_only_open_overdue_tasks(city, ledger):
    overdue = TaskFactory(
        lead_unit=city.unit_b, state=TaskState.IN_PROGRESS, deadline=D(2026, 9, 27)
    )
    due_today = TaskFactory(lead_unit=city.unit_b, deadline=D(2026, 9, 28))
    closed_late = TaskFactory(lead_unit=city.unit_b, state=TaskState.CLOSED, deadline=D(2026, 9, 1))
    suspended_late = TaskFactory(
        lead_unit=city.unit_b, state=TaskState.SUSPENDED, deadline=D(2026, 9, 1)
    )

    seen = set(Task.objects.visible_to(city.carl))

    assert seen == {overdue}
    assert not seen & {due_today, closed_late, suspended_late}


def test_a_user_without_a_profile_sees_nothing(ledger):
    nobody = UserFactory(username="nobody")

    assert visible(nobody, ledger) == set()


def test_an_anonymous_user_sees_nothing(ledger):
    assert visible(AnonymousUser(), ledger) == set()


def test_the_django_staff_flag_does_not_widen_a_unit_heads_scope(city, ledger):
    # Being Django staff (admin site access) is not a role: a unit head stays scoped.
    city.uma.is_staff = True
    city.uma.save()

    assert visible(city.uma, ledger) == {"a_leads", "b_leads_a_helps"}
