import datetime

from django.core.management.base import BaseCommand

from taskboard.services import due_states_refresh


class Command(BaseCommand):
    help = "Recompute every task's light (green/yellow/red) for a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, date=None, **options):
        from django.utils import timezone

        as_of = date or timezone.localdate()
        changed = due_states_refresh(as_of=as_of)
        self.stdout.write(f"{as_of}: {changed} task lights changed")
