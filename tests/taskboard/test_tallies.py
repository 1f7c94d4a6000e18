"""The tallies are exact: after any series of service operations every tally row equals the
GROUP BY over the tasks it summarises, and a rebuild gives the same rows."""

import contextlib
import datetime
import random
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from taskboard import services, tallies
from taskboard.choices import DeadlineSource, TaskOrigin, TaskState
from taskboard.models import BehindSchedule, Tally, Task
from taskboard.stats import Standing

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db


def assert_tallies_exact() -> None:
    """Every tally row equals the GROUP BY over the tasks, and a rebuild writes the same."""
    expected = tallies.counts_from_tasks()
    assert tallies.counts_in_tallies() == expected
    tallies.rebuild()
    assert tallies.counts_in_tallies() == expected


def counted(grain="all", **where) -> dict[str, int]:
    result: dict[str, int] = {}
    for row in Tally.objects.filter(grain=grain, **where):
        result[row.standing] = result.get(row.standing, 0) + row.count
    return {key: value for key, value in result.items() if value}


def test_a_new_task_counts_as_a_draft_in_every_lead_grain(city):
    task = services.task_create(
        by=city.alice,
        title="新任务",
        lead_unit=city.unit_a,
        co_units=[city.unit_b],
        origin=TaskOrigin.MEETING,
        lead_leader=city.pat,
    )
    for grain in tallies.LEAD_GRAINS:
        assert counted(grain) == {Standing.DRAFT: 1}
    assert counted("unit", unit=city.unit_a.pk, leader=city.pat.pk) == {Standing.DRAFT: 1}
    assert counted("co_unit", unit=city.unit_b.pk) == {Standing.DRAFT: 1}
    assert counted("co_unit", unit=city.unit_a.pk) == {}
    assert Tally.objects.get(grain="month", standing=Standing.DRAFT).month == 0
    services.task_assign(
        task=task, by=city.alice, deadline=timezone.localdate() + datetime.timedelta(days=60)
    )
    today = timezone.localdate()
    assert counted("all") == {Standing.ON_SCHEDULE: 1}
    assert Tally.objects.get(grain="month", count=1).month == today.year * 100 + today.month
    assert_tallies_exact()


def test_closing_moves_one_count_from_open_to_closed(city):
    task = services.task_create(
        by=city.alice, title="任务", lead_unit=city.unit_a, origin=TaskOrigin.INSTRUCTION
    )
    services.task_assign(
        task=task, by=city.alice, deadline=timezone.localdate() + datetime.timedelta(days=60)
    )
    services.task_acknowledge(task=task, by=city.uma)
    services.task_request_closure(task=task, by=city.uma, summary="完成")
    services.task_close(task=task, by=city.alice)
    assert counted("all") == {Standing.CLOSED: 1}
    assert_tallies_exact()


def test_a_task_behind_its_milestone_counts_as_behind_not_due_soon(city):
    today = timezone.localdate()
    task = services.task_create(
        by=city.alice,
        title="有时序进度的任务",
        lead_unit=city.unit_a,
        origin=TaskOrigin.WORK_REPORT,
        deadline=today + datetime.timedelta(days=90),
        milestones=[(today - datetime.timedelta(days=1), 50, "过半")],
    )
    services.task_assign(task=task, by=city.alice, assigned_on=today - datetime.timedelta(days=10))
    assert BehindSchedule.objects.filter(task=task).exists()
    assert counted("all") == {Standing.BEHIND: 1}
    services.task_acknowledge(task=task, by=city.uma)
    services.task_report_progress(task=task, by=city.uma, text="完成六成", percent=60)
    assert not BehindSchedule.objects.filter(task=task).exists()
    assert counted("all") == {Standing.ON_SCHEDULE: 1}
    assert_tallies_exact()


def test_the_daily_refresh_recounts_the_lights_it_changes(city):
    today = timezone.localdate()
    task = services.task_create(
        by=city.alice, title="任务", lead_unit=city.unit_a, origin=TaskOrigin.MEETING
    )
    services.task_assign(task=task, by=city.alice, deadline=today + datetime.timedelta(days=30))
    assert counted("all") == {Standing.ON_SCHEDULE: 1}
    services.due_states_refresh(as_of=today + datetime.timedelta(days=31))
    assert counted("all") == {Standing.OVERDUE: 1}
    assert_tallies_exact()


