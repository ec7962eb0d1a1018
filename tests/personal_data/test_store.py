"""The encrypted store on PostgreSQL: sealed columns, blind-index lookups, rotation, crypto-shredding."""

import base64

import pytest
from django.db import connection
from django.test import override_settings

from issuance.models import DeliveryAddress, Holder
from issuance.selectors import holder_find_by_resident_number
from issuance.services import holder_erase
from personal_data.crypto import DecryptionError
from personal_data.fields import PlaintextInQuery
from personal_data.identity import parse_resident_number
from personal_data.keyring import PUBLIC_TEST_BLIND_INDEX_KEY, PUBLIC_TEST_MASTER_KEYS, KeyringError
from personal_data.models import DataKey, DataKeyDestroyed
from personal_data.services import data_key_counts_by_master_key, data_key_create, data_keys_rewrap
from tests.factories import ONLINE

pytestmark = pytest.mark.django_db

NEW_KEY = "rotated-3:" + base64.b64encode(b"r" * 32).decode()


def _raw_column(table: str, column: str, pk) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 — fixed names
        return bytes(cursor.fetchone()[0])


def test_personal_fields_are_stored_as_ciphertext(issued_code, details):
    holder = issued_code.holder
    raw = _raw_column("issuance_holder", "name", holder.pk)
    assert details.name.encode() not in raw
    assert raw[0] == 1 and raw[1:17] == holder.data_key_id.bytes  # format v1 + the data key's id
    fresh = Holder.objects.get(pk=holder.pk)
    assert fresh.name == details.name
    assert fresh.birth_date == parse_resident_number(details.resident_number).birth_date


def test_ciphertext_copied_to_another_holder_fails_to_decrypt(issued_code, details):
    from issuance.services import code_issue
    from tests.factories import HolderDetailsFactory

    other = code_issue(details=HolderDetailsFactory(), actor=ONLINE).holder
    with connection.cursor() as cursor:  # an attacker with SQL access swaps a column between rows
        cursor.execute(
            "UPDATE issuance_holder SET email = (SELECT email FROM issuance_holder WHERE id = %s) WHERE id = %s",
            [issued_code.holder_id, other.pk],
        )
    with pytest.raises(DecryptionError):
        _ = Holder.objects.select_related("data_key").get(pk=other.pk).email


def test_ciphertext_copied_to_another_column_fails_to_decrypt(issued_code):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE issuance_holder SET address = email WHERE id = %s", [issued_code.holder_id])
    with pytest.raises(DecryptionError):
        _ = Holder.objects.select_related("data_key").get(pk=issued_code.holder_id).address


def test_lookup_by_blind_index_finds_the_holder_whatever_the_typing(issued_code, details):
    digits = details.resident_number.replace("-", "")
    assert holder_find_by_resident_number(digits) == issued_code.holder
    assert holder_find_by_resident_number(details.resident_number) == issued_code.holder
    spaced = details.name.lower().replace(" ", "  ")
    from personal_data.blind_index import blind_index_of

    assert Holder.objects.filter(name_index=blind_index_of("name", spaced)).get() == issued_code.holder
    assert Holder.objects.filter(mobile_index=blind_index_of("phone", details.mobile.replace("-", ""))).exists()
    assert DeliveryAddress.objects.filter(postcode_index=blind_index_of("postcode", "48099")).exists()


def test_filtering_on_an_encrypted_column_with_plaintext_is_refused(issued_code, details):
    with pytest.raises(PlaintextInQuery):
        list(Holder.objects.filter(name=details.name))


def test_rotation_rewraps_every_data_key_in_resumable_batches(issued_code):
    keys = [data_key_create() for _ in range(5)]
    assert {k.master_key_id for k in keys} == {"test-2"}
    with override_settings(PCC_MASTER_KEYS=f"{NEW_KEY},{PUBLIC_TEST_MASTER_KEYS}"):
        assert data_keys_rewrap(batch_size=2, max_batches=1) == 2  # interrupted after one batch
        assert data_key_counts_by_master_key() == {"rotated-3": 2, "test-2": 4}
        holder = Holder.objects.select_related("data_key").get(pk=issued_code.holder_id)
        assert holder.name  # the site keeps reading both old- and new-wrapped keys meanwhile
        assert data_keys_rewrap(batch_size=2) == 4  # the rerun finishes the rest
        assert data_key_counts_by_master_key() == {"rotated-3": 6}
        new_key = data_key_create()
        assert new_key.master_key_id == "rotated-3"
    with override_settings(PCC_MASTER_KEYS=NEW_KEY, PCC_BLIND_INDEX_KEY=PUBLIC_TEST_BLIND_INDEX_KEY):
        holder = Holder.objects.select_related("data_key").get(pk=issued_code.holder_id)
        assert holder.name == issued_code.holder.name  # the old master key is no longer needed


def test_removing_a_master_key_before_rotation_gives_a_clear_error(issued_code):
    with override_settings(PCC_MASTER_KEYS=NEW_KEY):
        holder = Holder.objects.select_related("data_key").get(pk=issued_code.holder_id)
        with pytest.raises(KeyringError, match="rotate_master_key"):
            _ = holder.name


def test_rotate_master_key_command_reports_what_is_left(issued_code):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with override_settings(PCC_MASTER_KEYS=f"{NEW_KEY},{PUBLIC_TEST_MASTER_KEYS}"):
        call_command("rotate_master_key", "--check", stdout=out)
        assert "data keys still to re-wrap" in out.getvalue()
        call_command("rotate_master_key", "--batch-size", "1", stdout=out)
        assert "All data keys use the current master key." in out.getvalue()


def test_crypto_shredding_makes_every_copy_of_the_ciphertext_unreadable(issued_code, details):
    holder = Holder.objects.select_related("data_key").get(pk=issued_code.holder_id)
    backup = {  # what a backup taken before the erasure holds
        column: _raw_column("issuance_holder", column, holder.pk)
        for column in ("name", "english_name", "resident_number", "mobile", "email", "address", "postcode")
    }
    holder_erase(holder=holder, actor=ONLINE)

    data_key = DataKey.objects.get(pk=holder.data_key_id)
    assert data_key.wrapped is None and data_key.destroyed_at is not None
    erased = Holder.objects.select_related("data_key").get(pk=holder.pk)
    with pytest.raises(DataKeyDestroyed):
        _ = erased.name
    for column, sealed in backup.items():  # restoring the backup's ciphertext does not help
        with pytest.raises(DataKeyDestroyed):
            data_key.unseal(sealed, associated_data=f"issuance.holder.{column}:{holder.pk}".encode())
    assert holder_find_by_resident_number(details.resident_number) is None
    assert erased.resident_number_index is None and erased.name_index is None
    issued_code.refresh_from_db()
    assert issued_code.status == "terminated" and issued_code.termination_reason == "erased"
    assert list(issued_code.events.values_list("kind", flat=True))[-2:] == ["terminated", "erased"]
