"""`manage.py issue_demo_certificate --rrn 900101-5123456 --password … --out bundle.json`: a joint
certificate bundle for a demo person, from the installation's simulated CA (issue 4)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.identity import parse_resident_number
from verification.certificate_files import certificate_bundle_write
from verification.certificates import PASSWORD_MIN_LENGTH, certificate_issue_for_person
from verification.models import SimulatedRegistryPerson


class Command(BaseCommand):
    help = "Issue a SIMULATED joint certificate to a demo person and write its bundle file (.json)."

    def add_arguments(self, parser):
        parser.add_argument("--rrn", required=True, help="the demo person's registration number, 900101-5123456")
        parser.add_argument(
            "--password", required=True, help=f"the certificate password, {PASSWORD_MIN_LENGTH} characters or more"
        )
        parser.add_argument("--out", required=True, help="the bundle file to write, e.g. bundle.json")

    def handle(self, *args, rrn: str, password: str, out: str, **options):
        if not settings.PCC_DEMO_DATA_ALLOWED:
            raise CommandError("Demo certificates are refused here: PCC_DEMO_DATA_ALLOWED is off (production).")
        if len(password) < PASSWORD_MIN_LENGTH:
            raise CommandError(f"The password must have at least {PASSWORD_MIN_LENGTH} characters.")
        try:
            masked = parse_resident_number(rrn).masked
        except ValidationError:  # the RRN itself is never echoed
            raise CommandError("--rrn is not a registration number (13 digits, like 900101-5123456).") from None
        person = (
            SimulatedRegistryPerson.objects.select_related("data_key")
            .filter(resident_number_index=blind_index_of("resident_number", rrn))
            .first()
        )
        if person is None:
            raise CommandError(
                f"No demo person has the registration number {masked}. Run `manage.py seed_demo` and use "
                "one of the registration numbers it prints."
            )
        try:
            bundle = certificate_issue_for_person(person=person, password=password)
        except ApplicationError as error:
            with translation.override("en"):
                raise CommandError(str(error.message)) from None
        path = Path(out)
        certificate_bundle_write(bundle=bundle, path=path)
        self.stdout.write(
            f"Wrote a demo certificate for {masked} to {path}. Open /verify/certificate/ after the real-name "
            "check, choose “A file” and enter the password."
        )
