"""`manage.py seed_demo_directives` registers the demo city's work report, instructions,
assignment from above and proposals, assigns them and carries them out in part, once."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from directives.models import (
    AssignmentItem,
    Instruction,
    Proposal,
    ProposalReply,
    SuperiorAssignment,
    Target,
    WorkReport,
)
from taskboard.choices import EventKind, TaskState
from taskboard.models import Milestone, Notification, ProgressReport, Task, TaskEvent

SOURCES = (WorkReport, Target, Instruction, SuperiorAssignment, AssignmentItem, Proposal)


def _counts() -> dict[str, int]:
    models = (*SOURCES, ProposalReply, Task, TaskEvent, ProgressReport, Milestone, Notification)
    counts = {model.__name__: model.objects.count() for model in models}
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            counts[model._meta.label] = model.objects.count()
    return counts


@pytest.mark.django_db
def test_seed_demo_directives_needs_the_demo_city():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_directives", stdout=StringIO())
    assert not WorkReport.objects.exists()


@pytest.mark.django_db
def test_seed_demo_directives_registers_and_assigns_sources_once():
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_directives", stdout=out)

    # The work report: about ten targets with milestones, some split into parts.
    report = WorkReport.objects.get()
    targets = Target.objects.filter(report=report).select_related("task")
    assert 8 <= targets.count() <= 12
    assert all(target.task.milestones.exists() for target in targets)
    split = [target for target in targets if target.task.children.exists()]
    assert len(split) >= 2
    assert all(target.task.children.count() >= 2 for target in split)

    # Instructions from the mayor and vice mayors, of every kind.
    instructions = Instruction.objects.select_related("leader__profile")
    assert instructions.count() >= 5
    assert {i.kind for i in instructions} == {"document", "letter", "field_visit"}
    assert {i.leader.profile.role for i in instructions} == {
        "principal_leader",
        "portfolio_leader",
    }

    # One rectification list from the province with four items.
    assert SuperiorAssignment.objects.get().items.count() == 4

    # Suggestions and proposals, replied, satisfaction recorded, one sent back.
    proposals = Proposal.objects.all()
    assert proposals.count() >= 5
    assert set(proposals.values_list("kind", flat=True)) == {"suggestion", "proposal"}
    satisfaction = set(ProposalReply.objects.values_list("satisfaction", flat=True))
    assert {"satisfied", "dissatisfied"} <= satisfaction
    reopened = Task.objects.get(proposal__replies__satisfaction="dissatisfied")
    assert reopened.state == TaskState.IN_PROGRESS
    assert reopened.events.filter(kind=EventKind.REOPENED).exists()

    # Everything is assigned, and the units have acted on it.
    tasks = Task.objects.filter(
        Q(work_report_target__isnull=False)
        | Q(parent__work_report_target__isnull=False)
        | Q(instruction__isnull=False)
        | Q(assignment_item__isnull=False)
        | Q(proposal__isnull=False)
    )
    assert not tasks.filter(state=TaskState.DRAFT).exists()
    assert not tasks.filter(assigned_on=None).exists()
    states = set(tasks.values_list("state", flat=True))
    assert {TaskState.CLOSED, TaskState.IN_PROGRESS, TaskState.CLOSURE_REQUESTED} <= states
    assert tasks.filter(due_state__in=["yellow", "red"]).exists()
    assert "未做任何改动" not in out.getvalue()

    # Running it again changes nothing, history included.
    before = _counts()
    out = StringIO()
    call_command("seed_demo_directives", stdout=out)
    assert _counts() == before
    assert "未做任何改动" in out.getvalue()
