"""Filing a declaration through the API (issue 7, DOMAIN.md §8): verify the code, record the
declaration against its holder (usage history, notice to a holder who opted in) and assess list
clearance and the duty/VAT estimate (seed 004, clearance/assessment.py)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from clearance import assessment, matching
from clearance.models import ApiClient, CheckChannel
from clearance.services import code_check
from issuance.codes import normalise_code
from issuance.models import ClearanceType, Declaration, DeclarationKind
from issuance.selectors import code_get_by_number
from issuance.services import declaration_record
from pcc_portal.exceptions import ApplicationError

VERIFICATION_FAILED = "PCC_VERIFICATION_FAILED"
NUMBER_TAKEN = "PCC_DECLARATION_NUMBER_TAKEN"


@dataclass(frozen=True)
class DeclarationInput:
    number: str
    kind: str
    clearance: str
    pcc: str
    consignee_name: str
    consignee_phone: str
    consignee_postcode: str
    supplier: str
    arrival_date: datetime.date
    items: tuple[assessment.Item, ...]
    shipped_from: str = ""
    usd_per_unit: Decimal | None = None
    exchange_rate: Decimal | None = None
    duty_rate: Decimal | None = None
    freight_krw: int = 0


@dataclass(frozen=True)
class Filing:
    declaration: Declaration
    created: bool
    list_clearance: assessment.ListClearance | None
    tax_estimate: assessment.TaxEstimate | None


def supplier_key(supplier: str) -> str:
    return "".join(supplier.split()).upper()[:200]


def _shipped_from(data: DeclarationInput) -> str:
    # Not given: the items' origin when they all share one (a US-made parcel usually leaves the US);
    # otherwise unknown, which gets the general USD 150 limit, never the larger US one by guess.
    if data.shipped_from:
        return data.shipped_from.upper()
    origins = {item.origin_country.upper() for item in data.items}
    return origins.pop() if len(origins) == 1 else ""


def _total_usd(data: DeclarationInput) -> Decimal | None:
    total = assessment.items_total(data.items)
    if data.items[0].currency == "USD":
        return total
    return total * data.usd_per_unit if data.usd_per_unit else None


def _same_day_prior_usd(*, declaration: Declaration) -> Decimal:
    """Earlier import declarations for the same consignee (holder), supplier and arrival date (합산)."""
    earlier = Declaration.objects.filter(
        code__holder_id=declaration.code.holder_id,
        kind=DeclarationKind.IMPORT,
        arrival_date=declaration.arrival_date,
        supplier_key=declaration.supplier_key,
        id__lt=declaration.pk,
    )
    return earlier.aggregate(total=Sum("total_usd"))["total"] or Decimal(0)


def _stored_items(declaration: Declaration) -> tuple[assessment.Item, ...]:
    return tuple(
        assessment.Item(
            description=item.description,
            hs_code=item.hs_code,
            quantity=item.quantity,
            price=item.price,
            currency=item.currency,
            origin_country=item.origin_country,
            excluded_category=item.excluded_category,
        )
        for item in declaration.items.all()
    )


def _assess(data: DeclarationInput, declaration: Declaration):
    """The assessment of the declaration as recorded: a repeated filing gets the first one's answer."""
    if declaration.kind != DeclarationKind.IMPORT:
        return None, None  # list clearance and duty concern imports only
    items = data.items if declaration.is_new else _stored_items(declaration)
    list_clearance = assessment.list_clearance_assess(
        items=items,
        shipped_from=declaration.shipped_from,
        usd_per_unit=data.usd_per_unit,
        same_day_prior_usd=_same_day_prior_usd(declaration=declaration),
    )
    wants_general = data.clearance == ClearanceType.GENERAL or list_clearance.applies is not True
    tax = None
    if wants_general and data.exchange_rate is not None and data.duty_rate is not None:
        tax = assessment.tax_estimate(
            items=items, exchange_rate=data.exchange_rate, duty_rate=data.duty_rate, freight_krw=data.freight_krw
        )
    return list_clearance, tax


def declaration_file(*, client: ApiClient, data: DeclarationInput, ip_address: str | None = None) -> Filing:
    """Verify the consignee against the code (DOMAIN.md §6) and record the declaration.

    A failed check raises PCC_VERIFICATION_FAILED (422) with its reasons and records nothing but the
    check itself. The declaration number is the idempotency key: the same number with the same code
    returns the first filing unchanged; with another code it is refused (409)."""
    existing = Declaration.objects.filter(number=data.number).select_related("code").first()
    if existing is not None and existing.code.number != normalise_code(data.pcc):
        raise ApplicationError(
            NUMBER_TAKEN,
            _("This declaration number was already filed with another code."),
            extra={"status": 409},
        )
    outcome = code_check(
        client=client,
        channel=CheckChannel.DECLARATION,
        number=data.pcc,
        name=data.consignee_name,
        phone=data.consignee_phone,
        postcode=data.consignee_postcode,
        ip_address=ip_address,
    )
    if not outcome.match:
        raise ApplicationError(
            VERIFICATION_FAILED,
            _("The code did not verify against the consignee, so the declaration was not recorded."),
            extra={
                "status": 422,
                "reasons": list(outcome.reasons),
                "details": matching.reason_messages(outcome.reasons),
            },
        )
    code = code_get_by_number(data.pcc)
    total = assessment.items_total(data.items)
    declaration = declaration_record(
        code=code,
        number=data.number,
        kind=data.kind,
        goods_summary=", ".join(item.description for item in data.items),
        details={
            "clearance": data.clearance,
            "filed_by": client,
            "supplier": data.supplier,
            "supplier_key": supplier_key(data.supplier),
            "arrival_date": data.arrival_date,
            "shipped_from": _shipped_from(data),
            "currency": data.items[0].currency,
            "total_price": total,
            "total_usd": _total_usd(data),
        },
        items=[
            {
                "description": item.description,
                "hs_code": item.hs_code,
                "quantity": item.quantity,
                "price": item.price,
                "currency": item.currency,
                "origin_country": item.origin_country,
                "excluded_category": item.excluded_category,
            }
            for item in data.items
        ],
    )
    list_clearance, tax = _assess(data, declaration)
    return Filing(declaration=declaration, created=declaration.is_new, list_clearance=list_clearance, tax_estimate=tax)
