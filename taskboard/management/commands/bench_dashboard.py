"""Benchmark the leaders' dashboard on PostgreSQL at province scale.

`--generate` writes the data set straight to the tables (a benchmark, not a ledger; it
truncates the tasks, so the command refuses a database whose name lacks "bench"): 2,000
units, 40 portfolio leaders with 50 units each, 1,000,000 tasks of 2026 from every kind of
source in every standing, a fifth with a co-unit, 5,000,000 progress reports. Then the
tallies are rebuilt and the dashboard is requested N times per person through Django's test
client: server time median and p95, and the number of SQL queries of one request."""

from __future__ import annotations

import datetime
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from taskboard import tallies
from taskboard.choices import Role, UnitKind
from taskboard.models import Profile, Task, Unit
from taskboard.services import last_reports_refresh

User = get_user_model()

TASKS_SQL = """
INSERT INTO taskboard_task (
    year, code, title, requirement, origin, deadline_source, assigned_on, deadline,
    original_deadline, feedback_cadence, publicly_listed, state, due_state, version,
    created_at, updated_at, lead_unit_id, lead_leader_id
)
SELECT 2026, 'D' || i, 'dashboard bench task ' || i, '', kind.origin, kind.source,
       CASE WHEN t.state = 'draft' THEN NULL ELSE t.assigned_on END,
       CASE WHEN t.state = 'draft' THEN NULL ELSE t.deadline END,
       CASE WHEN t.state = 'draft' THEN NULL ELSE t.deadline END,
       'monthly', false, t.state,
       CASE WHEN t.state NOT IN ('assigned', 'acknowledged', 'in_progress',
                                 'closure_requested', 'returned') THEN 'none'
            WHEN t.deadline < %(as_of)s::date THEN 'red'
            WHEN t.deadline <= %(as_of)s::date + 4 OR i %% 20 = 0 THEN 'yellow'
            ELSE 'green' END,
       1, now(), now(), units.ids[1 + t.unit_index],
       CASE WHEN i %% 11 = 0 THEN NULL
            ELSE leaders.ids[1 + t.unit_index %% leaders.n] END
FROM (
    SELECT i, (i * 7) %% %(units)s AS unit_index,
           DATE '2026-01-05' + ((i * 31) %% 320)::int AS assigned_on,
           DATE '2026-01-05' + ((i * 31) %% 320)::int + 30 + (i %% 120)::int AS deadline,
           CASE WHEN (i * 13) %% 100 < 55 THEN 'closed'
                WHEN (i * 13) %% 100 < 60 THEN 'draft'
                WHEN (i * 13) %% 100 < 62 THEN 'suspended'
                WHEN (i * 13) %% 100 < 63 THEN 'cancelled'
                WHEN (i * 13) %% 100 < 70 THEN 'acknowledged'
                WHEN (i * 13) %% 100 < 95 THEN 'in_progress'
                ELSE 'closure_requested' END AS state
    FROM generate_series(1::bigint, %(tasks)s) AS i
) AS t
JOIN (VALUES
    (0, 'meeting', 'executive_meeting'), (1, 'meeting', 'executive_meeting'),
    (2, 'meeting', 'topic_meeting'), (3, 'meeting', 'topic_meeting'),
    (4, 'meeting', 'office_meeting'), (5, 'meeting', 'weekly_meeting'),
    (6, 'work_report', 'work_report'), (7, 'work_report', 'work_report'),
    (8, 'instruction', 'principal_instruction'), (9, 'instruction', 'portfolio_instruction'),
    (10, 'superior', 'superior'), (11, 'proposal', 'proposal'),
    (12, 'key_project', 'key_project'), (13, 'other', '')
) AS kind(k, origin, source) ON kind.k = t.i %% 14,
(SELECT array_agg(id ORDER BY id) AS ids FROM taskboard_unit
 WHERE name LIKE 'bench unit %%') AS units,
(SELECT array_agg(u.id ORDER BY u.username) AS ids, count(*) AS n FROM auth_user u
 WHERE u.username LIKE 'bench-leader-%%') AS leaders
"""

CO_UNITS_SQL = """
INSERT INTO taskboard_task_co_units (task_id, unit_id)
SELECT t.id, units.ids[1 + (array_position(units.ids, t.lead_unit_id) %% units.n::int)]
FROM taskboard_task t,
     (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM taskboard_unit
      WHERE name LIKE 'bench unit %%') AS units
WHERE t.id %% 5 = 0
"""

REPORTS_SQL = """
INSERT INTO taskboard_progressreport (
    reported_at, text, percent, is_repeat, reporter_id, task_id, unit_id
)
SELECT (COALESCE(t.assigned_on, DATE '2026-01-05') + (g / %(tasks)s * 15)::int)::timestamp
       + interval '9 hours',
       '', LEAST(100, (g / %(tasks)s + 1) * 18), false, %(reporter)s, t.id, t.lead_unit_id
FROM generate_series(0::bigint, %(reports)s - 1) AS g
JOIN taskboard_task t ON t.id = %(first)s + g %% %(tasks)s
"""

