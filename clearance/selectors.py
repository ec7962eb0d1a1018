"""Reads of the clearance app: clients by key, a code with what a check needs, recent mismatches."""

import datetime
import hashlib

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


def code_for_check(*, client: ApiClient, number: str, since: datetime.datetime) -> Code | None:
    """The code with its holder's indexes and, as `recent_mismatches`, how many of this client's checks
    of it since `since` were mismatches — one query for everything the check needs."""
    mismatches = (
        CodeCheck.objects.filter(
            client=client, code=OuterRef("pk"), result=CheckResult.MISMATCH, occurred_at__gte=since
        )
        .order_by()
        .values("code")
        .annotate(total=Count("id"))
        .values("total")
    )
    queryset = (
        Code.objects.filter(number=number)
        .select_related("holder")
        .only("id", "number", "status", "holder_id", *_HOLDER_FIELDS)
        .annotate(recent_mismatches=Coalesce(Subquery(mismatches, output_field=IntegerField()), Value(0)))
    )
    return next(iter(queryset[:1]), None)


def delivery_postcode_matches(*, holder_id, postcode_index: bytes) -> bool:
    return DeliveryAddress.objects.filter(holder_id=holder_id, postcode_index=postcode_index).exists()
