import datetime

from django.core.management.base import BaseCommand, CommandError

from issuance.services import codes_process_expiry


class Command(BaseCommand):
    help = "Expire codes past their date and terminate those 30 days past it (DOMAIN.md §3). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD; defaults to today in Korea")

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date like 2026-11-24.") from None
        counts = codes_process_expiry(today=day)
        self.stdout.write(f"Expired {counts['expired']} codes; terminated {counts['terminated']} codes.")
