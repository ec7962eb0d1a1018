"""Reads of the clearance app: clients by key, codes with what a check needs, recent mismatches."""

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from clearance.models import ApiClient, CheckResult, CodeCheck
from issuance.models import Code, DeliveryAddress, Holder, code_status_is_in_use


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_client_by_key(raw_key: str) -> ApiClient | None:
    """The active client holding this key. Keys are 256-bit random, so SHA-256 lookup by index is safe
    (no stretching needed, no timing leak worth having: the hash, not the key, is compared)."""
    if not raw_key or len(raw_key) > 200:
        return None
    return next(iter(ApiClient.objects.filter(key_hash=api_key_hash(raw_key), is_active=True)[:1]), None)


@dataclass(frozen=True)
class HolderForCheck:
    """The holder's fields a check reads: blind indexes and the date that decides the postcode rule."""

    pk: object
    name_index: bytes
    english_name_index: bytes
    mobile_index: bytes
    telephone_index: bytes
    postcode_index: bytes
    details_updated_on: datetime.date
    erased_at: object


@dataclass(frozen=True)
class CodeForCheck:
    pk: int
    number: str
    status: str
    holder: HolderForCheck
    recent_mismatches: int

    @property
    def holder_id(self):
        return self.holder.pk

    @property
    def is_in_use(self) -> bool:
        return code_status_is_in_use(self.status)


def _bytes(value) -> bytes:
    return bytes(value) if value is not None else b""


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def codes_for_check(*, client: ApiClient, numbers: Iterable[str], since: datetime.datetime) -> dict[str, CodeForCheck]:
    """Codes by number with their holder's indexes and, as `recent_mismatches`, how many of this
    client's checks of each since `since` were mismatches: everything a check needs, in one query.

    Written in SQL rather than the ORM on purpose: building the equivalent queryset (select_related,
    only, a Subquery annotation) cost about 0.7 ms a check, more than running it (bench/api.py profile,
    docs/BENCHMARKS.md), on the path every parcel's check takes."""
    numbers = list(numbers)
    if not numbers:
        return {}
    code, holder, check = Code._meta.db_table, Holder._meta.db_table, CodeCheck._meta.db_table
    placeholders = ", ".join(["%s"] * len(numbers))
    sql = f"""
        SELECT c.id, c.number, c.status, h.id, h.name_index, h.english_name_index, h.mobile_index,
               h.telephone_index, h.postcode_index, h.details_updated_on, h.erased_at,
               (SELECT COUNT(*) FROM {check} k
                 WHERE k.client_id = %s AND k.code_id = c.id AND k.result = %s AND k.occurred_at >= %s)
          FROM {code} c JOIN {holder} h ON h.id = c.holder_id
         WHERE c.number IN ({placeholders})"""  # noqa: S608 — table names from _meta, values as parameters
    params = [client.pk, CheckResult.MISMATCH, connection.ops.adapt_datetimefield_value(since), *numbers]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        holder_id = row[3] if isinstance(row[3], uuid.UUID) else uuid.UUID(str(row[3]))
        found[row[1]] = CodeForCheck(
            pk=row[0],
            number=row[1],
            status=row[2],
            holder=HolderForCheck(
                pk=holder_id,
                name_index=_bytes(row[4]),
                english_name_index=_bytes(row[5]),
                mobile_index=_bytes(row[6]),
                telephone_index=_bytes(row[7]),
                postcode_index=_bytes(row[8]),
                details_updated_on=_date(row[9]),
                erased_at=row[10],
            ),
            recent_mismatches=row[11],
        )
    return found


def code_for_check(*, client: ApiClient, number: str, since: datetime.datetime) -> CodeForCheck | None:
    """One code as a check needs it (`codes_for_check`), in one query."""
    return codes_for_check(client=client, numbers=[number], since=since).get(number)


def delivery_postcode_matches(*, holder_id, postcode_index: bytes) -> bool:
    return DeliveryAddress.objects.filter(holder_id=holder_id, postcode_index=postcode_index).exists()


def delivery_postcodes_of(*, holder_ids: Iterable) -> set[tuple]:
    """(holder id, postcode index) of every delivery address of these holders, in one query: what
    `delivery_postcode_matches` answers one at a time, for a spreadsheet's chunk."""
    rows = DeliveryAddress.objects.filter(holder_id__in=holder_ids).values_list("holder_id", "postcode_index")
    return {(holder_id, bytes(index)) for holder_id, index in rows if index is not None}
