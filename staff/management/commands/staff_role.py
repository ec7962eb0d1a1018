from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pcc_portal.exceptions import ApplicationError
from staff.management.commands.staff_create import office_by_code
from staff.models import StaffProfile
from staff.roles import Role
from staff.services import staff_role_remove, staff_role_set


class Command(BaseCommand):
    help = (
        "Give, change (--role R [--office CODE]) or take away (--remove) the role of a staff account. Logged in "
        "the role-change log as done by 'system'; removing a role deactivates the account."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--role", choices=Role.values)
        action.add_argument("--remove", action="store_true")
        parser.add_argument("--office", help="customs office code (counter officers and supervisors)")

    def handle(self, *args, username: str, role: str | None, remove: bool, office: str | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}.")
        if remove:
            if office:
                raise CommandError("--office goes with --role, not with --remove.")
            if not StaffProfile.objects.filter(user=user).exists():
                raise CommandError(f"{username!r} has no staff role.")
            staff_role_remove(user=user, by=None)
            self.stdout.write(f"Removed the staff role of {username!r}; the account is deactivated.")
            return
        customs_office = office_by_code(office) if office else None
        try:
            profile = staff_role_set(user=user, role=role, office=customs_office, by=None)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from None
        where = f" at {profile.office.code}" if profile.office else ""
        self.stdout.write(f"{username!r} is now {profile.role}{where}.")
