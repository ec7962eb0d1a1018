"""Identity values a person types: resident numbers, names, passport numbers and birth dates.

Rules from DOMAIN.md §4 (RRN/ARN structure, name as on the ARC, the real-name check ignoring spaces)
and §5 (the application form's name and English name). Nothing here touches the database or a
provider; these functions decide only whether a value is well formed and what its canonical form is.

Rejected values never appear in a message or an exception: they are personal data and messages end
up in logs (DOMAIN.md §9).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 50
PASSPORT_MIN_LENGTH = 5
PASSPORT_MAX_LENGTH = 20
EARLIEST_BIRTH_YEAR = 1900

# Digit 7 of an RRN/ARN: (century, sex, is_foreigner). All ten digits are assigned (DOMAIN.md §4).
_GENDER_DIGITS: dict[str, tuple[int, str, bool]] = {
    "9": (1800, "M", False),
    "0": (1800, "F", False),
    "1": (1900, "M", False),
    "2": (1900, "F", False),
    "3": (2000, "M", False),
    "4": (2000, "F", False),
    "5": (1900, "M", True),
    "6": (1900, "F", True),
    "7": (2000, "M", True),
    "8": (2000, "F", True),
}

_RESIDENT_NUMBER = re.compile(r"([0-9]{6})-?([0-9]{7})")
# Dashes of every kind a word processor or IME produces, and all whitespace (U+3000 included).
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_WHITESPACE = re.compile(r"\s+")
# Invisible characters that survive copy and paste but are not part of anyone's name.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff]")
_PASSPORT_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_PASSPORT = re.compile(r"[A-Z0-9]+")
_ENGLISH_NAME = re.compile(r"[A-Za-z .,'\-]+")
_BIRTH_DATE_8 = re.compile(r"[0-9]{8}")
# The typographic apostrophe (’) comes from phone keyboards; a person cannot see the difference.
_NAME_PUNCTUATION = frozenset(" -'.,\u2019")

RRN_FORMAT_MESSAGE = _(
    "Enter the 13-digit resident or alien registration number as YYMMDD-GNNNNNN, for example 900101-5234567."
)
RRN_GENDER_DIGIT_MESSAGE = _(
    "The 7th digit of the registration number does not match the sex or nationality you selected. "
    "Check the number on your ID card."
)
RRN_DATE_MESSAGE = _(
    "The first 6 digits of the registration number must be a real date of birth (YYMMDD). "
    "Check the number on your ID card."
)
RRN_FUTURE_MESSAGE = _("The registration number gives a date of birth in the future. Check the number on your ID card.")
NAME_REQUIRED_MESSAGE = _("Enter the name.")
NAME_TOO_LONG_MESSAGE = _("The name can be at most 50 characters long.")
NAME_CHARACTERS_MESSAGE = _(
    "The name can contain only letters, spaces, hyphens (-), apostrophes ('), full stops (.) and "
    "commas (,). Enter it as on your ID card, without digits or other symbols."
)
ENGLISH_NAME_CHARACTERS_MESSAGE = _(
    "Enter the English name in Latin letters A to Z, as on your passport or alien registration card. "
    "Spaces, hyphens (-), apostrophes ('), full stops (.) and commas (,) are allowed."
)
PASSPORT_FORMAT_MESSAGE = _("A passport number has 5 to 20 letters (A to Z) and digits, for example M12345678.")
BIRTH_DATE_FORMAT_MESSAGE = _("Enter the date of birth as 8 digits, year month day, for example 19900131.")
BIRTH_DATE_INVALID_MESSAGE = _("This date of birth does not exist. Check the month and the day.")
BIRTH_DATE_FUTURE_MESSAGE = _("The date of birth cannot be in the future.")
BIRTH_DATE_TOO_EARLY_MESSAGE = _("The date of birth must be in 1900 or later. Check the year.")


def _today() -> date:
    # Birth dates are Korean calendar days (TIME_ZONE is Asia/Seoul); without USE_TZ, the server's.
    return timezone.localdate() if settings.USE_TZ else date.today()


def _as_text(value: object, *, message, code: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(message, code=code)
    return value


# --- Resident registration numbers (주민등록번호 / 외국인등록번호) ----------------------------------


@dataclass(frozen=True, repr=False)
class ResidentNumber:
    """A well-formed RRN or ARN and what digit 7 and the first six digits say (DOMAIN.md §4).

    ``repr`` and ``str`` show only the masked form, so logging the object cannot leak the number.
    """

    digits: str
    birth_date: date
    sex: str  # "M" or "F"
    is_foreigner: bool

    @property
    def masked(self) -> str:
        # Imported here because masking builds on this module's parsers; one masking rule, one place.
        from personal_data.masking import mask_resident_number

        return mask_resident_number(self.digits)

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    def __repr__(self) -> str:
        return f"ResidentNumber({self.masked})"

    def __str__(self) -> str:
        return self.masked


def normalise_resident_number(value: str) -> str:
    """Return the 13 digits of an RRN/ARN typed as ``YYMMDD-GNNNNNN`` or 13 digits, spaces allowed.

    Raises ``PCC_RRN_FORMAT`` when the value does not have that shape. The date is not checked here;
    :func:`parse_resident_number` does that.
    """
    text = _as_text(value, message=RRN_FORMAT_MESSAGE, code="PCC_RRN_FORMAT")
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
    match = _RESIDENT_NUMBER.fullmatch(_DASHES.sub("-", text))
    if not match:
        raise ValidationError(RRN_FORMAT_MESSAGE, code="PCC_RRN_FORMAT")
    return match.group(1) + match.group(2)


def parse_resident_number(
    value: str,
    *,
    sex: str | None = None,
    is_foreigner: bool | None = None,
    today: date | None = None,
) -> ResidentNumber:
    """Parse an RRN/ARN and check that its first six digits are a real, past date (DOMAIN.md §4).

    Digit 7 gives the century, sex and nationality; every digit 0–9 has a meaning, so digit 7 alone
    is never wrong. When the form also asked for sex or nationality (the KMC form does, §4), pass
    them: a digit 7 that contradicts them raises ``PCC_RRN_GENDER_DIGIT``.

    The legacy check digit (the 13th) is deliberately not verified: numbers assigned since October
    2020 end in a random digit (§4), and refusing them would lock real residents out.

    Raises ``PCC_RRN_FORMAT``, ``PCC_RRN_GENDER_DIGIT``, ``PCC_RRN_DATE`` or ``PCC_RRN_FUTURE``.
    """
    digits = normalise_resident_number(value)
    century, digit_sex, digit_foreigner = _GENDER_DIGITS[digits[6]]
    contradicts_sex = sex is not None and sex != digit_sex
    contradicts_nationality = is_foreigner is not None and is_foreigner != digit_foreigner
    if contradicts_sex or contradicts_nationality:
        raise ValidationError(RRN_GENDER_DIGIT_MESSAGE, code="PCC_RRN_GENDER_DIGIT")
    try:
        birth_date = date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        raise ValidationError(RRN_DATE_MESSAGE, code="PCC_RRN_DATE") from None
    if birth_date > (today or _today()):
        raise ValidationError(RRN_FUTURE_MESSAGE, code="PCC_RRN_FUTURE")
    return ResidentNumber(digits=digits, birth_date=birth_date, sex=digit_sex, is_foreigner=digit_foreigner)


def validate_resident_number(value: str) -> None:
    """Django validator for an RRN/ARN field: see :func:`parse_resident_number`."""
    parse_resident_number(value)


# --- Names ----------------------------------------------------------------------------------------


def normalise_name(value: str) -> str:
    """The form in which two names are compared: NFC, upper case, no whitespace at all.

    The real-name check ignores spaces (DOMAIN.md §4, seed 001 Q3): "Coi Zhuna", "COI ZHUNA" and
    "COIZHUNA" are the same name. Whitespace includes the ideographic space U+3000 that Korean IMEs
    type. Normalising again after upper-casing and removing spaces keeps the function idempotent:
    both steps can leave a letter and a combining mark side by side that NFC then composes.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value)).upper()
    text = _INVISIBLE.sub("", _WHITESPACE.sub("", text))
    return unicodedata.normalize("NFC", text)


