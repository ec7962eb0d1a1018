"""`manage.py create_api_client NAME [--scopes verify,declare,bulk] [--rate-limit 600/m]`: prints the key once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from clearance.services import api_client_create


class Command(BaseCommand):
    help = "Create an API client (forwarder or clearance system) and print its key, which is shown only once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", default="verify", help="comma-separated: verify, declare, bulk")
        parser.add_argument("--rate-limit", default="", help="e.g. 600/m; default: API_RATE_LIMIT")

    def handle(self, *args, name, scopes, rate_limit, **options):
        with translation.override("en"):
            try:
                client, key = api_client_create(name=name, scopes=scopes.split(","), rate_limit=rate_limit)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created API client {client.name!r} (scopes: {', '.join(client.scopes)}).")
        self.stdout.write(f"Key (shown once, store it now): {key}")
