"""Contact values on the application form: phone numbers, postcode and email (DOMAIN.md §5).

Phone numbers are stored in E.164 (``+821012345678``) and parsed with ``phonenumbers`` for region KR,
so "010-1234-5678", "01012345678" and "+82 10 1234 5678" are one number. Forwarders match the phone
and, from 2026-02-02, the delivery postcode against the holder (DOMAIN.md §6): :func:`phone_digits`
gives the national digits UNI-PASS sends as ``cralTelno``, and postcodes are the 5-digit 국가기초구역번호.

Rejected values never appear in a message or an exception: they are personal data (DOMAIN.md §9).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType

PHONE_REGION = "KR"
EMAIL_MAX_LENGTH = 254  # RFC 5321: the longest address a mail server must accept in a path

# A person's telephone: not premium, toll-free or shared-cost service numbers (080, 1588…).
_TELEPHONE_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,  # 070 numbers, common for home internet phones
    }
)
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_POSTCODE = re.compile(r"[0-9]{5}")
_OLD_POSTCODE = re.compile(r"[0-9]{6}")
# The first two digits name the province-level area: 01 (Seoul) to 63 (Jeju).
_POSTCODE_AREAS = range(1, 64)
# "localhost" is allowed by Django's default; an applicant's address must be reachable from outside.
_EMAIL_VALIDATOR = EmailValidator(allowlist=[])

PHONE_INVALID_MESSAGE = _(
    "Enter a Korean telephone number with its area code, for example 02-123-4567 or 010-1234-5678."
)
MOBILE_INVALID_MESSAGE = _("Enter a Korean mobile phone number, for example 010-1234-5678.")
MOBILE_NOT_MOBILE_MESSAGE = _(
    "This is a landline or service number, not a mobile phone number. Enter a mobile number, for example 010-1234-5678."
)
POSTCODE_FORMAT_MESSAGE = _("Enter the 5-digit postcode, for example 06234. Korean postcodes start with 01 to 63.")
POSTCODE_OLD_FORMAT_MESSAGE = _(
    "This looks like an old 6-digit postcode. Korean postcodes have had 5 digits since August 2015; "
    "look up the new one with the address search, for example 06234."
)
EMAIL_INVALID_MESSAGE = _("Enter an email address such as name@example.com, at most 254 characters long.")


def _parse_kr_number(value: object) -> phonenumbers.PhoneNumber | None:
    """The number if ``value`` is a valid Korean phone number, else ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", value), PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    is_korean = phonenumbers.region_code_for_number(number) == PHONE_REGION
    return number if is_korean and phonenumbers.is_valid_number(number) else None


def normalise_phone(value: str) -> str:
    """Return a Korean phone number in E.164, e.g. ``+821012345678``.

    Raises ``PCC_PHONE_INVALID`` when the value is not a valid Korean number: E.164 is only worth
    storing for a number that can be dialled.
    """
    number = _parse_kr_number(value)
    if number is None:
        raise ValidationError(PHONE_INVALID_MESSAGE, code="PCC_PHONE_INVALID")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def validate_mobile_phone(value: str) -> None:
    """A valid Korean mobile number (DOMAIN.md §5: the number the verification code is sent to).

    Codes: ``PCC_MOBILE_INVALID`` when it is not a Korean number at all, ``PCC_MOBILE_NOT_MOBILE``
    when it is a valid landline or service number, so the message can say what is actually wrong.
    """
    number = _parse_kr_number(value)
    if number is None:
        raise ValidationError(MOBILE_INVALID_MESSAGE, code="PCC_MOBILE_INVALID")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(MOBILE_NOT_MOBILE_MESSAGE, code="PCC_MOBILE_NOT_MOBILE")


def validate_telephone(value: str) -> None:
    """A valid Korean landline, mobile or 070 internet-phone number (DOMAIN.md §5, §7 "telephone").

    Code: ``PCC_PHONE_INVALID``.
    """
    number = _parse_kr_number(value)
    if number is None or phonenumbers.number_type(number) not in _TELEPHONE_TYPES:
        raise ValidationError(PHONE_INVALID_MESSAGE, code="PCC_PHONE_INVALID")


def format_phone_national(e164: str) -> str:
    """Show a stored number the Korean way: ``010-1234-5678``, ``02-123-4567``.

    Raises ``PCC_PHONE_INVALID`` for a value that is not a valid Korean number.
    """
    number = _parse_kr_number(e164)
    if number is None:
        raise ValidationError(PHONE_INVALID_MESSAGE, code="PCC_PHONE_INVALID")
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def phone_digits(e164: str) -> str:
    """The national digits with the leading 0, e.g. ``01012345678``.

    UNI-PASS API028 takes the phone this way (``cralTelno``, DOMAIN.md §6), so matching compares
    these digits. Raises ``PCC_PHONE_INVALID`` for a value that is not a valid Korean number.
    """
    return re.sub(r"[^0-9]", "", format_phone_national(e164))


# --- Postcodes (국가기초구역번호) -----------------------------------------------------------------


def normalise_postcode(value: str) -> str:
    """A postcode as stored: digits only, so "06 234" and "06234" are one postcode."""
    if not value or not isinstance(value, str):
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))


def validate_postcode(value: str) -> None:
    """Exactly 5 digits, the first two from 01 to 63 (DOMAIN.md §5; §6 matches on it).

    Codes: ``PCC_POSTCODE_OLD_FORMAT`` for the 6-digit ``123-456`` postcodes withdrawn in 2015 (people
    still copy them from old papers, and need to be told why theirs is refused) and
    ``PCC_POSTCODE_FORMAT`` for anything else.
    """
    postcode = normalise_postcode(value)
    if _OLD_POSTCODE.fullmatch(postcode):
        raise ValidationError(POSTCODE_OLD_FORMAT_MESSAGE, code="PCC_POSTCODE_OLD_FORMAT")
    if not _POSTCODE.fullmatch(postcode) or int(postcode[:2]) not in _POSTCODE_AREAS:
        raise ValidationError(POSTCODE_FORMAT_MESSAGE, code="PCC_POSTCODE_FORMAT")


# --- Email ----------------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """Trim, and lower-case the domain only: the part before @ may be case-sensitive (RFC 5321)."""
    if not value or not isinstance(value, str):
        return ""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{domain.lower()}"


def validate_email_address(value: str) -> None:
    """Required on the form since 2025-11-21 (DOMAIN.md §5); Django's email rules, at most 254 characters.

    Code: ``PCC_EMAIL_INVALID``. Django's own error is replaced rather than re-raised because it
    carries the rejected address in its ``params``.
    """
    address = normalise_email(value)
    if not address or len(address) > EMAIL_MAX_LENGTH:
        raise ValidationError(EMAIL_INVALID_MESSAGE, code="PCC_EMAIL_INVALID")
    try:
        _EMAIL_VALIDATOR(address)
    except ValidationError:
        raise ValidationError(EMAIL_INVALID_MESSAGE, code="PCC_EMAIL_INVALID") from None
