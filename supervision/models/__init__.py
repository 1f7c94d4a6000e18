"""Supervision's models, one module per concern; import them from here."""

from .delivery import *  # noqa: F403
from .notices import *  # noqa: F403
from .reports import *  # noqa: F403
from .warnings import SweepRun, TaskWarning, WarningRead, WarningsReadUpTo

__all__ = ["SweepRun", "TaskWarning", "WarningRead", "WarningsReadUpTo"]
