import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from supervision.models import ReportKind
from supervision.reports import month_period, monthly_bulletin_snapshot, report_generate
from taskboard.models import Task

from .bench_sweep import DEFAULT_DATE
from .bench_sweep import Command as SweepBench

# On top of the sweep's million open tasks (deadlines around DEFAULT_DATE): a tenth closed
# during the bulletin's month, each with its closing event, and one in a hundred changed
# after the month ended, so the bulletin reads history for them.
HISTORY_SQL = [
    """
    UPDATE taskboard_task
    SET state = 'closed',
        closed_at = (%(month_start)s::date + (id %% 28)::int)::timestamp + interval '3 hours'
    WHERE id %% 10 = 3
    """,
    """
    INSERT INTO taskboard_taskevent (task_id, kind, at, from_state, to_state, note, payload)
    SELECT id, 'closed', closed_at, 'closure_requested', 'closed', '', '{}'::jsonb
    FROM taskboard_task WHERE state = 'closed'
    """,
    """
    INSERT INTO taskboard_taskevent (task_id, kind, at, from_state, to_state, note, payload)
    SELECT id, 'progress_reported', %(after)s::timestamp, state, 'in_progress', '', '{}'::jsonb
    FROM taskboard_task WHERE id %% 100 = 7 AND state <> 'closed'
    """,
]


class Command(BaseCommand):
    help = (
        "Benchmark the monthly bulletin on PostgreSQL: uses the tasks `make bench` left in "
        "the database (or generates them), adds a month of closings and some later history "
        "once, then times the bulletin's figures and its generation. Refuses a database "
        "whose name does not contain 'bench'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=1_000_000)

    def handle(self, *args, tasks, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError("Run against a PostgreSQL database whose name contains 'bench'.")
        period = month_period(DEFAULT_DATE.year, DEFAULT_DATE.month)
        present = Task.objects.count()
        if present < tasks:
            self.timed(
                f"generate {tasks} tasks",
                lambda: SweepBench().generate(tasks=tasks, units=300, as_of=DEFAULT_DATE),
            )
        else:
            self.stdout.write(f"using the {present} tasks already there")
        if not Task.objects.filter(state="closed").exists():
            self.timed("add a month of closings and later history", lambda: self.history(period))
            self.timed("vacuum analyze", self.vacuum)
        self.stdout.write(
            f"monthly bulletin for {period.start:%Y-%m}, {Task.objects.count()} tasks"
        )
        figures = self.timed(
            "figures (first run)", lambda: monthly_bulletin_snapshot(period=period)
        )
        self.timed("figures (second run)", lambda: monthly_bulletin_snapshot(period=period))
        self.timed(
            "generate and store the report",
            lambda: report_generate(kind=ReportKind.MONTHLY_BULLETIN, period=period),
        )
        totals = figures["totals"]
        self.stdout.write(
            f"counted {totals['total']}, closed {totals['closed']} "
            f"({totals['completion_rate']}), overdue {totals['overdue']}, newly overdue "
            f"{totals['newly_overdue']}, closed in the month {totals['closed_in_period']}, "
            f"units {len(figures['by_unit'])}"
        )

    def timed(self, label, work):
        started = time.perf_counter()
        result = work()
        self.stdout.write(f"{label}: {time.perf_counter() - started:.2f} s")
        return result

    def history(self, period) -> None:
        params = {
            "month_start": period.start,
            "after": datetime.datetime.combine(period.end, datetime.time())
            + datetime.timedelta(days=5),
        }
        with connection.cursor() as cursor:
            for sql in HISTORY_SQL:
                cursor.execute(sql, params)

    def vacuum(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
