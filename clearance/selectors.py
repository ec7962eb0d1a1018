"""Reads of the clearance app: clients by key, codes with what a check needs, recent mismatches."""

import datetime
import hashlib
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from clearance.models import ApiClient, CheckResult, CodeCheck
from issuance.models import Code, DeliveryAddress


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_client_by_key(raw_key: str) -> ApiClient | None:
    """The active client holding this key. Keys are 256-bit random, so SHA-256 lookup by index is safe
    (no stretching needed, no timing leak worth having: the hash, not the key, is compared)."""
    if not raw_key or len(raw_key) > 200:
        return None
    return next(iter(ApiClient.objects.filter(key_hash=api_key_hash(raw_key), is_active=True)[:1]), None)


# The holder's fields a check reads: blind indexes and the date that decides the postcode rule.
_HOLDER_FIELDS = (
    "holder__id",
    "holder__name_index",
    "holder__english_name_index",
    "holder__mobile_index",
    "holder__telephone_index",
    "holder__postcode_index",
    "holder__details_updated_on",
    "holder__erased_at",
)


def _codes_for_check(*, client: ApiClient, since: datetime.datetime):
    """Codes with their holder's indexes and, as `recent_mismatches`, how many of this client's checks
    of each since `since` were mismatches — everything a check needs, in the one query."""
    mismatches = (
        CodeCheck.objects.filter(
            client=client, code=OuterRef("pk"), result=CheckResult.MISMATCH, occurred_at__gte=since
        )
        .order_by()
        .values("code")
        .annotate(total=Count("id"))
        .values("total")
    )
    return (
        Code.objects.select_related("holder")
        .only("id", "number", "status", "holder_id", *_HOLDER_FIELDS)
        .annotate(recent_mismatches=Coalesce(Subquery(mismatches, output_field=IntegerField()), Value(0)))
    )


def code_for_check(*, client: ApiClient, number: str, since: datetime.datetime) -> Code | None:
    """One code as a check needs it (`_codes_for_check`), in one query."""
    return next(iter(_codes_for_check(client=client, since=since).filter(number=number)[:1]), None)


def codes_for_check(*, client: ApiClient, numbers: Iterable[str], since: datetime.datetime) -> dict[str, Code]:
    """Many codes as checks need them, by number, in one query (a spreadsheet's chunk)."""
    return {code.number: code for code in _codes_for_check(client=client, since=since).filter(number__in=numbers)}


def delivery_postcode_matches(*, holder_id, postcode_index: bytes) -> bool:
    return DeliveryAddress.objects.filter(holder_id=holder_id, postcode_index=postcode_index).exists()


def delivery_postcodes_of(*, holder_ids: Iterable) -> set[tuple]:
    """(holder id, postcode index) of every delivery address of these holders, in one query: what
    `delivery_postcode_matches` answers one at a time, for a spreadsheet's chunk."""
    rows = DeliveryAddress.objects.filter(holder_id__in=holder_ids).values_list("holder_id", "postcode_index")
    return {(holder_id, bytes(index)) for holder_id, index in rows if index is not None}
