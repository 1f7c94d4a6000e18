"""The link from a task back to the meeting decision it came from."""

from __future__ import annotations

from taskboard.choices import TaskOrigin
from taskboard.models import Task
from taskboard.sources import SourceLink

from .models import Decision


def decision_of_task(task: Task) -> SourceLink | None:
    """第12次常务会议 第3项, linking to the meeting; None for tasks from elsewhere."""
    if task.origin != TaskOrigin.MEETING:
        return None
    decision = Decision.objects.filter(task=task).select_related("meeting").first()
    if decision is None:
        return None
    return SourceLink(label=decision.label, url=decision.meeting.get_absolute_url())
