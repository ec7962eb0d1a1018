"""Reading the access records (접속기록) for auditors and administrators (issue 5, "Access records").

Every function takes the signed-in user and checks the permission itself (`staff_require`), whatever
page or command calls it. Records hold no personal values (audit/models.py), so what is read here
is who did what to which record, never a person's details. Writing the access record of the review
itself (viewing the list is an audit activity) is the caller's, through `audit.services`.
"""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from audit.models import AccessRecord
from issuance.selectors import code_get_by_number
from staff.periods import korean_days_q
from staff.roles import Permission
from staff.services import staff_require

# Days are Korean calendar days (DOMAIN.md §3): a filter "from 1 March" starts at 00:00 in Seoul; the
# monthly report's office hours are Korean hours too.

# The record type of the access records' own access records (the list, an export): the log itself.
LIST_RECORD_TYPE = "access_records"

# The columns of the list page and of the CSV export, in order. These names are also the `fields`
# of the access record that the review itself writes.
COLUMNS = (
    "sequence",
    "occurred_at",
    "actor_username",
    "actor_role",
    "actor_office",
    "ip_address",
    "action",
    "purpose",
    "reason",
    "record_type",
    "record_id",
    "holder",
    "fields",
)


@dataclass(frozen=True)
class AccessRecordFilters:
    """What the auditor narrowed the records to; every field optional. Dates are Korean days, both
    ends included. `holder` is a holder's id (a UUID, not personal data), as the links from a code's
    history and from the monthly report carry it."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    actor: str = ""
    action: str = ""
    purpose: str = ""
    record_type: str = ""
    holder: uuid.UUID | None = None

    def describe(self) -> str:
        """The filters in short, for the record_id (64 characters) of the review's own access record;
        the holder id first, as the most telling."""
        parts = [f"holder={self.holder}"] if self.holder else []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or ''}..{self.date_to or ''}")
        for name in ("actor", "action", "purpose", "record_type"):
            if value := getattr(self, name):
                parts.append(f"{name}={value}")
        return " ".join(parts)[:64] or "all"


def _filtered(filters: AccessRecordFilters) -> QuerySet[AccessRecord]:
    records = AccessRecord.objects.all()
    records = records.filter(korean_days_q("occurred_at", filters.date_from, filters.date_to))
    if filters.actor:
        records = records.filter(actor_username__iexact=filters.actor)
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.purpose:
        records = records.filter(purpose=filters.purpose)
    if filters.record_type:
        records = records.filter(record_type=filters.record_type)
    if filters.holder is not None:
        records = records.filter(holder_id=filters.holder)
    return records.order_by("-sequence")


def access_records_filter(*, user, filters: AccessRecordFilters) -> QuerySet[AccessRecord]:
    """The access records, newest first, narrowed by `filters`."""
    staff_require(user=user, permission=Permission.ACCESS_RECORDS_REVIEW)
    return _filtered(filters)


def access_records_holder_of_code(*, user, number: str) -> uuid.UUID | None:
    """The holder id of the code with this number (the search by code), or None. Only the id goes
    back: the page then filters by holder, so the records about every code of that person show."""
    staff_require(user=user, permission=Permission.ACCESS_RECORDS_REVIEW)
    code = code_get_by_number(number)
    return code.holder_id if code is not None else None


def _csv_row(record: AccessRecord) -> list[str]:
    occurred = record.occurred_at.astimezone(datetime.UTC).replace(microsecond=0)
    return [
        str(record.sequence),
        occurred.strftime("%Y-%m-%dT%H:%M:%SZ"),
        record.actor_username,
        record.actor_role,
        record.actor_office,
        record.ip_address or "",
        record.action,
        record.purpose,
        record.reason,
        record.record_type,
        record.record_id,
        str(record.holder_id) if record.holder_id else "",
        " ".join(record.fields),
    ]


def access_records_export_rows(*, user, filters: AccessRecordFilters) -> Iterator[list[str]]:
    """The filtered records as CSV rows, header first, newest first. A holder appears as their id
    only: the records hold no name or identifier to put in the file (issue 5: no unmasked
    identifiers in an export). The caller records the export and its reason before streaming."""
    staff_require(user=user, permission=Permission.ACCESS_RECORDS_EXPORT)
    records = _filtered(filters)

    def rows() -> Iterator[list[str]]:
        yield list(COLUMNS)
        for record in records.iterator(chunk_size=2000):
            yield _csv_row(record)

    return rows()
