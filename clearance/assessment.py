"""List clearance (목록통관) and the duty/VAT estimate of general clearance (DOMAIN.md §8, seed 004).

Pure functions: no database. The caller validates input (one currency per declaration, ISO codes),
looks up what needs the database (the same-day total of earlier declarations) and passes it in.

List clearance: personal-use goods worth up to USD 150 clear on the manifest; USD 200 for goods
shipped from the United States (the KORUS FTA express-consignment special case). Goods in a category
of 별표 1 목록통관 배제대상 never do, whatever their value. Shipments arriving the same day from the
same supplier for the same consignee are cleared as one (합산), so the limit is judged on their sum.

General clearance (seed 004): taxable value (과세표준) = total price × customs exchange rate + freight;
duty = taxable value × duty rate; VAT = (taxable value + duty) × 10%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import messages_in_both

VAT_RATE = Decimal("0.10")

LIMIT_USD = Decimal("150")
LIMIT_USD_SHIPPED_FROM_US = Decimal("200")

EXCLUDED_CATEGORY = "PCC_LIST_EXCLUDED_CATEGORY"
OVER_LIMIT = "PCC_LIST_OVER_LIMIT"
AGGREGATED_OVER_LIMIT = "PCC_LIST_AGGREGATED_OVER_LIMIT"
USD_VALUE_UNKNOWN = "PCC_LIST_USD_VALUE_UNKNOWN"

# Fixed texts (no numbers interpolated) so that messages_in_both can render each in both languages.
REASON_MESSAGES = {
    EXCLUDED_CATEGORY: _(
        "An item belongs to a category that is never cleared on the list (medicines, foods, health "
        "supplements, alcohol, tobacco and others), so the shipment goes through general clearance."
    ),
    OVER_LIMIT: _(
        "The goods are worth more than the list-clearance limit (USD 150, or USD 200 for goods shipped "
        "from the United States), so the shipment goes through general clearance."
    ),
    AGGREGATED_OVER_LIMIT: _(
        "Together with the shipments arriving the same day from the same supplier for the same "
        "consignee, the goods are worth more than the list-clearance limit, so they are cleared as one "
        "shipment through general clearance."
    ),
    USD_VALUE_UNKNOWN: _(
        "The goods are priced in a currency other than US dollars and no exchange rate was given, so "
        "list clearance cannot be judged."
    ),
}


class ExcludedCategory(models.TextChoices):
    """별표 1 목록통관 배제대상 as listed in seed 004 (the filer may state one per item)."""

    MEDICINE = "medicine", _("Medicines")
    HERBAL_MEDICINE = "herbal_medicine", _("Herbal medicine materials")
    WILDLIFE = "wildlife", _("Wildlife products")
    QUARANTINE = "quarantine", _("Agricultural, livestock and fishery products subject to quarantine")
    MEDICAL_DEVICE = "medical_device", _("Medical devices")
    HEALTH_SUPPLEMENT = "health_supplement", _("Health functional foods")
    FOOD = "food", _("Foods")
    ALCOHOL = "alcohol", _("Alcoholic drinks")
    TOBACCO = "tobacco", _("Tobacco")
    COSMETICS_FUNCTIONAL = (
        "cosmetics_functional",
        _("Functional cosmetics and cosmetics containing placenta or steroids"),
    )
    IP_INFRINGEMENT = "ip_infringement", _("Goods suspected of infringing intellectual property")
    RADIO_EQUIPMENT = "radio_equipment", _("Radio equipment without conformity assessment")
    NARCOTICS = "narcotics", _("Narcotics")
    LIVESTOCK_PROCESSED = "livestock_processed", _("Processed livestock products")
    PET_FOOD = "pet_food", _("Pet food")


# HS prefixes (2-digit chapter or 4-digit heading, HS 2022 nomenclature) that fall in a category of
# 별표 1 목록통관 배제대상 (seed 004) whatever else the item is. The longest matching prefix wins, so
# 1211 is herbal medicine inside quarantine chapter 12, 2106 a health supplement inside food chapter 21.
# Only the clear cases are here; the HS code cannot tell the others, which the filer must state:
# - cosmetics (3304): ordinary and functional/placenta/steroid cosmetics share the heading;
# - wildlife products, IP-infringing goods, unapproved radio equipment, narcotics: no heading of their
#   own (ivory, counterfeit bags, an uncertified phone and a medicine share headings with lawful goods);
# - processed livestock products: chapter 16 counts as food here; excluded either way.
# A 2-digit code (seed 004: some forwarders declare only the chapter) matches chapter rows only, so
# "90" is not recognised as a medical device; 9018-9022 need at least 4 digits.
_HS_EXCLUSIONS: dict[str, str] = {
    "01": ExcludedCategory.QUARANTINE,  # 0101-0106 live animals
    "02": ExcludedCategory.QUARANTINE,  # meat
    "03": ExcludedCategory.QUARANTINE,  # fish
    "04": ExcludedCategory.QUARANTINE,  # dairy, eggs, honey
    "07": ExcludedCategory.QUARANTINE,  # vegetables
    "08": ExcludedCategory.QUARANTINE,  # fruit and nuts
    "10": ExcludedCategory.QUARANTINE,  # cereals
    "11": ExcludedCategory.QUARANTINE,  # milling products
    "12": ExcludedCategory.QUARANTINE,  # oil seeds, plants
    "1211": ExcludedCategory.HERBAL_MEDICINE,  # plants used in pharmacy
    "16": ExcludedCategory.FOOD,
    "17": ExcludedCategory.FOOD,
    "18": ExcludedCategory.FOOD,
    "19": ExcludedCategory.FOOD,
    "20": ExcludedCategory.FOOD,
    "21": ExcludedCategory.FOOD,
    "2106": ExcludedCategory.HEALTH_SUPPLEMENT,  # food preparations n.e.s.: vitamins, supplements
    "22": ExcludedCategory.FOOD,  # water, soft drinks, vinegar
    **{f"22{heading:02}": ExcludedCategory.ALCOHOL for heading in range(3, 9)},  # 2203-2208 beer to spirits
    "2309": ExcludedCategory.PET_FOOD,
    "24": ExcludedCategory.TOBACCO,
    "30": ExcludedCategory.MEDICINE,
    **{f"90{heading}": ExcludedCategory.MEDICAL_DEVICE for heading in range(18, 23)},  # 9018-9022
}


@dataclass(frozen=True)
class Item:
    """One line of a declaration. `price` is the unit price in `currency` (ISO 4217, upper case)."""

    description: str
    hs_code: str
    quantity: int
    price: Decimal
    currency: str
    origin_country: str
    excluded_category: str = ""  # an ExcludedCategory value the filer states, "" when none

    def __post_init__(self):
        # The caller validates what people type; these guard against a programming error.
        if self.quantity < 1 or self.price < 0:
            raise ValueError("quantity must be at least 1 and price not negative")
        if self.excluded_category:
            ExcludedCategory(self.excluded_category)  # ValueError on an unknown category


@dataclass(frozen=True)
class ListClearance:
    """The list-clearance judgement. `applies` is None when it cannot be judged (no USD value)."""

    applies: bool | None
    limit_usd: Decimal
    total_usd: Decimal | None
    aggregated_usd: Decimal | None  # same-day prior + this declaration
    reasons: tuple[str, ...]  # stable codes; empty when list clearance applies

    def messages(self) -> list[dict]:
        return [{"code": code, "message": messages_in_both(REASON_MESSAGES[code])} for code in self.reasons]


@dataclass(frozen=True)
class TaxEstimate:
    currency: str
    total_price: Decimal
    exchange_rate: Decimal  # KRW per unit of `currency` (과세환율)
    freight_krw: int
    taxable_value_krw: int
    duty_rate: Decimal  # percent
    duty_krw: int
    vat_krw: int
    total_tax_krw: int


def list_clearance_limit_usd(*, shipped_from: str) -> Decimal:
    """USD 200 for goods shipped from the US (KORUS FTA express special case), else USD 150 (seed 004).

    The country the goods leave from decides, not where they were made.
    """
    return LIMIT_USD_SHIPPED_FROM_US if shipped_from.upper() == "US" else LIMIT_USD


def item_excluded_category(item: Item) -> str:
    """The 별표 1 category that keeps the item off the list, or "" (seed 004).

    A category the filer states wins; otherwise the HS code decides by its longest prefix in
    `_HS_EXCLUSIONS`. Separators are ignored ("2106.90-9099" is heading 2106).
    """
    if item.excluded_category:
        return item.excluded_category
    digits = "".join(c for c in item.hs_code if c.isascii() and c.isdigit())
    return _HS_EXCLUSIONS.get(digits[:4]) or _HS_EXCLUSIONS.get(digits[:2], "")


def items_total(items: Sequence[Item]) -> Decimal:
    """Sum of price × quantity, in the items' one currency."""
    if len({item.currency for item in items}) > 1:
        raise ValueError("all items of a declaration must share one currency")
    return sum((item.price * item.quantity for item in items), Decimal(0))


