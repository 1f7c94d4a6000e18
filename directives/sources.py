"""The finder that lets a task page link back to the source row it came from."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from taskboard.choices import TaskOrigin
from taskboard.models import Task
from taskboard.sources import SourceLink

from .models import AssignmentItem, Instruction, Proposal, Target


def _leader_name(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is not None and profile.title:
        return profile.title
    return user.get_full_name() or user.get_username()


def task_source(task: Task) -> SourceLink | None:
    """The source of a task registered here, or of the task it was split from."""
    ids = [task.pk, task.parent_id] if task.parent_id else [task.pk]
    if task.origin == TaskOrigin.WORK_REPORT:
        target = Target.objects.select_related("report").filter(task_id__in=ids).first()
        if target:
            return SourceLink(
                _("%(report)s, target %(number)s")
                % {"report": target.report.title, "number": target.number},
                reverse("directives:work_report_detail", args=[target.report_id])
                + f"#target-{target.number}",
            )
    elif task.origin == TaskOrigin.INSTRUCTION:
        instruction = (
            Instruction.objects.select_related("leader__profile").filter(task_id__in=ids).first()
        )
        if instruction:
            return SourceLink(
                _("%(leader)s's instruction (%(date)s)")
                % {
                    "leader": _leader_name(instruction.leader),
                    "date": instruction.issued_on.isoformat(),
                },
                reverse("directives:instruction_detail", args=[instruction.pk]),
            )
    elif task.origin == TaskOrigin.SUPERIOR:
        item = AssignmentItem.objects.select_related("assignment").filter(task_id__in=ids).first()
        if item:
            return SourceLink(
                _("%(body)s %(reference)s, item %(number)s")
                % {
                    "body": item.assignment.issuing_body,
                    "reference": item.assignment.reference,
                    "number": item.number,
                },
                reverse("directives:superior_detail", args=[item.assignment_id])
                + f"#item-{item.number}",
            )
    elif task.origin == TaskOrigin.PROPOSAL:
        proposal = Proposal.objects.filter(task_id__in=ids).first()
        if proposal:
            return SourceLink(
                _("%(kind)s number %(number)s")
                % {"kind": proposal.get_kind_display(), "number": proposal.number},
                reverse("directives:proposal_detail", args=[proposal.pk]),
            )
    return None
