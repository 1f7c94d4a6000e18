import datetime
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from supervision.choices import WarningKind
from supervision.sweep import sweep
from taskboard.choices import Role, UnitKind
from taskboard.models import Profile, Unit
from taskboard.services import last_reports_refresh

User = get_user_model()

# A Monday on which every warning kind fires, report reminders for the week, the month
# and the quarter included: the heaviest kind of day.
DEFAULT_DATE = datetime.date(2026, 9, 28)

# The data set, written straight to the tables (a benchmark, not a ledger): open tasks
# spread over 400 days of deadlines (a tenth overdue), 2 % not yet acknowledged, 85 %
# with a progress report this month, a twentieth with a milestone at 60 % due.
TASKS_SQL = """
INSERT INTO taskboard_task (
    year, code, title, requirement, origin, deadline_source, assigned_on, deadline,
    original_deadline, feedback_cadence, publicly_listed, state, due_state, version,
    created_at, updated_at, lead_unit_id
)
SELECT 2026, 'B' || i, 'bench task ' || i, '', 'meeting', '',
       LEAST(%(as_of)s::date - 20 - (i %% 200)::int, deadline), deadline, deadline,
       CASE WHEN (i * 13) %% 20 < 14 THEN 'monthly' WHEN (i * 13) %% 20 < 17 THEN 'quarterly'
            WHEN (i * 13) %% 20 < 19 THEN 'weekly' ELSE 'once' END,
       i %% 23 = 0,
       CASE WHEN (i * 7) %% 100 < 2 THEN 'assigned' WHEN (i * 7) %% 100 < 40 THEN 'acknowledged'
            WHEN (i * 7) %% 100 < 90 THEN 'in_progress'
            WHEN (i * 7) %% 100 < 95 THEN 'closure_requested' ELSE 'returned' END,
       'none', 1, now(), now(), units.ids[1 + i %% units.n]
FROM (SELECT i, %(as_of)s::date - 40 + ((i * 7919) %% 400)::int AS deadline
      FROM generate_series(1::bigint, %(tasks)s) AS i) AS t,
     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n
      FROM taskboard_unit WHERE name LIKE 'bench unit %%') AS units
"""

REPORTS_SQL = """
INSERT INTO taskboard_progressreport (
    reported_at, text, percent, is_repeat, reporter_id, task_id, unit_id
)
SELECT (%(as_of)s::date - (id %% 20)::int)::timestamp + interval '2 hours',
       '', (id %% 10) * 10, false, %(reporter)s, id, lead_unit_id
FROM taskboard_task
WHERE state IN ('acknowledged', 'in_progress', 'closure_requested', 'returned')
  AND (id * 17) %% 100 < 85
"""

MILESTONES_SQL = """
INSERT INTO taskboard_milestone (task_id, planned_on, percent, description)
SELECT id, %(as_of)s::date - 5, 60, '' FROM taskboard_task WHERE id %% 20 = 0
"""


class Command(BaseCommand):
    help = (
        "Benchmark the daily sweep on PostgreSQL: generate N open tasks, sweep a date "
        "twice, print the figures. Wipes the tasks of the database it runs against, so it "
        "refuses a database whose name does not contain 'bench'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=1_000_000)
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=DEFAULT_DATE)
        parser.add_argument("--units", type=int, default=300)

    def handle(self, *args, tasks, date, units, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError("Run against a PostgreSQL database whose name contains 'bench'.")
        self.timed("generate", lambda: self.generate(tasks=tasks, units=units, as_of=date))
        previous = date - datetime.timedelta(days=1)
        self.timed(f"sweep {previous} (yesterday, set-up)", lambda: sweep(as_of=previous))
        self.timed("vacuum analyze", self.vacuum)
        first = self.timed(f"sweep {date} (first run)", lambda: sweep(as_of=date))
        second = self.timed(f"sweep {date} (second run)", lambda: sweep(as_of=date))
        written = sum(second.values())
        self.stdout.write(f"second run wrote {written} rows")
        warnings = sum(first.get(kind, 0) for kind in WarningKind.values)
        self.stdout.write(f"tasks {tasks}, warnings {warnings}, lights changed {first['lights']}")
        if written:
            raise CommandError("The second run for the same date wrote rows.")

    def timed(self, label, work):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        suffix = f"  {result}" if isinstance(result, dict) else ""
        self.stdout.write(f"{label}: {seconds:.2f} s{suffix}")
        return result

    def generate(self, *, tasks: int, units: int, as_of: datetime.date) -> None:
        with connection.cursor() as cursor:
            # Notices and everything else about tasks goes with them; warnings keep no
            # foreign key (see supervision/models/warnings.py), so they are named.
            cursor.execute(
                "TRUNCATE taskboard_task, supervision_taskwarning, supervision_sweeprun CASCADE"
            )
        Unit.objects.bulk_create(
            [
                Unit(name=f"bench unit {n:04d}", kind=UnitKind.DEPARTMENT)
                for n in range(1, units + 1)
            ],
            ignore_conflicts=True,
        )
        staff = []
        for unit in Unit.objects.filter(name__startswith="bench unit "):
            for role in (Role.UNIT_HEAD, Role.UNIT_LIAISON):
                user, _ = User.objects.get_or_create(username=f"bench-{role}-{unit.pk}")
                staff.append(Profile(user=user, role=role, unit=unit))
        Profile.objects.bulk_create(staff, ignore_conflicts=True)
        reporter = User.objects.filter(username__startswith="bench-").first()
        params = {"as_of": as_of, "tasks": tasks, "reporter": reporter.pk}
        with connection.cursor() as cursor:
            for sql in (TASKS_SQL, REPORTS_SQL, MILESTONES_SQL):
                cursor.execute(sql, params)
        last_reports_refresh()

    def vacuum(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