def list_clearance_assess(
    *,
    items: Sequence[Item],
    shipped_from: str,
    usd_per_unit: Decimal | None = None,
    same_day_prior_usd: Decimal = Decimal(0),
) -> ListClearance:
    """Whether a declaration clears on the list (목록통관), with the reasons when not (seed 004).

    `usd_per_unit` is the USD value of one unit of the items' currency, needed unless they are in USD.
    `same_day_prior_usd` is the USD total of the earlier list-clearance declarations for the same
    consignee and supplier arriving the same day (합산): the limit applies to their sum with this one.
    The USD value is kept exact (no rounding to cents), so USD 150.01 is over a USD 150 limit.
    """
    if not items:
        raise ValueError("a declaration has at least one item")
    if same_day_prior_usd < 0:
        raise ValueError("same_day_prior_usd must not be negative")
    limit = list_clearance_limit_usd(shipped_from=shipped_from)
    total = items_total(items)
    if items[0].currency == "USD":
        total_usd = total
    elif usd_per_unit is not None:
        total_usd = total * usd_per_unit
    else:
        total_usd = None

    reasons = []
    if any(item_excluded_category(item) for item in items):
        reasons.append(EXCLUDED_CATEGORY)
    aggregated_usd = None if total_usd is None else same_day_prior_usd + total_usd
    if total_usd is None:
        # An excluded item decides without the value; otherwise there is nothing to judge on.
        if not reasons:
            return ListClearance(
                applies=None, limit_usd=limit, total_usd=None, aggregated_usd=None, reasons=(USD_VALUE_UNKNOWN,)
            )
    elif total_usd > limit:
        reasons.append(OVER_LIMIT)
    elif aggregated_usd > limit:
        reasons.append(AGGREGATED_OVER_LIMIT)
    return ListClearance(
        applies=not reasons, limit_usd=limit, total_usd=total_usd, aggregated_usd=aggregated_usd, reasons=tuple(reasons)
    )


