import datetime

from django.core.management.base import BaseCommand

from taskboard.tasks import check_calendar_coverage


class Command(BaseCommand):
    help = "Report whether this year's and next year's working days are known."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, date=None, **options):
        missing = check_calendar_coverage(date.isoformat() if date else None)
        if missing:
            self.stdout.write(f"provisional: {', '.join(map(str, missing))}")
        else:
            self.stdout.write("calendar known for this year and next")
