import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from taskboard import tallies
from taskboard.backups import SUMMARY_TABLES, BackupError, backup_read, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by dump_site. "
        "Checks every checksum first; asks for confirmation unless --yes is given. "
        "Stop the web, worker and beat processes before running it."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder written by dump_site")
        parser.add_argument("--yes", action="store_true", help="replace the data without asking")

    def handle(self, *args, folder, yes=False, **options):
        try:
            manifest = backup_read(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        backup = ", ".join(f"{key} {value}" for key, value in manifest["summary"].items())
        self.stdout.write(f"backup of {manifest['created_at']}: {backup}")
        self.stdout.write(f"now in {connection.settings_dict['NAME']}: {self._current()}")
        if not yes and not self._confirmed():
            raise CommandError("Nothing was changed: confirm with --yes to restore.")
        try:
            result = backup_restore(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        restored = ", ".join(f"{key} {value}" for key, value in result["summary"].items())
        self.stdout.write(self.style.SUCCESS(f"restored: {restored}"))
        if result["missing_files"]:
            self.stderr.write(
                f"{len(result['missing_files'])} stored files the rows name are missing, e.g. "
                + ", ".join(result["missing_files"][:5])
            )
        if result["unapplied_migrations"]:
            self.stdout.write(
                "The code has migrations the backup lacks: run `manage.py migrate` next, "
                "then `manage.py rebuild_tallies` if the dashboard's figures disagree."
            )
        else:
            self._tallies()

    def _tallies(self) -> None:
        """The dump holds the tally table from the same snapshot as the tasks (pg_dump
        --snapshot; SQLite's backup API), so a restore brings them back exact and needs no
        rebuild (6 s at a million tasks). They are recounted only if a cheap check finds
        them wrong: a backup of a database whose tallies were never built."""
        if tallies.totals_agree():
            self.stdout.write("dashboard tallies restored with the tasks: no recount needed")
            return
        rows = tallies.rebuild()
        self.stdout.write(f"dashboard tallies did not match the tasks: recounted ({rows} rows)")

    def _current(self) -> str:
        tables = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            figures = []
            for key, table in SUMMARY_TABLES.items():
                if table in tables:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                    figures.append(f"{key} {cursor.fetchone()[0]}")
        return ", ".join(figures) or "no tables"

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            return False
        answer = input("This replaces the whole database and every uploaded file. Type yes: ")
        return answer.strip().lower() == "yes"