def _won(amount: Decimal) -> int:
    # 원 미만 절사: amounts below one won are dropped (seed 004's calculation is in whole won).
    return int(amount.quantize(Decimal(1), rounding=ROUND_DOWN))


def tax_estimate(
    *, items: Sequence[Item], exchange_rate: Decimal, duty_rate: Decimal, freight_krw: int = 0
) -> TaxEstimate:
    """Duty and VAT of general clearance (seed 004), in KRW.

    taxable value = total price × `exchange_rate` (KRW per unit of the items' currency) + `freight_krw`;
    duty = taxable value × `duty_rate` (a percentage: Decimal("13") for 13%);
    VAT = (taxable value + duty) × VAT_RATE. Each amount is truncated to whole won before the next
    step uses it.
    """
    if not items:
        raise ValueError("a declaration has at least one item")
    if exchange_rate <= 0 or duty_rate < 0 or freight_krw < 0:
        raise ValueError("exchange_rate must be positive, duty_rate and freight_krw not negative")
    total = items_total(items)
    taxable = _won(total * exchange_rate + freight_krw)
    duty = _won(taxable * duty_rate / 100)
    vat = _won((taxable + duty) * VAT_RATE)
    return TaxEstimate(
        currency=items[0].currency,
        total_price=total,
        exchange_rate=exchange_rate,
        freight_krw=freight_krw,
        taxable_value_krw=taxable,
        duty_rate=duty_rate,
        duty_krw=duty,
        vat_krw=vat,
        total_tax_krw=duty + vat,
    )
