"""`manage.py verify_access_log`: walk the access-record chain and report the first broken link
(issue 5; ADR 0005). Exit status 0 when intact, 1 when broken, so a scheduler or monitor can alert."""

import sys

from django.core.management.base import BaseCommand

from audit.services import access_log_verify


class Command(BaseCommand):
    help = "Check the hash chain of the access records and report the first broken record."

    def handle(self, *args, **options):
        report = access_log_verify()
        if not report.intact:
            self.stderr.write(f"Access log BROKEN at record #{report.broken_at}: {report.problem}")
            sys.exit(1)
        start = f"from #{report.first_sequence}" if report.first_sequence is not None else "the log is empty"
        self.stdout.write(f"Access log intact: {report.checked} records checked ({start})")
