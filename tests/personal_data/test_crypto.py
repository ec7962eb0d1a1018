"""The ciphertext formats: authenticated, bound to their place, carrying their key id."""

import base64
import uuid

import pytest

from personal_data import crypto
from personal_data.keyring import Keyring, KeyringError, MasterKey, parse_master_keys

KEY_A = MasterKey("a", b"A" * 32)
KEY_B = MasterKey("b", b"B" * 32)


def test_sealed_value_round_trips_and_carries_the_data_key_id():
    key_id, key = uuid.uuid4(), crypto.new_data_key()
    sealed = crypto.seal(data_key_id=key_id, data_key=key, plaintext="홍길동 NGUYEN", associated_data=b"row-1")
    assert crypto.sealed_key_id(sealed) == key_id
    assert crypto.unseal(data_key_id=key_id, data_key=key, sealed=sealed, associated_data=b"row-1") == "홍길동 NGUYEN"


def test_sealing_twice_gives_different_ciphertexts():
    key_id, key = uuid.uuid4(), crypto.new_data_key()
    one = crypto.seal(data_key_id=key_id, data_key=key, plaintext="same", associated_data=b"x")
    two = crypto.seal(data_key_id=key_id, data_key=key, plaintext="same", associated_data=b"x")
    assert one != two


def test_ciphertext_moved_to_another_row_or_column_fails_to_decrypt():
    key_id, key = uuid.uuid4(), crypto.new_data_key()
    sealed = crypto.seal(data_key_id=key_id, data_key=key, plaintext="secret", associated_data=b"holder.name:1")
    for elsewhere in (b"holder.name:2", b"holder.email:1"):
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(data_key_id=key_id, data_key=key, sealed=sealed, associated_data=elsewhere)


def test_tampered_ciphertext_fails_authentication():
    key_id, key = uuid.uuid4(), crypto.new_data_key()
    sealed = bytearray(crypto.seal(data_key_id=key_id, data_key=key, plaintext="secret", associated_data=b"a"))
    sealed[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(data_key_id=key_id, data_key=key, sealed=bytes(sealed), associated_data=b"a")


def test_value_sealed_under_another_persons_key_is_refused():
    key = crypto.new_data_key()
    sealed = crypto.seal(data_key_id=uuid.uuid4(), data_key=key, plaintext="x", associated_data=b"a")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(data_key_id=uuid.uuid4(), data_key=key, sealed=sealed, associated_data=b"a")


def test_wrapped_key_names_its_master_key_and_unwraps_only_with_it():
    keyring = Keyring([KEY_B, KEY_A], b"i" * 32)
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap_data_key(master=KEY_A, data_key=data_key, associated_data=b"dk-1")
    assert crypto.wrapped_key_id(wrapped) == "a"
    assert crypto.unwrap_data_key(keyring=keyring, wrapped=wrapped, associated_data=b"dk-1") == data_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_data_key(keyring=keyring, wrapped=wrapped, associated_data=b"dk-2")
    with pytest.raises(KeyringError, match="rotate_master_key"):
        crypto.unwrap_data_key(keyring=Keyring([KEY_B], b"i" * 32), wrapped=wrapped, associated_data=b"dk-1")


def test_blind_index_depends_on_kind_and_key():
    one = crypto.blind_index(key=b"k" * 32, kind="phone", canonical="+821012345678")
    assert one == crypto.blind_index(key=b"k" * 32, kind="phone", canonical="+821012345678")
    assert one != crypto.blind_index(key=b"k" * 32, kind="name", canonical="+821012345678")
    assert one != crypto.blind_index(key=b"j" * 32, kind="phone", canonical="+821012345678")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "value",
    ["", "no-colon", "a:not-base64!!", "a:" + _b64(b"Q" * 16), f"a:{_b64(b'Q' * 32)},a:{_b64(b'Q' * 32)}"],
)
def test_malformed_master_keys_are_refused_without_echoing_them(value):
    with pytest.raises(KeyringError) as error:
        parse_master_keys(value)
    assert _b64(b"Q" * 16)[:8] not in str(error.value)


def test_first_master_key_is_current():
    keys = parse_master_keys(f"new:{_b64(b'N' * 32)},old:{_b64(b'O' * 32)}")
    keyring = Keyring(keys, b"i" * 32)
    assert keyring.current.key_id == "new"
    assert keyring.master_key("old").secret != keyring.current.secret
