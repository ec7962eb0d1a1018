"""Writes of the personal-data store: create, rotate (re-wrap) and destroy data keys."""

import logging

from django.db import transaction
from django.utils import timezone

from personal_data import crypto
from personal_data.keyring import get_keyring
from personal_data.models import DataKey

logger = logging.getLogger(__name__)


def data_key_create() -> DataKey:
    """A fresh random data key for one person, wrapped under the current master key."""
    keyring = get_keyring()
    data_key = DataKey()
    data_key.wrapped = crypto.wrap_data_key(
        master=keyring.current, data_key=crypto.new_data_key(), associated_data=data_key.associated_data
    )
    data_key.master_key_id = keyring.current.key_id
    data_key.save(force_insert=True)
    return data_key


def data_key_destroy(*, data_key: DataKey) -> None:
    """Crypto-shredding: without the data key, every value sealed under it is unreadable, in the
    database and in any copy of its ciphertext (docs/adr/0001, DOMAIN.md §9 "cannot be restored")."""
    DataKey.objects.filter(pk=data_key.pk).update(wrapped=None, master_key_id="", destroyed_at=timezone.now())
    data_key.refresh_from_db()
    data_key.__dict__.pop("_unwrapped", None)


def data_keys_rewrap(*, batch_size: int = 500, max_batches: int | None = None) -> int:
    """Re-wrap data keys still under an older master key with the current one, one committed batch
    at a time. Resumable (it only picks keys not yet on the current master key) and safe while the
    site runs (rows are locked with SKIP LOCKED, and readers can use either key until the old one
    is removed from the keyring). Returns how many keys it re-wrapped."""
    keyring = get_keyring()
    current = keyring.current
    done = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update(skip_locked=True)
                .filter(destroyed_at__isnull=True)
                .exclude(master_key_id=current.key_id)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            now = timezone.now()
            for data_key in batch:
                material = crypto.unwrap_data_key(
                    keyring=keyring, wrapped=bytes(data_key.wrapped), associated_data=data_key.associated_data
                )
                data_key.wrapped = crypto.wrap_data_key(
                    master=current, data_key=material, associated_data=data_key.associated_data
                )
                data_key.master_key_id = current.key_id
                data_key.rewrapped_at = now
            DataKey.objects.bulk_update(batch, ["wrapped", "master_key_id", "rewrapped_at"])
        done += len(batch)
        batches += 1
        logger.info("re-wrapped %d data keys under master key %s", done, current.key_id)
    return done


def data_key_counts_by_master_key() -> dict[str, int]:
    from django.db.models import Count

    rows = DataKey.objects.filter(destroyed_at__isnull=True).values("master_key_id").annotate(n=Count("pk"))
    return {row["master_key_id"]: row["n"] for row in rows}
