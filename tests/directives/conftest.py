import datetime

import pytest

from directives import services
from directives.services import UnitsAndPeople
from taskboard import services as lifecycle
from taskboard.models import Task

SESSION_END = datetime.date(2026, 3, 12)


@pytest.fixture
def report(city):
    return services.work_report_create(
        by=city.alice, year=2026, title="2026年政府工作报告", session_ended_on=SESSION_END
    )


@pytest.fixture
def mayor_title(city):
    city.mayor.profile.title = "市长"
    city.mayor.profile.save()
    return city.mayor


def make_instruction(city, *, leader=None, issued_on=datetime.date(2026, 3, 2), **extra):
    return services.instruction_create(
        by=city.alice,
        leader=leader or city.mayor,
        issued_on=issued_on,
        kind=extra.pop("kind", "letter"),
        text=extra.pop("text", "请市发改委牵头、市财政局配合，尽快解决群众反映的供暖问题。"),
        people=extra.pop("people", UnitsAndPeople(lead_unit=city.unit_a, co_units=[city.unit_b])),
        **extra,
    )


def make_proposal(city, *, number=108, kind="suggestion", **extra):
    return services.proposal_create(
        by=city.alice,
        kind=kind,
        year=2026,
        number=number,
        proposer=extra.pop("proposer", "张代表"),
        title=extra.pop("title", "关于加快老旧小区改造的建议"),
        text="建议加快老旧小区改造进度。",
        received_on=extra.pop("received_on", datetime.date(2026, 3, 20)),
        people=UnitsAndPeople(lead_unit=city.unit_a, co_units=[city.unit_b]),
        **extra,
    )


def close(task, city):
    """Drive a task to closed through the lifecycle services."""
    task = lifecycle.task_acknowledge(task=task, by=city.uma)
    lifecycle.task_report_progress(task=task, by=city.uma, text="已答复代表", percent=100)
    task = lifecycle.task_request_closure(
        task=Task.objects.get(pk=task.pk), by=city.uma, summary="已办结"
    )
    return lifecycle.task_close(task=task, by=city.alice)
