"""AES-256-GCM envelope encryption and HMAC-SHA-256 blind indexes (docs/adr/0001-personal-data-store.md).

Two formats, both versioned so they can evolve:

    wrapped data key  = 0x01 | len(key_id) | key_id (ASCII) | nonce (12) | AES-GCM(master, data key)
    sealed field      = 0x01 | data-key id (16, UUID) | nonce (12) | AES-GCM(data key, UTF-8 text)

The associated data binds a wrapped key to its DataKey row, and a sealed value to model, field and row,
so ciphertext copied to another row or column fails authentication instead of decrypting.
"""

import hashlib
import hmac
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from personal_data.keyring import Keyring, MasterKey

FORMAT_V1 = 1
NONCE_BYTES = 12
DATA_KEY_BYTES = 32


class DecryptionError(Exception):
    """Ciphertext failed authentication: wrong key, wrong row or column, or tampering."""


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_BYTES)


def wrap_data_key(*, master: MasterKey, data_key: bytes, associated_data: bytes) -> bytes:
    key_id = master.key_id.encode("ascii")
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([FORMAT_V1, len(key_id)]) + key_id
    return header + nonce + AESGCM(master.secret).encrypt(nonce, data_key, header + associated_data)


def wrapped_key_id(wrapped: bytes) -> str:
    if not wrapped or wrapped[0] != FORMAT_V1:
        raise DecryptionError("Unknown wrapped-key format.")
    return wrapped[2 : 2 + wrapped[1]].decode("ascii")


def unwrap_data_key(*, keyring: Keyring, wrapped: bytes, associated_data: bytes) -> bytes:
    key_id = wrapped_key_id(wrapped)
    header_end = 2 + wrapped[1]
    header, nonce, body = (
        wrapped[:header_end],
        wrapped[header_end : header_end + NONCE_BYTES],
        wrapped[header_end + NONCE_BYTES :],
    )
    master = keyring.master_key(key_id)
    try:
        return AESGCM(master.secret).decrypt(nonce, body, header + associated_data)
    except InvalidTag:
        raise DecryptionError("A data key failed to unwrap.") from None


def seal(*, data_key_id: uuid.UUID, data_key: bytes, plaintext: str, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([FORMAT_V1]) + data_key_id.bytes
    return header + nonce + AESGCM(data_key).encrypt(nonce, plaintext.encode("utf-8"), header + associated_data)


def sealed_key_id(sealed: bytes) -> uuid.UUID:
    if len(sealed) < 1 + 16 + NONCE_BYTES or sealed[0] != FORMAT_V1:
        raise DecryptionError("Unknown sealed-value format.")
    return uuid.UUID(bytes=bytes(sealed[1:17]))


def unseal(*, data_key_id: uuid.UUID, data_key: bytes, sealed: bytes, associated_data: bytes) -> str:
    if sealed_key_id(sealed) != data_key_id:
        raise DecryptionError("The value was sealed under another person's data key.")
    header, nonce, body = sealed[:17], sealed[17 : 17 + NONCE_BYTES], sealed[17 + NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, header + associated_data).decode("utf-8")
    except InvalidTag:
        raise DecryptionError("A personal-data value failed authentication.") from None


def blind_index(*, key: bytes, kind: str, canonical: str) -> bytes:
    """HMAC-SHA-256 over `kind` and the canonical value; the kind keeps equal values of different
    kinds (a phone number and an RRN fragment, say) from sharing an index value."""
    return hmac.new(key, kind.encode("ascii") + b"\x00" + canonical.encode("utf-8"), hashlib.sha256).digest()
