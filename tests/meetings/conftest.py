import datetime

import pytest

from meetings.choices import MeetingKind
from meetings.models import Decision, Meeting
from taskboard.choices import TaskState

from ..factories import TaskFactory

# An executive meeting the day before the National Day holiday.
MEETING_DAY = datetime.date(2026, 9, 29)


def make_meeting(number=12, kind=MeetingKind.EXECUTIVE, date=MEETING_DAY, **fields) -> Meeting:
    return Meeting.objects.create(kind=kind, number=number, date=date, **fields)


def make_decision(meeting: Meeting, number: int, state=TaskState.ASSIGNED, **task_fields):
    """A decision with its task written straight to the table, in any state."""
    task_fields.setdefault("title", f"{meeting.number}次会议第{number}项")
    task = TaskFactory(state=state, **task_fields)
    return Decision.objects.create(meeting=meeting, number=number, text=task.title, task=task)


@pytest.fixture
def meeting(city):
    return make_meeting(chair=city.mayor, subject="研究重点项目和安全生产工作")
