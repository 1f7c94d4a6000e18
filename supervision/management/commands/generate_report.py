import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from supervision import reports
from supervision.models import ReportKind

# The command's names for the kinds; `meeting` is the report on an executive meeting.
KINDS = {
    "monthly": ReportKind.MONTHLY_BULLETIN,
    "quarterly": ReportKind.QUARTERLY_REVIEW,
    "half-year": ReportKind.HALF_YEAR,
    "year-end": ReportKind.YEAR_END,
    "meeting": ReportKind.EXECUTIVE_MEETING,
}


class Command(BaseCommand):
    help = (
        "Generate a periodic report for a period (or the report on an executive meeting), "
        "as the scheduled jobs do: monthly --period 2026-10, quarterly --period 2026-Q3, "
        "half-year --period 2026, year-end --period 2026, meeting --meeting <id>; or "
        "--due [--date D] for whatever the schedule generates on a day. Safe to run again: "
        "a period has one report, and regenerating replaces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--period", help="2026-10, 2026-Q3, 2026-H1 or 2026")
        parser.add_argument("--meeting", type=int, help="the executive meeting reported on")
        parser.add_argument(
            "--due", action="store_true", help="only what the schedule generates on --date"
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="with --due, the day (default today); with meeting, figures as of (today)",
        )

    def handle(self, *args, kind, period=None, meeting=None, due=False, date=None, **options):
        kind = KINDS[kind]
        # Reports are official documents in the office's language, whoever runs this.
        with translation.override(settings.LANGUAGE_CODE):
            generated = self.generate(kind, period, meeting, due, date)
        for report in generated:
            self.stdout.write(f"{report.pk}: {report.title} (as of {report.as_of})")
        if not generated:
            self.stdout.write("nothing due")

    def generate(self, kind, period, meeting, due, date):
        today = date or timezone.localdate()
        if due:
            if kind == ReportKind.EXECUTIVE_MEETING:
                return reports.executive_meeting_reports_generate_due(today=today)
            return reports.reports_generate_due(kind=kind, today=today)
        if kind == ReportKind.EXECUTIVE_MEETING:
            from meetings.models import Meeting

            if meeting is None:
                raise CommandError("Give --meeting <id> (or --due).")
            try:
                reported = Meeting.objects.get(pk=meeting)
            except Meeting.DoesNotExist as error:
                raise CommandError(f"No meeting {meeting}.") from error
            return [reports.report_generate(kind=kind, meeting=reported, as_of=today)]
        if not period:
            raise CommandError("Give --period (or --due).")
        try:
            parsed = reports.parse_period(kind, period)
        except ValueError as error:
            raise CommandError(str(error)) from error
        return [reports.report_generate(kind=kind, period=parsed)]
