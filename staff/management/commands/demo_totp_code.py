from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from staff.services import staff_totp_device


class Command(BaseCommand):
    help = "Demo only: print the current 6-digit sign-in code of a demo staff account (like its authenticator app)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.PCC_DEMO_DATA_ALLOWED:
            raise CommandError("Refused: this command is for demo data only (PCC_DEMO_DATA_ALLOWED is off).")
        user = get_user_model().objects.filter(username=username).first()
        device = staff_totp_device(user) if user else None
        if device is None:
            raise CommandError(f"No staff account with an authenticator is called {username!r}.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
