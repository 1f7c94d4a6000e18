"""`manage.py seed_demo_meetings` gives the demo city's meetings decisions in every stage,
through the services, exactly once."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from meetings.models import Decision, Meeting
from meetings.selectors import meeting_list
from taskboard.choices import OPEN_STATES, TaskOrigin, TaskState
from taskboard.models import Notification, ProgressReport, Task, TaskEvent


def _counts() -> dict[str, int]:
    counts = {
        model.__name__: model.objects.count()
        for model in (Meeting, Decision, Task, TaskEvent, ProgressReport, Notification)
    }
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            counts[model._meta.label] = model.objects.count()
    return counts


@pytest.mark.django_db
def test_seed_demo_meetings_needs_the_demo_city():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_meetings", stdout=StringIO())
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_seed_demo_meetings_registers_and_assigns_decisions_once():
    call_command("seed_demo", stdout=StringIO())
    tasks_before = Task.objects.count()
    out = StringIO()
    call_command("seed_demo_meetings", stdout=out)
    today = timezone.localdate()

    meetings = Meeting.objects.all()
    assert meetings.count() >= 10
    assert {"executive", "office", "topic", "weekly"} <= set(
        meetings.values_list("kind", flat=True)
    )
    assert all(meeting.minutes and meeting.chair_id for meeting in meetings)
    assert not meetings.filter(date__gt=today).exists()

    # Every decision has its own meeting task; all but one meeting's are assigned.
    decisions = Decision.objects.select_related("task")
    assert Task.objects.count() == tasks_before + decisions.count()
    assert all(d.task.origin == TaskOrigin.MEETING for d in decisions)
    drafts = decisions.filter(task__state=TaskState.DRAFT)
    assert drafts.exists()
    assert drafts.values("meeting").distinct().count() == 1
    assert (
        not decisions.filter(meeting=drafts.first().meeting)
        .exclude(task__state=TaskState.DRAFT)
        .exists()
    )
    assigned = decisions.exclude(task__state=TaskState.DRAFT)
    assert assigned.count() >= 40
    assert not assigned.filter(task__assigned_on=None).exists()

    # Units have acted on them: rates differ from meeting to meeting, a few run late.
    rows = meeting_list(meetings=meetings, tasks=Task.objects.all())
    rates = {round(row.done_count / row.decision_count * 100) for row in rows}
    assert 100 in rates
    assert any(80 <= rate < 100 for rate in rates)
    states = set(assigned.values_list("task__state", flat=True))
    assert {TaskState.CLOSED, TaskState.IN_PROGRESS, TaskState.CLOSURE_REQUESTED} <= states
    overdue = assigned.filter(task__state__in=OPEN_STATES, task__deadline__lt=today)
    assert 1 <= overdue.count() <= 10
    closed = Task.objects.filter(decision__isnull=False, state=TaskState.CLOSED)
    assert TaskEvent.objects.filter(task__in=closed, kind="acknowledged").count() == closed.count()
    assert "落实率" in out.getvalue()

    # Running it again changes nothing, history included.
    before = _counts()
    out = StringIO()
    call_command("seed_demo_meetings", stdout=out)
    assert _counts() == before
    assert "未做任何改动" in out.getvalue()