def _check_name_length(value: object, *, characters_message, characters_code: str) -> str:
    text = _as_text(value, message=characters_message, code=characters_code)
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text)).strip()
    if not text:
        raise ValidationError(NAME_REQUIRED_MESSAGE, code="PCC_NAME_REQUIRED")
    if len(text) > NAME_MAX_LENGTH:
        raise ValidationError(NAME_TOO_LONG_MESSAGE, code="PCC_NAME_TOO_LONG")
    return text


def _is_name_character(char: str) -> bool:
    category = unicodedata.category(char)
    # Letters of every script, and the combining marks some scripts need even after NFC. Spaces only
    # of the "separator" kind: a tab or line break in a name is a paste accident, not a name.
    return category[0] in "LM" or category == "Zs" or char in _NAME_PUNCTUATION


def validate_holder_name(value: str) -> None:
    """The holder's name as on the ARC or ID card (DOMAIN.md §4, §5), in any script.

    1–50 characters after trimming; letters (Hangul, Latin with accents, CJK…), spaces, hyphens,
    apostrophes, full stops and commas. Digits and other symbols are refused, and a name needs at
    least one letter. Codes: ``PCC_NAME_REQUIRED``, ``PCC_NAME_TOO_LONG``, ``PCC_NAME_CHARACTERS``.
    """
    text = _check_name_length(value, characters_message=NAME_CHARACTERS_MESSAGE, characters_code="PCC_NAME_CHARACTERS")
    starts_with_letter = unicodedata.category(text[0]).startswith("L")
    if not starts_with_letter or not all(_is_name_character(char) for char in text):
        raise ValidationError(NAME_CHARACTERS_MESSAGE, code="PCC_NAME_CHARACTERS")


