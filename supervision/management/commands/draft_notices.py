import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from supervision.notices import draft_due_notices


class Command(BaseCommand):
    help = (
        "Draft the urge and supervise notices due on a date (the daily sweep does this too). "
        "Safe to run again: each task gets one draft per kind and deadline."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="the date (default: today)"
        )

    def handle(self, *args, date=None, **options):
        day = date or timezone.localdate()
        counts = draft_due_notices(as_of=day)
        figures = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"{day}: {figures}")
