import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.sweep import sweep_range


class Command(BaseCommand):
    help = (
        "Run the daily sweep (lights, warnings, notices) for a date or a range of dates, "
        "e.g. to catch up after downtime. Safe to run again: nothing is written twice."
    )

    def add_arguments(self, parser):
        day = datetime.date.fromisoformat
        parser.add_argument("--date", type=day, help="the date to sweep (default: today)")
        parser.add_argument("--from", dest="start", type=day, help="first date of a range")
        parser.add_argument("--to", dest="end", type=day, help="last date (default: today)")

    def handle(self, *args, date=None, start=None, end=None, **options):
        if date and (start or end):
            raise CommandError("Give either --date or --from/--to, not both.")
        today = timezone.localdate()
        if date:
            start = end = date
        else:
            start, end = start or end or today, end or today
        if start > end:
            raise CommandError("--from must not be after --to.")
        for day, counts in sweep_range(start=start, end=end).items():
            figures = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.stdout.write(f"{day}: {figures}")