def validate_english_name(value: str) -> None:
    """The English name, required on the form since 2025-11-21 (DOMAIN.md §5), matched by forwarders (§6).

    Latin letters A–Z in either case, spaces, hyphens, apostrophes, full stops and commas; 1–50
    characters; it starts with a letter. Accented letters are refused because passports and ARCs
    print the English name without them. Codes: ``PCC_NAME_REQUIRED``, ``PCC_NAME_TOO_LONG``,
    ``PCC_ENGLISH_NAME_CHARACTERS``.
    """
    text = _check_name_length(
        value,
        characters_message=ENGLISH_NAME_CHARACTERS_MESSAGE,
        characters_code="PCC_ENGLISH_NAME_CHARACTERS",
    )
    if not _ENGLISH_NAME.fullmatch(text) or not text[0].isalpha():
        raise ValidationError(ENGLISH_NAME_CHARACTERS_MESSAGE, code="PCC_ENGLISH_NAME_CHARACTERS")


def _upper_latin(char: str) -> str:
    return char.upper() if unicodedata.name(char, "").startswith("LATIN ") else char


def clean_display_name(value: str) -> str:
    """A name as it is shown and stored for display: trimmed, single spaces, Latin in capitals.

    The ARC prints Latin names in capitals (DOMAIN.md §4), so "Coi  zhuna" is shown "COI ZHUNA".
    Unlike :func:`normalise_name` the spaces between words stay: this is for people to read.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", str(value)))
    text = " ".join(text.split())
    return unicodedata.normalize("NFC", "".join(_upper_latin(char) for char in text))


# --- Passport numbers -----------------------------------------------------------------------------


def normalise_passport_number(value: str) -> str:
    """A passport number as stored: upper case, without spaces or dashes (DOMAIN.md §7)."""
    if not value:
        return ""
    text = _as_text(value, message=PASSPORT_FORMAT_MESSAGE, code="PCC_PASSPORT_FORMAT")
    return _PASSPORT_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def validate_passport_number(value: str) -> None:
    """5 to 20 letters A–Z and digits once normalised (DOMAIN.md §7: registration by passport).

    The range is wide on purpose: formats differ by issuing country, and this check only refuses
    what cannot be a passport number at all. Code: ``PCC_PASSPORT_FORMAT``.
    """
    number = normalise_passport_number(value)
    if not PASSPORT_MIN_LENGTH <= len(number) <= PASSPORT_MAX_LENGTH or not _PASSPORT.fullmatch(number):
        raise ValidationError(PASSPORT_FORMAT_MESSAGE, code="PCC_PASSPORT_FORMAT")


# --- Birth dates ----------------------------------------------------------------------------------


def validate_birth_date_8(value: str | date, *, today: date | None = None) -> date:
    """Parse an 8-digit date of birth ``YYYYMMDD`` as the mobile-phone verification form asks (DOMAIN.md §4).

    Returns the date. Codes: ``PCC_BIRTH_DATE_FORMAT`` (not 8 digits), ``PCC_BIRTH_DATE_INVALID``
    (no such day), ``PCC_BIRTH_DATE_FUTURE`` and ``PCC_BIRTH_DATE_TOO_EARLY`` (before 1900: nobody
    applying today was born earlier, so it is a typo in the year).
    """
    if isinstance(value, datetime):
        birth_date = value.date()
    elif isinstance(value, date):
        birth_date = value
    else:
        text = _as_text(value, message=BIRTH_DATE_FORMAT_MESSAGE, code="PCC_BIRTH_DATE_FORMAT")
        text = unicodedata.normalize("NFKC", text).strip()
        if not _BIRTH_DATE_8.fullmatch(text):
            raise ValidationError(BIRTH_DATE_FORMAT_MESSAGE, code="PCC_BIRTH_DATE_FORMAT")
        try:
            birth_date = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            raise ValidationError(BIRTH_DATE_INVALID_MESSAGE, code="PCC_BIRTH_DATE_INVALID") from None
    if birth_date > (today or _today()):
        raise ValidationError(BIRTH_DATE_FUTURE_MESSAGE, code="PCC_BIRTH_DATE_FUTURE")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(BIRTH_DATE_TOO_EARLY_MESSAGE, code="PCC_BIRTH_DATE_TOO_EARLY")
    return birth_date
