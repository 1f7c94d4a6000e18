from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from supervision.schedule import BEAT_SCHEDULE, RETIRED_ENTRIES


class Command(BaseCommand):
    help = (
        "Install the beat schedule into django-celery-beat. Safe to run again: entries "
        "already there keep the changes made in the admin unless --reset is given; "
        "entries the code has retired are deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="overwrite admin changes")

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        for name, entry in BEAT_SCHEDULE.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                timezone=settings.TIME_ZONE,
                **{
                    "minute": "*",
                    "hour": "*",
                    "day_of_week": "*",
                    "day_of_month": "*",
                    "month_of_year": "*",
                    **entry["crontab"],
                },
            )
            fields = {
                "task": entry["task"],
                "crontab": crontab,
                "description": entry["description"],
            }
            if reset:
                PeriodicTask.objects.update_or_create(name=name, defaults=fields)
                self.stdout.write(f"reset {name}")
                continue
            _, created = PeriodicTask.objects.get_or_create(name=name, defaults=fields)
            self.stdout.write(f"{'installed' if created else 'kept'} {name}")
        retired = PeriodicTask.objects.filter(name__in=RETIRED_ENTRIES)
        for name in retired.values_list("name", flat=True):
            self.stdout.write(f"deleted retired {name}")
        retired.delete()
