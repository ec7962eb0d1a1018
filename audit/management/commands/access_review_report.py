"""`manage.py access_review_report [--month YYYY-MM]`: the monthly review of the access records
(audit/report.py) as text, for an operator or a scheduled mail. Without --month, the last whole month.
Reading the report is an audit activity like the page, so it writes one access record (actor: system)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from audit.models import AccessAction, AccessPurpose, ActorType
from audit.report import REPORT_RECORD_TYPE, ReviewMonth, access_review_report
from audit.services import access_record_write


class Command(BaseCommand):
    help = "Print the monthly review report of the access records (unusual patterns to look at)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM, Korean calendar month (default: the last whole month)")
        parser.add_argument("--language", choices=["ko", "en"], default="en", help="language of the report (en)")

    def handle(self, *args, month=None, language="en", **options):
        with translation.override(language):
            self._report(month)

    def _report(self, month):
        try:
            chosen = ReviewMonth.parse(month) if month else ReviewMonth.previous()
        except ValueError:
            raise CommandError("--month must be a month as YYYY-MM, for example 2026-03.") from None
        report = access_review_report(month=chosen)
        access_record_write(
            user=None,
            ip_address=None,
            action=AccessAction.VIEW,
            purpose=AccessPurpose.AUDIT,
            record_type=REPORT_RECORD_TYPE,
            record_id=str(chosen),
            fields=[section.key for section in report.sections],
            actor_type=ActorType.SYSTEM,
            actor_name="manage.py access_review_report",
        )
        self.stdout.write(
            f"Access review report for {chosen} ({chosen.first_day} to {chosen.last_day}, Korean dates; times in UTC)"
        )
        for section in report.sections:
            self.stdout.write("")
            self.stdout.write(f"== {section.title} ({len(section.rows)})")
            self.stdout.write(str(section.explanation))
            if not section.rows:
                self.stdout.write("Nothing unusual.")
                continue
            self.stdout.write(" | ".join(str(column) for column in section.columns))
            for row in section.rows:
                self.stdout.write(" | ".join(cell or "-" for cell in row.cells))
        self.stdout.write("")
        self.stdout.write(f"{report.flagged} entries to review.")
