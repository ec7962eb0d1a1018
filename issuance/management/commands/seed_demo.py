import json
from pathlib import Path
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError

from issuance.demo import (
    DEMO_CERTIFICATE_PASSWORD,
    DEMO_PEOPLE,
    DemoDataRefused,
    demo_api_client_key,
    demo_certificates_write,
    demo_data_seed,
    demo_holders_export,
)


class Command(BaseCommand):
    help = "Create the demo people, holders and staff (idempotent). --json prints the demo holders."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the demo holders as JSON only")
        parser.add_argument(
            "--certificates-dir",
            default=None,
            help="where to write the demo joint-certificate files (default var/demo-certificates)",
        )
        parser.add_argument("--no-certificates", action="store_true", help="do not write demo certificate files")

    def handle(self, *args, json: bool = False, no_certificates: bool = False, certificates_dir=None, **options):
        try:
            logins = demo_data_seed()
        except DemoDataRefused as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps({"holders": demo_holders_export()}))
            return
        directory = Path(certificates_dir) if certificates_dir else None
        certificates = [] if no_certificates else demo_certificates_write(directory)
        self.stdout.write("Demo data ready (fictional people).")
        self.stdout.write("Staff logins at /staff/login/ (demo only): password, then a code from an authenticator app")
        self.stdout.write("  set up with the TOTP secret below, or from `manage.py demo_totp_code USERNAME`:")
        for login in logins:
            office = f" @ {login['office']}" if login["office"] else ""
            self.stdout.write(
                f"  {login['username']:<18} {login['password']}  TOTP {login['totp_secret']}  ({login['role']}{office})"
            )
        self.stdout.write("Demo people for the online journeys (name as on the card, registration number, phone):")
        for person in DEMO_PEOPLE:
            note = (
                " — enrolled in identity-theft protection: the real-name check refuses"
                if (person.identity_theft_protection)
                else (" — phone registered under another name" if person.subscriber_name else "")
            )
            self.stdout.write(f"  {person.name:<20} {person.rrn}  {person.phone} ({person.telecom}){note}")
        self.stdout.write("  SMS codes and app requests: the simulated phone at /dev/phone/ (DEBUG only).")
        if certificates:
            self.stdout.write(
                f"Joint-certificate files (password {DEMO_CERTIFICATE_PASSWORD}): {certificates[0].parent}/"
            )
        self.stdout.write("Demo holders:")
        holders = demo_holders_export()
        for holder in holders:
            self.stdout.write(
                f"  {holder['code']}  {holder['status']:<10} {holder['english_name']:<22} "
                f"{holder['rrn'] or holder['passport_number']}  {holder['phone']}  {holder['postcode']}"
            )
        key = demo_api_client_key()
        self.stdout.write("Demo forwarder API key (new at every seeding; verify, declare, bulk):")
        self.stdout.write(f"  {key}")
        active = next((h for h in holders if h["status"] == "active" and h["rrn"]), None)
        if active:
            query = urlencode(
                {
                    "crkyCn": key,
                    "persEcm": active["code"],
                    "pltxNm": active["english_name"],
                    "cralTelno": active["phone"].replace("-", ""),
                    "custPsno": active["postcode"],
                }
            )
            self.stdout.write("  UNI-PASS-compatible check (XML, as existing forwarder clients call it):")
            self.stdout.write(f"    /ext/rest/persEcmQry/retrievePersEcm?{query}")
        self.stdout.write("  JSON API documentation: /api/docs/")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