def test_rebuild_tallies_command_writes_the_rows_the_services_kept(city):
    for n in range(3):
        services.task_create(
            by=city.alice, title=f"任务{n}", lead_unit=city.unit_b, origin=TaskOrigin.PROPOSAL
        )
    kept = tallies.counts_in_tallies()
    Tally.objects.all().delete()
    call_command("rebuild_tallies", verbosity=0)
    assert tallies.counts_in_tallies() == kept == tallies.counts_from_tasks()


# ---------------------------------------------------------------------------
# The property: any series of operations keeps every tally exact


def _random_operations(city, rng: random.Random, steps: int) -> None:
    today = timezone.localdate()
    unit_c = UnitFactory(name="市住房和城乡建设局")
    units = [city.unit_a, city.unit_b]
    staff = {city.unit_a.pk: city.uma, city.unit_b.pk: city.bob}
    leaders = [None, city.pat, city.mayor]
    sources = {
        TaskOrigin.MEETING: [DeadlineSource.EXECUTIVE_MEETING, DeadlineSource.TOPIC_MEETING],
        TaskOrigin.WORK_REPORT: [DeadlineSource.WORK_REPORT],
        TaskOrigin.INSTRUCTION: [DeadlineSource.PRINCIPAL_INSTRUCTION, ""],
    }
    tasks: list[Task] = []

    def create():
        origin = rng.choice(list(sources))
        milestones = []
        if rng.random() < 0.4:
            milestones = [(today + datetime.timedelta(days=rng.randint(-20, 20)), 50, "过半")]
        tasks.append(
            services.task_create(
                by=city.alice,
                title=f"任务{len(tasks)}",
                lead_unit=rng.choice(units),
                co_units=rng.sample([city.unit_a, city.unit_b, unit_c], rng.randint(0, 2)),
                origin=origin,
                deadline_source=rng.choice(sources[origin]),
                lead_leader=rng.choice(leaders),
                year=rng.choice([2025, 2026]),
                milestones=milestones,
            )
        )

    def act(task: Task):
        task.refresh_from_db()
        head = staff[task.lead_unit_id]
        state = task.state
        choice = rng.random()
        if state == TaskState.DRAFT:
            if choice < 0.9:
                services.task_assign(
                    task=task,
                    by=city.alice,
                    assigned_on=today - datetime.timedelta(days=rng.randint(0, 90)),
                    deadline=today + datetime.timedelta(days=rng.randint(-5, 40)),
                )
            else:
                services.task_cancel(task=task, by=city.mayor, reason="撤销")
        elif state == TaskState.ASSIGNED:
            services.task_acknowledge(task=task, by=head)
        elif state in {TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.RETURNED}:
            if choice < 0.3:
                services.task_report_progress(
                    task=task, by=head, text="进展", percent=rng.choice([10, 40, 60, 90])
                )
            elif choice < 0.6:
                services.task_request_closure(task=task, by=head, summary="已完成")
            elif choice < 0.7 and task.deadline >= today:
                request = services.task_request_extension(
                    task=task,
                    by=head,
                    proposed_deadline=task.deadline + datetime.timedelta(days=10),
                    reason="需要时间",
                )
                services.task_decide_extension(
                    request=request, by=city.mayor, approve=rng.random() < 0.7, note="意见"
                )
            elif choice < 0.75:
                services.task_suspend(task=task, by=city.mayor, reason="暂停")
            elif choice < 0.93:
                services.task_update(
                    task=task,
                    by=city.alice,
                    changes={
                        "lead_unit": rng.choice(units),
                        "lead_leader": rng.choice(leaders),
                    },
                    co_units=rng.sample([city.unit_a, city.unit_b, unit_c], rng.randint(0, 2)),
                )
            else:
                services.task_cancel(task=task, by=city.mayor, reason="撤销")
        elif state == TaskState.CLOSURE_REQUESTED:
            if choice < 0.7:
                services.task_close(task=task, by=city.alice)
            else:
                services.task_return(task=task, by=city.alice, reason="材料不全")
        elif state == TaskState.SUSPENDED:
            services.task_resume(task=task, by=city.mayor)
        elif state == TaskState.CLOSED and choice < 0.1:
            services.task_reopen(
                task=task,
                by=city.alice,
                reason="不满意",
                deadline=today + datetime.timedelta(days=rng.randint(0, 20)),
            )

    for _step in range(steps):
        roll = rng.random()
        if not tasks or roll < 0.2:
            create()
        elif roll < 0.25:
            services.due_states_refresh(as_of=today + datetime.timedelta(days=rng.randint(-3, 30)))
        else:
            with contextlib.suppress(ValidationError, services.TaskActionError):
                act(rng.choice(tasks))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_stay_exact_through_any_series_of_operations(city, seed):
    rng = random.Random(seed)
    _random_operations(city, rng, steps=110)
    seen = set(Tally.objects.filter(grain="all", count__gt=0).values_list("standing", flat=True))
    assert_tallies_exact()
    # A sweep a month on, as the last operation: lights turn red.
    services.due_states_refresh(as_of=timezone.localdate() + datetime.timedelta(days=30))
    seen |= set(Tally.objects.filter(grain="all", count__gt=0).values_list("standing", flat=True))
    # The series reaches the standings that matter, so the checks are not vacuous.
    assert {Standing.CLOSED, Standing.OVERDUE, Standing.ON_SCHEDULE} <= seen
    assert Tally.objects.filter(grain="co_unit", count__gt=0).exists()
    assert_tallies_exact()


