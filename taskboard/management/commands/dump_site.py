from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taskboard.backups import BackupError, backup_create, default_folder


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup on SQLite) and "
        "the uploaded files into a new folder, with a manifest of counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="a new or empty folder (default var/backups/duban-YYYYmmdd-HHMMSS)",
        )

    def handle(self, *args, output=None, **options):
        folder = output or default_folder()
        try:
            manifest = backup_create(into=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{key} {value}" for key, value in manifest["summary"].items())
        self.stdout.write(f"{manifest['engine']} database: {summary}")
        self.stdout.write(
            f"uploaded files: {manifest['media']['files']} ({manifest['media']['bytes']} bytes)"
        )
        self.stdout.write(self.style.SUCCESS(f"backup written to {folder}"))
