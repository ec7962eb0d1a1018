"""Blind-index kinds: how each kind of value is made canonical before it is HMAC'd.

Lookups call `blind_index_of(kind, value)` with what a person typed; the stored index was computed
the same way from the stored value, so an exact match needs no plaintext in SQL (DOMAIN.md §9).
"""

import re

from personal_data.crypto import blind_index
from personal_data.keyring import get_keyring


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _name(value: str) -> str:
    from personal_data.identity import normalise_name

    return normalise_name(value)


def _passport(value: str) -> str:
    from personal_data.identity import normalise_passport_number

    return normalise_passport_number(value)


def _phone(value: str) -> str:
    from personal_data.contact import normalise_phone

    try:
        return normalise_phone(value)
    except Exception:  # an unparseable number cannot match a stored (valid) one
        return "invalid:" + _digits(value)


CANONICAL_FORMS = {
    "resident_number": _digits,
    "passport_number": _passport,
    "name": _name,
    "phone": _phone,
    "postcode": _digits,
}


def blind_index_of(kind: str, value: str) -> bytes:
    return blind_index(key=get_keyring().blind_index_key, kind=kind, canonical=CANONICAL_FORMS[kind](value))
