"""Factories and the people of the tests' city.

alice is office staff, dirk the office director, dana the deputy director,
uma heads unit A (and lisa is its liaison), bob heads unit B, pat is the portfolio leader
over unit A, mayor is the principal leader, carl a copy recipient.
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.db.models import Max

from taskboard.choices import TaskOrigin, TaskState, UnitKind
from taskboard.models import Profile, ProgressReport, Task, Unit

User = get_user_model()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


def person(username: str, role: str, unit: Unit | None = None, portfolio=()) -> User:
    user = UserFactory(username=username)
    profile = Profile.objects.create(user=user, role=role, unit=unit)
    profile.portfolio.set(portfolio)
    return user


class TaskFactory(factory.django.DjangoModelFactory):
    """A task written straight to the table, in whatever state the test needs."""

    class Meta:
        model = Task

    year = 2026
    code = factory.Sequence(lambda n: f"2026-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"督办事项{n}")
    origin = TaskOrigin.MEETING
    lead_unit = factory.SubFactory(UnitFactory)
    state = TaskState.ASSIGNED
    assigned_on = datetime.date(2026, 9, 1)
    deadline = datetime.date(2026, 10, 31)
    original_deadline = factory.SelfAttribute("deadline")


def progress_report(task: Task, *, reporter, reported_at, **fields) -> ProgressReport:
    """A progress report written straight to the table, keeping the task's
    `last_reported_at` as `task_report_progress` does."""
    fields = {"text": "按计划推进", "percent": 50, **fields}
    report = ProgressReport.objects.create(
        task=task, unit=task.lead_unit, reporter=reporter, reported_at=reported_at, **fields
    )
    latest = ProgressReport.objects.filter(task=task).aggregate(Max("reported_at"))
    Task.objects.filter(pk=task.pk).update(last_reported_at=latest["reported_at__max"])
    task.last_reported_at = latest["reported_at__max"]
    return report
