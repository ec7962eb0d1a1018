import json

from django.core.management.base import BaseCommand, CommandError

from issuance.demo import DemoDataRefused, demo_data_seed, demo_holders_export


class Command(BaseCommand):
    help = "Create the demo people, holders and staff (idempotent). --json prints the demo holders."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the demo holders as JSON only")

    def handle(self, *args, json: bool = False, **options):
        try:
            logins = demo_data_seed()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps({"holders": demo_holders_export()}))
            return
        self.stdout.write("Demo data ready (fictional people).")
        self.stdout.write("Staff logins (demo only):")
        for login in logins:
            office = f" @ {login['office']}" if login["office"] else ""
            self.stdout.write(f"  {login['username']:<20} {login['password']}  ({login['role']}{office})")
        self.stdout.write("Demo holders:")
        for holder in demo_holders_export():
            self.stdout.write(
                f"  {holder['code']}  {holder['status']:<10} {holder['english_name']:<22} "
                f"{holder['rrn'] or holder['passport_number']}  {holder['phone']}  {holder['postcode']}"
            )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
