"""The Personal Customs Code itself: its format, check digit, generation, validation and masking.

A PCC is ``P`` + issue year (2 digits) + assigned number (9 digits) + check digit (1 digit)
(DOMAIN.md §2, seeds 000 and 001). The check digit is Verhoeff's over the 11 digits before it: it
catches every single-digit error and every swap of two adjacent digits, the two mistakes people make
most when copying a code from a screen to a shopping-mall form. The assigned number comes from a
CSPRNG so codes cannot be enumerated (DOMAIN.md §2). Whether a code is already in use is a database
question and lives in the issuance services, not here.

Screens and SMS never show a whole code (DOMAIN.md §8): use :func:`mask_code`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE_PREFIX = "P"
CODE_LENGTH = 13
BODY_LENGTH = 11  # year (2) + assigned number (9): what the check digit covers
FIRST_VERHOEFF_YEAR = 26  # this product issues codes from 2026 on (DOMAIN.md §3 validity rule)

# Verhoeff's tables (J. Verhoeff, 1969): multiplication in the dihedral group D5, the position
# permutation (powers of one permutation, period 8) and the group inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

# ASCII only: Python's \d also matches Arabic-Indic and other digits, which are not part of a code.
_DIGITS = re.compile(r"[0-9]+")
_CODE = re.compile(r"P[0-9]{12}")
# People paste codes with spaces or with dashes of every kind a word processor or IME produces.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")

MASKED_UNKNOWN_CODE = "*" * CODE_LENGTH

CODE_FORMAT_MESSAGE = _("A personal customs code is the letter P followed by 12 digits, for example P261234567895.")
CODE_CHECK_DIGIT_MESSAGE = _(
    "This personal customs code is not valid; there is probably a typo. "
    "Check each digit against the code you were given."
)


def _require_digits(digits: str) -> None:
    if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
        # A programming error, not user input: callers normalise first. No value in the message.
        raise ValueError("Verhoeff digits must be a non-empty string of ASCII digits.")


def verhoeff_check_digit(digits: str) -> str:
    """Return the Verhoeff check digit to append to ``digits`` (DOMAIN.md §2)."""
    _require_digits(digits)
    checksum = 0
    # The digit to be appended takes position 0, so the existing digits start at position 1.
    for position, digit in enumerate(reversed(digits), start=1):
        checksum = _D[checksum][_P[position % 8][int(digit)]]
    return str(_INV[checksum])


def verhoeff_is_valid(digits: str) -> bool:
    """Whether ``digits`` (check digit included, last) satisfies Verhoeff's check."""
    if not isinstance(digits, str) or len(digits) < 2 or not _DIGITS.fullmatch(digits):
        return False
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        checksum = _D[checksum][_P[position % 8][int(digit)]]
    return checksum == 0


def code_generate(*, year: int) -> str:
    """Draw a new, well-formed code for ``year`` (DOMAIN.md §2).

    The 9-digit assigned number comes from :mod:`secrets`, so knowing one code says nothing about
    the next. Uniqueness (a code is never reused) is checked by the issuing service against the
    database, which is the only place that knows every code ever issued.
    """
    # Two digits name the year only within one century; codes of this product are issued in 20xx.
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise ValueError("The issue year must be an integer from 2000 to 2099.")
    body = f"{year % 100:02d}{secrets.randbelow(10**9):09d}"
    return f"{CODE_PREFIX}{body}{verhoeff_check_digit(body)}"


def normalise_code(value: str) -> str:
    """Return ``value`` as a code would be stored: no spaces or dashes, upper case.

    "p26-1234 5678 90" becomes "P261234567890". Full-width characters typed with a Korean IME
    (Ｐ２６…) become ASCII. The result is not necessarily a valid code: see :func:`validate_code`.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(CODE_FORMAT_MESSAGE, code="PCC_CODE_FORMAT")
    text = unicodedata.normalize("NFKC", value)
    return _SEPARATORS.sub("", text).upper()


def validate_code_format(value: str) -> None:
    """Only the shape, ``P`` + 12 digits, without the check digit: raises ``PCC_CODE_FORMAT``.

    For stored numbers that may predate this product: codes imported from UNI-PASS were issued
    without this product's Verhoeff digit (DOMAIN.md §2), so the database column cannot demand it.
    What a person types goes through :func:`validate_code`.
    """
    if not _CODE.fullmatch(normalise_code(value)):
        raise ValidationError(CODE_FORMAT_MESSAGE, code="PCC_CODE_FORMAT")


def validate_code(value: str) -> None:
    """The one validator for a PCC typed or sent by anyone: forms, API and admin.

    Accepts what :func:`normalise_code` can tidy up; raises ``PCC_CODE_FORMAT`` when the value is not
    ``P`` + 12 digits and ``PCC_CODE_CHECK_DIGIT`` when the Verhoeff check fails (DOMAIN.md §2).
    Returns ``None``, like Django's validators.
    """
    validate_code_format(value)
    digits = normalise_code(value)[1:]
    # Codes of issue year 26 and later are ours and carry the Verhoeff digit; earlier ones were
    # numbered by UNI-PASS before this product and are checked for shape only (docs/adr/0002).
    if int(digits[:2]) >= FIRST_VERHOEFF_YEAR and not verhoeff_is_valid(digits):
        raise ValidationError(CODE_CHECK_DIGIT_MESSAGE, code="PCC_CODE_CHECK_DIGIT")


def is_valid_code(value: str) -> bool:
    """Whether :func:`validate_code` accepts ``value``."""
    try:
        validate_code(value)
    except ValidationError:
        return False
    return True


def mask_code(code: str) -> str:
    """Show a code as ``P26******5678``: prefix and year, then the last four digits (DOMAIN.md §8).

    The year and last four digits let a holder recognise their code without exposing it. Masking
    runs on display paths, so it never raises: anything that is not a code is masked entirely, and
    an empty value stays empty, as in :mod:`personal_data.masking`.
    """
    if code is None or (isinstance(code, str) and not code.strip()):
        return ""
    try:
        normalised = normalise_code(code)
    except ValidationError:
        return MASKED_UNKNOWN_CODE
    if not _CODE.fullmatch(normalised):
        return MASKED_UNKNOWN_CODE
    return f"{normalised[:3]}{'*' * 6}{normalised[-4:]}"
