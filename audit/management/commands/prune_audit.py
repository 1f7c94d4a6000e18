import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import RetentionTooShort, records_prune


class Command(BaseCommand):
    help = (
        "Delete audit records older than AUDIT_RETENTION_DAYS (at least 180) before now, "
        "or before --date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="count the retention back from the start of this day (YYYY-MM-DD)",
        )
        parser.add_argument("--days", type=int, help="retention in days (at least 180)")

    def handle(self, *args, date=None, days=None, **options):
        now = timezone.now()
        if date is not None:
            now = timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
        try:
            deleted = records_prune(now=now, days=days)
        except RetentionTooShort as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Deleted {deleted} audit records.")
