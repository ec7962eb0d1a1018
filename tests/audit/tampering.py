"""What an attacker with database access (or a test that needs records at chosen times) does: switch
off the append-only trigger, edit rows, and, for the tests that need a valid chain again, re-seal it
with the chain key (which a real attacker would not hold)."""

import datetime
from contextlib import contextmanager

from django.db import connection

from audit.chain import GENESIS, record_hash
from audit.models import AccessRecord

TABLE = AccessRecord._meta.db_table


@contextmanager
def trigger_disabled():
    """As the table owner (the test database superuser): no append-only trigger inside the block.
    PostgreSQL refuses ALTER TABLE while deferred foreign-key checks are pending in the transaction,
    so they are run now and kept immediate until the trigger is back."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tamper(sequence: int, **changes) -> None:
    """Edit one record in place, leaving its hash as it was."""
    with trigger_disabled():
        assert AccessRecord.objects.filter(sequence=sequence).update(**changes) == 1


def remove(*sequences: int) -> None:
    with trigger_disabled():
        AccessRecord.objects.filter(sequence__in=sequences).delete()


def reseal() -> None:
    """Recompute every previous hash and hash in sequence order, so the chain verifies again."""
    previous_hash = None
    with trigger_disabled():
        for record in AccessRecord.objects.order_by("sequence"):
            if previous_hash is not None:
                record.previous_hash = previous_hash
            elif record.sequence == 1:
                record.previous_hash = GENESIS
            record.hash = record_hash(record)
            AccessRecord.objects.filter(pk=record.pk).update(previous_hash=record.previous_hash, hash=record.hash)
            previous_hash = record.hash


def place_at(times: dict[AccessRecord, datetime.datetime]) -> None:
    """Move records to the given times (aware datetimes, any zone; stored to the second) and reseal."""
    with trigger_disabled():
        for record, when in times.items():
            AccessRecord.objects.filter(pk=record.pk).update(occurred_at=when.replace(microsecond=0))
    reseal()
