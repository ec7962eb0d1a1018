"""Writing, checking and trimming the access records (audit/models.py)."""

import datetime
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, record_hash
from audit.models import AccessAction, AccessPurpose, AccessRecord, ActorType

# Any constant shared by every writer: the advisory lock that serialises appends to the chain.
_CHAIN_LOCK_ID = 0x5043_4341  # "PCCA"
_APPEND_ATTEMPTS = 5
RETENTION_RECORD_TYPE = "access_records"


def client_ip(request) -> str | None:
    """The address the request came from. Behind the production proxy, REMOTE_ADDR is the proxy's
    unless the WSGI server is told to trust forwarded headers (gunicorn --forwarded-allow-ips)."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _stored_ip(ip_address: str | None) -> str | None:
    # The hash is over the address as the database gives it back: Django stores IPv6 compressed and
    # IPv4-mapped addresses as ::ffff:a.b.c.d, so "2001:0db8::0001" would otherwise never verify.
    return AccessRecord._meta.get_field("ip_address").to_python(ip_address) or None


def _lock_chain() -> None:
    # PostgreSQL: one appender at a time, for the transaction. SQLite (embedded run) serialises
    # writers itself; the unique sequence and retry below cover the rest.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def access_record_write(
    *,
    user,
    ip_address: str | None,
    action: str,
    purpose: str,
    record_type: str,
    record_id: str = "",
    fields: list[str] | tuple[str, ...] = (),
    holder=None,
    reason: str = "",
    actor_type: str = ActorType.STAFF,
    actor_name: str | None = None,
) -> AccessRecord:
    """Append one access record to the chain (DOMAIN.md §9). `user` is the staff account; API
    clients pass `actor_type=api_client`, no user and their name."""
    profile = getattr(user, "staff_profile", None) if user is not None else None
    record = AccessRecord(
        occurred_at=timezone.now().replace(microsecond=0),
        actor_type=actor_type,
        actor_user=user,
        actor_username=actor_name or (user.get_username() if user is not None else ""),
        actor_role=profile.role if profile else "",
        actor_office=profile.office.code if profile and profile.office_id else "",
        ip_address=_stored_ip(ip_address),
        action=action,
        purpose=purpose,
        reason=reason.strip()[:200],
        record_type=record_type,
        record_id=str(record_id),
        holder=holder,
        fields=sorted(set(fields)),
    )
    return access_records_append([record])[0]


def access_records_append(records: list[AccessRecord]) -> list[AccessRecord]:
    """Chain and insert unsaved records, in the order given, under one lock: a batch costs one lock and
    one read of the chain's end however many records it holds (partner checks are sealed in batches,
    docs/adr/0006-partner-access-records.md). Sets `sequence`, `previous_hash` and `hash`."""
    for record in records:
        record.ip_address = _stored_ip(record.ip_address)
        record.fields = sorted(set(record.fields))
        record.occurred_at = record.occurred_at.replace(microsecond=0)
    for _attempt in range(_APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                _lock_chain()
                last = AccessRecord.objects.order_by("-sequence").only("sequence", "hash").first()
                sequence, previous_hash = (last.sequence, last.hash) if last else (0, GENESIS)
                for record in records:
                    sequence += 1
                    record.sequence = sequence
                    record.previous_hash = previous_hash
                    record.hash = previous_hash = record_hash(record)
                if len(records) == 1:
                    records[0].save(force_insert=True)
                else:
                    AccessRecord.objects.bulk_create(records, batch_size=2000)
                return records
        except IntegrityError:
            continue  # SQLite only: a concurrent writer took the sequence number; chain onto theirs
    raise RuntimeError("Could not append to the access-record chain")


def access_record_for_request(request, **kwargs) -> AccessRecord:
    """The usual case: the signed-in staff member, from the request's address."""
    return access_record_write(user=request.user, ip_address=client_ip(request), **kwargs)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_sequence: int | None
    broken_at: int | None = None  # sequence of the first record that does not verify
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def access_log_verify() -> ChainReport:
    """Walk the chain from the oldest record kept and report the first broken link: a record whose
    content no longer matches its hash, whose previous hash is not the record before, or a gap in the
    sequence. Records missing at the start are accepted only if a retention entry in the chain says
    the job removed them (`access_records_purge`)."""
    previous = None
    checked = 0
    first_sequence = None
    retention_marks = set()
    for record in AccessRecord.objects.order_by("sequence").iterator(chunk_size=2000):
        if previous is None:
            first_sequence = record.sequence
            if record.sequence == 1 and record.previous_hash != GENESIS:
                return ChainReport(checked, first_sequence, record.sequence, "previous hash is not the start")
        elif record.sequence != previous.sequence + 1:
            return ChainReport(
                checked, first_sequence, record.sequence, f"records after {previous.sequence} are missing"
            )
        elif record.previous_hash != previous.hash:
            return ChainReport(checked, first_sequence, record.sequence, "previous hash does not match")
        if record_hash(record) != record.hash:
            return ChainReport(checked, first_sequence, record.sequence, "content does not match its hash")
        if record.action == AccessAction.REMOVE and record.record_type == RETENTION_RECORD_TYPE:
            retention_marks.add(record.record_id)
        checked += 1
        previous = record
    if first_sequence not in (None, 1) and str(first_sequence) not in retention_marks:
        return ChainReport(checked, first_sequence, first_sequence, "records before it were removed, not by retention")
    return ChainReport(checked, first_sequence)


def access_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Retention (DOMAIN.md §9): remove records older than PCC_ACCESS_RECORD_RETENTION_DAYS (never
    under 2 years; settings refuse less) and append a chained entry saying from which sequence the
    log now starts. The database trigger refuses to remove anything younger."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PCC_ACCESS_RECORD_RETENTION_DAYS)
    with transaction.atomic():
        _lock_chain()
        last = AccessRecord.objects.order_by("-sequence").only("sequence").first()
        if last is None:
            return 0
        # Only a prefix of the chain goes, so what is kept still links up: everything before the first
        # record young enough to keep (an older one after it, from a clock step back, stays).
        kept = AccessRecord.objects.filter(occurred_at__gte=cutoff).order_by("sequence").only("sequence").first()
        first_kept = kept.sequence if kept else last.sequence + 1
        old = AccessRecord.objects.filter(sequence__lt=first_kept)
        count = old.count()
        if count == 0:
            return 0
        # Written before the removal so that it chains onto the newest record even when every record
        # goes (otherwise the sequence would start again at 1).
        access_record_write(
            user=None,
            ip_address=None,
            action=AccessAction.REMOVE,
            purpose=AccessPurpose.RETENTION,
            record_type=RETENTION_RECORD_TYPE,
            record_id=str(first_kept),
            reason=f"{count} records older than {cutoff:%Y-%m-%d} removed",
            actor_type=ActorType.SYSTEM,
            actor_name="system",
        )
        deleted, _ = old.delete()
    return deleted


def access_records_export(*, user, ip_address: str | None, filters, reason: str):
    """The filtered records as CSV rows for a download (audit.selectors), after writing the export's
    own access record with its reason (issue 5: every export asks for and records its reason)."""
    from audit.selectors import COLUMNS, LIST_RECORD_TYPE, access_records_export_rows

    rows = access_records_export_rows(user=user, filters=filters)
    access_record_write(
        user=user,
        ip_address=ip_address,
        action=AccessAction.DOWNLOAD,
        purpose=AccessPurpose.AUDIT,
        record_type=LIST_RECORD_TYPE,
        record_id=filters.describe(),
        fields=COLUMNS,
        reason=reason,
    )
    return rows
