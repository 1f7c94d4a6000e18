import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from supervision.delivery import deliveries_send, digests_queue


class Command(BaseCommand):
    help = (
        "Create each person's daily digest (email, SMS) for a date and queue it for the "
        "workers, or send it here with --send-now. Safe to run again: a digest per person, "
        "channel and date is created and sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="the digest's date (default: today)"
        )
        parser.add_argument(
            "--send-now", action="store_true", help="send in this process instead of a worker"
        )

    def handle(self, *args, date=None, send_now=False, **options):
        day = date or timezone.localdate()
        ids = digests_queue(for_date=day)
        self.stdout.write(f"{day}: {len(ids)} digests queued")
        if send_now:
            counts = deliveries_send(ids=ids)
            figures = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
            self.stdout.write(f"{day}: {figures or 'nothing to send'}")
