import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from taskboard import services, tallies
from taskboard.choices import FeedbackCadence, Role, TaskOrigin, TaskState, UnitKind
from taskboard.management.commands.seed_demo import DEMO_PASSWORD, PORTFOLIOS
from taskboard.models import Profile, Task, Unit

User = get_user_model()

# States of the extra ledger rows, in the proportions of a city's year.
EXTRA_STATES = [
    (TaskState.ASSIGNED, 5),
    (TaskState.ACKNOWLEDGED, 20),
    (TaskState.IN_PROGRESS, 45),
    (TaskState.CLOSURE_REQUESTED, 5),
    (TaskState.RETURNED, 3),
    (TaskState.CLOSED, 22),
]


class Command(BaseCommand):
    help = (
        "Prepare a load-test database on top of the demo city: N load units, each with a "
        "head (password of the demo) and tasks of its own acknowledged through the "
        "services, plus extra ledger rows; write the accounts for Locust as JSON. "
        "Refuses a database whose name does not contain 'load'. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--heads", type=int, default=40)
        parser.add_argument("--tasks-per-head", type=int, default=3)
        parser.add_argument("--extra-tasks", type=int, default=3000)
        parser.add_argument(
            "--accounts",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "load" / "accounts.json",
        )

    def handle(self, *args, heads, tasks_per_head, extra_tasks, accounts, **options):
        if "load" not in str(connection.settings_dict["NAME"]):
            raise CommandError("Run against a database whose name contains 'load'.")
        office = User.objects.filter(username="office").first()
        if office is None:
            raise CommandError("Load the demo city first (seed_demo).")
        password = make_password(DEMO_PASSWORD)
        portfolio_leader = User.objects.get(username=next(iter(PORTFOLIOS)))
        plan = []
        for n in range(1, heads + 1):
            head, unit = self.head(n, password)
            portfolio_leader.profile.portfolio.add(unit)
            plan.append(
                {
                    "username": head.username,
                    "tasks": self.tasks(unit, head, office, n, tasks_per_head),
                }
            )
        self.extra(extra_tasks)
        services.due_states_refresh(as_of=timezone.localdate())
        # The extra rows are bulk-created, past the services that keep the tallies: recount
        # them here rather than count on the refresh happening to change a light.
        tallies.rebuild()
        accounts.parent.mkdir(parents=True, exist_ok=True)
        accounts.write_text(
            json.dumps(
                {"password": DEMO_PASSWORD, "heads": plan, "leaders": list(PORTFOLIOS)},
                indent=2,
            )
        )
        self.stdout.write(
            f"{heads} unit heads with {tasks_per_head} tasks each, "
            f"{Task.objects.count()} tasks in all; accounts in {accounts}"
        )

    def head(self, n: int, password: str):
        unit, _ = Unit.objects.get_or_create(
            name=f"压测单位{n:02d}",
            defaults={
                "short_name": f"压测{n:02d}",
                "kind": UnitKind.DEPARTMENT,
                "sort_order": 10_000 + n,
            },
        )
        head, created = User.objects.get_or_create(
            username=f"load_head_{n:02d}",
            defaults={"password": password, "first_name": f"压测{n:02d}"},
        )
        if not created:
            head.password = password
            head.save(update_fields=["password"])
        Profile.objects.get_or_create(
            user=head, defaults={"role": Role.UNIT_HEAD, "unit": unit, "title": "主要负责同志"}
        )
        return head, unit

    @transaction.atomic
    def tasks(self, unit, head, office, n: int, count: int) -> list[int]:
        """The head's own open tasks: nobody else reports on them, so no version clashes."""
        ids = list(
            Task.objects.filter(
                lead_unit=unit, state__in=[TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS]
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        today = timezone.localdate()
        while len(ids) < count:
            task = services.task_create(
                by=office,
                title=f"压测事项：{unit.name}第{len(ids) + 1}项重点工作",
                lead_unit=unit,
                origin=TaskOrigin.INSTRUCTION,
                deadline=today + datetime.timedelta(days=60 + n),
                feedback_cadence=FeedbackCadence.WEEKLY,
            )
            task = services.task_assign(task=task, by=office)
            services.task_acknowledge(task=task, by=head)
            ids.append(task.pk)
        return ids[:count]

    def extra(self, count: int) -> None:
        """Ledger rows over the demo units, written straight to the table (load data, not
        a ledger), so lists and dashboards have a year's worth to count."""
        existing = Task.objects.filter(code__startswith="L").count()
        units = list(Unit.objects.exclude(name__startswith="压测单位").order_by("pk"))
        today = timezone.localdate()
        states = [state for state, share in EXTRA_STATES for _ in range(share)]
        rows = []
        for i in range(existing, count):
            deadline = today + datetime.timedelta(days=(i * 37) % 300 - 60)
            assigned = min(deadline, today) - datetime.timedelta(days=20 + i % 40)
            rows.append(
                Task(
                    year=today.year,
                    code=f"L{i + 1:05d}",
                    title=f"压测台账事项{i + 1}",
                    origin=[TaskOrigin.MEETING, TaskOrigin.INSTRUCTION][i % 2],
                    lead_unit=units[i % len(units)],
                    state=states[i % len(states)],
                    assigned_on=assigned,
                    deadline=deadline,
                    original_deadline=deadline,
                    closed_at=timezone.now()
                    if states[i % len(states)] == TaskState.CLOSED
                    else None,
                )
            )
        Task.objects.bulk_create(rows, batch_size=1000)
