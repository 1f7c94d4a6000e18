"""How a task finds its way back to where it came from.

`taskboard` imports no source app. Each source app registers, in its AppConfig.ready(), a
function that gives a task's source as a link; the task page asks here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Task


@dataclass(frozen=True)
class SourceLink:
    label: str
    url: str


_finders: list[Callable[[Task], SourceLink | None]] = []


def register(finder: Callable[[Task], SourceLink | None]) -> None:
    """Add a finder: given a task, the link to its source row, or None if not this app's."""
    if finder not in _finders:
        _finders.append(finder)


def source_of(task: Task) -> SourceLink | None:
    for finder in _finders:
        link = finder(task)
        if link is not None:
            return link
    return None