BEHIND_SQL = """
INSERT INTO taskboard_milestone (task_id, planned_on, percent, description)
SELECT id, %(as_of)s::date - 5, 100, '' FROM taskboard_task
WHERE id %% 20 = 0 AND due_state = 'yellow';
INSERT INTO taskboard_behindschedule (task_id)
SELECT id FROM taskboard_task WHERE id %% 20 = 0 AND due_state = 'yellow';
"""


class Command(BaseCommand):
    help = (
        "Benchmark the dashboard on PostgreSQL: optionally generate a province-scale data "
        "set, rebuild the tallies, time N requests per person. --generate truncates the "
        "tasks, so it refuses a database whose name does not contain 'bench'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true")
        parser.add_argument("--tasks", type=int, default=1_000_000)
        parser.add_argument("--reports", type=int, default=5_000_000)
        parser.add_argument("--units", type=int, default=2_000)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, default=datetime.date(2026, 11, 25)
        )

    def handle(self, *args, generate, tasks, reports, units, requests, date, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError("Run against a PostgreSQL database whose name contains 'bench'.")
        people = self.people(units=units)
        if generate:
            self.timed(
                "generate",
                lambda: self.generate(tasks=tasks, reports=reports, units=units, as_of=date),
            )
            self.timed("vacuum analyze", self.vacuum)
        self.stdout.write(
            f"tasks {Task.objects.count()}, progress reports "
            f"{self.count('taskboard_progressreport')}, units {Unit.objects.count()}"
        )
        written = self.timed("rebuild tallies", tallies.rebuild)
        self.stdout.write(f"tally rows {written}")
        self.timed("vacuum analyze", self.vacuum)
        self.timed(
            "group by over the tasks (what a request would cost without tallies)",
            self.plain_group_by,
        )
        url = reverse("taskboard:dashboard")
        cases = [
            ("principal leader", people["mayor"], {}),
            ("office", people["office"], {}),
            ("portfolio leader", people["leader"], {}),
            ("unit head", people["head"], {}),
            (
                "principal leader, q2 meetings",
                people["mayor"],
                {"period": "q2", "origin": "meeting"},
            ),
        ]
        # As in production: no debug, connections kept between requests (CONN_MAX_AGE).
        connection.settings_dict["CONN_MAX_AGE"] = None
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            for label, user, query in cases:
                self.bench(label, user, url, {"year": 2026, **query}, requests)

    def count(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            return cursor.fetchone()[0]

    def bench(self, label, user, url, query, requests) -> None:
        client = Client()
        client.force_login(user)
        response = client.get(url, query)
        if response.status_code != 200:
            raise CommandError(f"{label}: status {response.status_code}")
        # Counted by a wrapper: the test client resets connection.queries per request.
        queries = []
        with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
            client.get(url, query)
        times = []
        for _n in range(requests):
            started = time.perf_counter()
            client.get(url, query)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        self.stdout.write(
            f"dashboard, {label}: median {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms, {len(queries)} queries ({requests} requests)"
        )

    def timed(self, label, work):
        started = time.perf_counter()
        result = work()
        self.stdout.write(f"{label}: {time.perf_counter() - started:.2f} s")
        return result

    def people(self, *, units: int) -> dict:
        Unit.objects.bulk_create(
            [
                Unit(name=f"bench unit {n:04d}", kind=UnitKind.DEPARTMENT)
                for n in range(1, units + 1)
            ],
            ignore_conflicts=True,
        )
        unit_ids = list(
            Unit.objects.filter(name__startswith="bench unit ")
            .order_by("pk")
            .values_list("pk", flat=True)[:units]
        )
        leaders = []
        for n in range(40):
            user, _created = User.objects.get_or_create(username=f"bench-leader-{n:02d}")
            profile, _created = Profile.objects.get_or_create(
                user=user, defaults={"role": Role.PORTFOLIO_LEADER}
            )
            # The task generator gives unit k to leader k mod 40 (by username order).
            profile.portfolio.set(unit_ids[n::40])
            leaders.append(user)
        result = {"leader": leaders[0]}
        for key, username, role, unit in (
            ("mayor", "bench-mayor", Role.PRINCIPAL_LEADER, None),
            ("office", "bench-office", Role.OFFICE_STAFF, None),
            ("head", "bench-head", Role.UNIT_HEAD, unit_ids[0]),
        ):
            user, _created = User.objects.get_or_create(username=username)
            Profile.objects.get_or_create(user=user, defaults={"role": role, "unit_id": unit})
            result[key] = user
        return result

    def generate(self, *, tasks: int, reports: int, units: int, as_of: datetime.date) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE taskboard_task CASCADE")
            cursor.execute(TASKS_SQL, {"as_of": as_of, "tasks": tasks, "units": units})
            cursor.execute(CO_UNITS_SQL, {})
            cursor.execute("SELECT min(id), count(*) FROM taskboard_task")
            first, count = cursor.fetchone()
            reporter = User.objects.get(username="bench-head").pk
            cursor.execute(
                REPORTS_SQL,
                {"tasks": count, "reports": reports, "first": first, "reporter": reporter},
            )
            cursor.execute(BEHIND_SQL, {"as_of": as_of})
        last_reports_refresh()

    def plain_group_by(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT lead_unit_id, state, due_state, count(*) FROM taskboard_task "
                "WHERE year = 2026 GROUP BY lead_unit_id, state, due_state"
            )
            cursor.fetchall()

    def vacuum(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
