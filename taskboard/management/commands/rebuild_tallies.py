import time

from django.core.management.base import BaseCommand

from taskboard import tallies


class Command(BaseCommand):
    help = (
        "Recount the dashboard's tallies from the tasks (after a bulk load or a restore). "
        "The services keep them exact as tasks change, so this is never needed day to day."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = tallies.rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{rows} tally rows written in {seconds:.2f} s")
