"""The hash chain of the access records (audit/models.py).

Each record's `hash` is HMAC-SHA-256 over its own content and the previous record's hash. Editing,
inserting or removing a record breaks the chain from that point on. The HMAC key is derived with
HKDF from the blind-index key (docs/adr/0005-access-records.md): someone who can write to the
database but does not hold the key cannot forge a consistent chain.
"""

import hashlib
import hmac
import json
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from personal_data.keyring import get_keyring

GENESIS = "0" * 64  # the previous hash of the very first record
_INFO = b"pcc-portal access-record chain v1"


@cache
def _chain_key(blind_index_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(blind_index_key)


def record_content(record) -> bytes:
    """Every field that matters, in one canonical JSON text."""
    content = {
        "sequence": record.sequence,
        "occurred_at": record.occurred_at.isoformat(),
        "actor_type": record.actor_type,
        "actor_user": record.actor_user_id,
        "actor_username": record.actor_username,
        "actor_role": record.actor_role,
        "actor_office": record.actor_office,
        "ip_address": record.ip_address,
        "action": record.action,
        "purpose": record.purpose,
        "reason": record.reason,
        "record_type": record.record_type,
        "record_id": record.record_id,
        "holder": str(record.holder_id) if record.holder_id else None,
        "fields": list(record.fields),
        "previous_hash": record.previous_hash,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def record_hash(record) -> str:
    key = _chain_key(get_keyring().blind_index_key)
    return hmac.new(key, record_content(record), hashlib.sha256).hexdigest()