def test_tallies_are_exact_after_every_single_operation(city):
    rng = random.Random(7)
    for _round in range(30):
        _random_operations(city, rng, steps=3)
        expected = tallies.counts_from_tasks()
        assert tallies.counts_in_tallies() == expected


def _tasks_turning_red(city, count: int) -> datetime.date:
    today = timezone.localdate()
    for n in range(count):
        task = services.task_create(
            by=city.alice, title=f"任务{n}", lead_unit=city.unit_a, origin=TaskOrigin.MEETING
        )
        services.task_assign(
            task=task, by=city.alice, deadline=today + datetime.timedelta(days=30 + n)
        )
    return today + datetime.timedelta(days=40)


def test_the_daily_refresh_adds_the_difference_of_the_lights_it_changes(city, monkeypatch):
    later = _tasks_turning_red(city, 3)
    rebuilds = []
    monkeypatch.setattr(tallies, "rebuild", lambda *args: rebuilds.append(args))

    assert services.due_states_refresh(as_of=later) == 3

    assert rebuilds == []
    assert counted("all") == {Standing.OVERDUE: 3}
    monkeypatch.undo()
    assert_tallies_exact()


def test_a_refresh_changing_more_tasks_than_the_limit_recounts_every_tally(city, monkeypatch):
    later = _tasks_turning_red(city, 3)
    monkeypatch.setattr(services, "TALLY_DIFFERENCE_LIMIT", 2)
    rebuild, rebuilds = tallies.rebuild, []
    monkeypatch.setattr(tallies, "rebuild", lambda: rebuilds.append(rebuild()))

    assert services.due_states_refresh(as_of=later) == 3

    assert len(rebuilds) == 1
    assert counted("all") == {Standing.OVERDUE: 3}
    assert_tallies_exact()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_person_acting_while_the_daily_refresh_runs_leaves_the_tallies_exact(city):
    later = _tasks_turning_red(city, 3)
    task = Task.objects.order_by("pk").first()
    locked = threading.Event()
    errors = []

    def person():
        # Holds the task as a service does, while the refresh starts and waits for it.
        try:
            with transaction.atomic():
                Task.objects.select_for_update().get(pk=task.pk)
                locked.set()
                time.sleep(0.5)
                services.task_cancel(
                    task=Task.objects.get(pk=task.pk), by=city.mayor, reason="撤销"
                )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    def refresh():
        try:
            locked.wait(timeout=10)
            services.due_states_refresh(as_of=later)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=person), threading.Thread(target=refresh)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert counted("all") == {Standing.CANCELLED: 1, Standing.OVERDUE: 2}
    assert_tallies_exact()
