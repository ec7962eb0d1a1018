import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from issuance.models import CustomsOffice
from issuance.selectors import customs_office_list
from pcc_portal.exceptions import ApplicationError
from staff.roles import Role
from staff.services import staff_account_create

PASSWORD_VARIABLE = "STAFF_PASSWORD"  # noqa: S105 (the name of a variable, not a password)


class Command(BaseCommand):
    help = (
        "Create a staff account with a role (logged in the role-change log as granted by 'system'). "
        f"The password is asked for, or read from {PASSWORD_VARIABLE} with --no-input or when not at a terminal. "
        "The person sets up their authenticator app at their first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--office", help="customs office code (counter officers and supervisors)")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help=f"read the password from {PASSWORD_VARIABLE}"
        )

    def handle(self, *args, username: str, role: str, office: str | None, interactive: bool, **options):
        customs_office = office_by_code(office) if office else None
        password = self.read_password(interactive=interactive and sys.stdin.isatty())
        try:
            staff_account_create(username=username, password=password, role=role, office=customs_office, by=None)
        except ValidationError as error:  # the password validators (12+ characters, not common…)
            raise CommandError(" ".join(error.messages)) from None
        except ApplicationError as error:
            raise CommandError(str(error.message)) from None
        where = f" at {customs_office.code}" if customs_office else ""
        self.stdout.write(f"Created staff account {username!r}: {role}{where}.")
        self.stdout.write(
            "At their first sign-in (/staff/login/) they will set up an authenticator app by scanning a QR code."
        )

    def read_password(self, *, interactive: bool) -> str:
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"Not at a terminal: set {PASSWORD_VARIABLE} to the new account's password.")
            return password
        password = getpass.getpass("Password (at least 12 characters; a long passphrase is best): ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords are not the same.")
        return password


def office_by_code(code: str) -> CustomsOffice:
    customs_office = customs_office_list().filter(code=code).first()
    if customs_office is None:
        codes = ", ".join(customs_office_list().order_by("code").values_list("code", flat=True))
        raise CommandError(f"No customs office has the code {code!r}. Codes: {codes}.")
    return customs_office
