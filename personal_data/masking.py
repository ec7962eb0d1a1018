"""The one place that masks personal values for screens, messages and SMS (DOMAIN.md §4, §8, §9).

§4 fixes the resident-number mask (``900101-5******``); §8 forbids a full RRN, name or code in an
SMS. The other rules are ours, chosen so that a holder can recognise their own data while a bystander
or a log reader learns little:

- resident number: birth date and digit 7 (``900101-5******``);
- name: first and last character, or the first two and last two from 8 characters on (``홍*동``,
  ``HO****NG``); a 2-character name keeps its first (``홍*``);
- phone: area or mobile prefix and last four digits (``010-****-5678``);
- email: up to two characters of the mailbox and the domain (``ab***@example.com``);
- passport number: the first half, at most four characters (``M123*****``);
- address: the province and city/district words, never a word with a digit (``서울특별시 강남구 ***``).

The code itself is masked by :func:`issuance.codes.mask_code`, next to its format.

Masking runs on display paths, where an exception would break a page or a message for one odd
value, so these functions never raise: what they cannot recognise they mask entirely. An empty value
stays empty, since there is nothing to hide.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from personal_data.contact import format_phone_national, normalise_email
from personal_data.identity import clean_display_name, normalise_passport_number, normalise_resident_number

MASKED_RESIDENT_NUMBER = "******-*******"
MASKED_PHONE = "***-****-****"
MASKED_VALUE = "***"

_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_HAS_DIGIT = re.compile(r"[0-9]")


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def mask_resident_number(digits13: str) -> str:
    """``900101-5******``: the birth date and digit 7 stay, the serial is hidden (DOMAIN.md §4)."""
    if _is_empty(digits13):
        return ""
    try:
        digits = normalise_resident_number(digits13)
    except ValidationError:
        return MASKED_RESIDENT_NUMBER
    return f"{digits[:6]}-{digits[6]}{'*' * 6}"


def mask_name(name: str) -> str:
    """``홍*동``, ``홍*``, ``HO****NG``: the ends stay, the middle (spaces included) is hidden.

    Names of 8 characters or more keep two at each end, because one letter of a long romanised name
    is not enough for its holder to recognise it.
    """
    if _is_empty(name):
        return ""
    if not isinstance(name, str):
        return MASKED_VALUE
    text = clean_display_name(name)
    length = len(text)
    if length <= 2:
        return text[:1] + "*" * (length - 1) if length == 2 else "*"
    keep = 2 if length >= 8 else 1
    return f"{text[:keep]}{'*' * (length - 2 * keep)}{text[-keep:]}"


def mask_phone(e164: str) -> str:
    """``010-****-5678``, ``02-***-4567``: the prefix and the last four digits stay."""
    if _is_empty(e164):
        return ""
    try:
        national = format_phone_national(e164)
    except ValidationError:
        return MASKED_PHONE
    groups = national.split("-")
    if len(groups) == 3:
        return f"{groups[0]}-{'*' * len(groups[1])}-{groups[2]}"
    # Numbers written in two groups (1588-1234 style): only the last four digits stay.
    digits = re.sub(r"[^0-9]", "", national)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(address: str) -> str:
    """``ab***@example.com``: up to two characters of the mailbox, never all of it, and the domain.

    The number of asterisks is fixed so the mask does not tell how long the mailbox name is.
    """
    if _is_empty(address):
        return ""
    if not isinstance(address, str):
        return MASKED_VALUE
    local, at, domain = normalise_email(address).rpartition("@")
    if not at or not local or not domain:
        return MASKED_VALUE
    keep = min(2, len(local) - 1)
    return f"{local[:keep]}***@{domain}"


def mask_passport_number(number: str) -> str:
    """``M123*****``: the first half of the number, at most four characters, stay."""
    if _is_empty(number):
        return ""
    try:
        normalised = normalise_passport_number(number)
    except ValidationError:
        return MASKED_VALUE
    if not _PASSPORT.fullmatch(normalised):
        return MASKED_VALUE
    keep = min(4, len(normalised) // 2)
    return normalised[:keep] + "*" * (len(normalised) - keep)


def mask_address(address: str) -> str:
    """``서울특별시 강남구 ***``: the province (시/도) and city or district (시/군/구) words stay.

    Sejong has no city or district level, so its second word is already the street: only the first
    stays. A word with a digit is a street or building number (or an address written street-first,
    as foreigners often do), so masking starts there at the latest. At least one word is masked.
    """
    if _is_empty(address):
        return ""
    if not isinstance(address, str):
        return MASKED_VALUE
    words = address.split()
    keep = 1 if words[0].startswith("세종") else 2
    keep = min(keep, len(words) - 1)
    for index, word in enumerate(words[:keep]):
        if _HAS_DIGIT.search(word):
            keep = index
            break
    return " ".join([*words[:keep], MASKED_VALUE])


def mask_declaration_number(number: str) -> str:
    """A declaration number as usage history and SMS show it: first and last four characters."""
    if _is_empty(number):
        return ""
    text = str(number).strip()
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"
