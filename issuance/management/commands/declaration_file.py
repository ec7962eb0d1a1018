"""`manage.py declaration_file CODE NUMBER [--kind import|export] [--goods TEXT]`: record a declaration
filed with a code, as the clearance system does (the API arrives with the integration issue). The holder
who opted in gets one masked SMS through the notices outbox."""

from django.core.management.base import BaseCommand, CommandError

from issuance.models import DeclarationKind
from issuance.selectors import code_get_by_number
from issuance.services import declaration_record
from pcc_portal.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Record a declaration filed with a code (usage history, SMS notice to a holder who opted in)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the Personal Customs Code, P + 12 digits")
        parser.add_argument("number", help="the declaration number, e.g. 12345-26-000001M")
        parser.add_argument("--kind", choices=DeclarationKind.values, default=DeclarationKind.IMPORT)
        parser.add_argument("--goods", default="", help="a short description of the goods")

    def handle(self, *args, code: str, number: str, kind: str, goods: str, **options):
        found = code_get_by_number(code)
        if found is None:
            raise CommandError("No code with this number has been issued.")
        try:
            declaration = declaration_record(code=found, number=number, kind=kind, goods_summary=goods)
        except ApplicationError as error:
            raise CommandError(str(error)) from None
        notices = declaration.code.notices.filter(idempotency_key__startswith=f"declaration:{declaration.pk}:")
        self.stdout.write(f"Declaration {declaration.number} recorded; notices: {notices.count()}")
