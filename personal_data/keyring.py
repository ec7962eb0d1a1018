"""The master keys and the blind-index key, parsed from settings (docs/adr/0001-personal-data-store.md).

Pure Python so that production settings can refuse to start on bad keys before Django is set up.
"""

import base64
import binascii
import re
from dataclasses import dataclass, field

KEY_BYTES = 32  # AES-256 and HMAC-SHA-256
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

# Public, fixed keys for the test suite only (worker subprocesses must read what the tests wrote).
# Production settings refuse them.
PUBLIC_TEST_MASTER_KEYS = (
    "test-2:dGVzdC1tYXN0ZXIta2V5LTItLS0tLS0tLS0tLS0tLS0=,test-1:dGVzdC1tYXN0ZXIta2V5LTEtLS0tLS0tLS0tLS0tLS0="
)
PUBLIC_TEST_BLIND_INDEX_KEY = "dGVzdC1ibGluZC1pbmRleC1rZXktLS0tLS0tLS0tLS0="


class KeyringError(ValueError):
    """The configured keys are missing or malformed. The message never contains key material."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes = field(repr=False)


def _decode_key(value: str, what: str) -> bytes:
    try:
        secret = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64.") from None
    if len(secret) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} random bytes, base64-encoded.")
    return secret


def parse_master_keys(value: str) -> list[MasterKey]:
    """Parse `id:base64,id:base64,…`; the first key is the current one."""
    entries = [entry.strip() for entry in (value or "").split(",") if entry.strip()]
    if not entries:
        raise KeyringError("PCC_MASTER_KEYS is empty: at least one master key is required.")
    keys: list[MasterKey] = []
    for entry in entries:
        key_id, separator, encoded = entry.partition(":")
        if not separator or not _KEY_ID.match(key_id):
            raise KeyringError("Each PCC_MASTER_KEYS entry must look like `key-id:base64key`.")
        if any(key.key_id == key_id for key in keys):
            raise KeyringError(f"Master key id {key_id!r} appears twice in PCC_MASTER_KEYS.")
        keys.append(MasterKey(key_id=key_id, secret=_decode_key(encoded, f"Master key {key_id!r}")))
    return keys


def parse_blind_index_key(value: str) -> bytes:
    if not value:
        raise KeyringError("PCC_BLIND_INDEX_KEY is empty.")
    return _decode_key(value, "PCC_BLIND_INDEX_KEY")


class Keyring:
    def __init__(self, master_keys: list[MasterKey], blind_index_key: bytes):
        self.master_keys = {key.key_id: key for key in master_keys}
        self.current = master_keys[0]
        self.blind_index_key = blind_index_key

    def master_key(self, key_id: str) -> MasterKey:
        try:
            return self.master_keys[key_id]
        except KeyError:
            raise KeyringError(
                f"Master key {key_id!r} is not in PCC_MASTER_KEYS; it was removed before every data key "
                "was re-wrapped (run `manage.py rotate_master_key` with the old key still configured)."
            ) from None


_keyring: Keyring | None = None


def get_keyring() -> Keyring:
    """The keyring of the running settings, parsed once per process (reset when tests change settings)."""
    global _keyring
    if _keyring is None:
        from django.conf import settings

        _keyring = Keyring(
            parse_master_keys(settings.PCC_MASTER_KEYS), parse_blind_index_key(settings.PCC_BLIND_INDEX_KEY)
        )
    return _keyring


def reset_keyring(**kwargs) -> None:
    global _keyring
    _keyring = None
