"""The code's format, Verhoeff check digit, generation and masking (DOMAIN.md §2, §8)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from issuance import codes
from issuance.codes import (
    code_generate,
    is_valid_code,
    mask_code,
    normalise_code,
    validate_code,
    validate_code_format,
    verhoeff_check_digit,
    verhoeff_is_valid,
)
from tests.expectations import rejected_with

bodies = st.text(alphabet="0123456789", min_size=11, max_size=11)
digits = st.sampled_from("0123456789")


def with_check_digit(body: str) -> str:
    return body + verhoeff_check_digit(body)


# --- Verhoeff -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check_digit"),
    [("236", "3"), ("12345", "1"), ("142857", "0")],
)
def test_check_digit_matches_published_verhoeff_examples(body, check_digit):
    assert verhoeff_check_digit(body) == check_digit
    assert verhoeff_is_valid(body + check_digit)


def test_inverse_table_inverts_the_dihedral_multiplication():
    for element in range(10):
        assert codes._D[element][codes._INV[element]] == 0
        assert codes._D[codes._INV[element]][element] == 0


def test_position_permutations_are_powers_of_the_first():
    first = codes._P[1]
    for power in range(1, 8):
        assert codes._P[power] == tuple(first[value] for value in codes._P[power - 1])
    assert tuple(first[value] for value in codes._P[7]) == codes._P[0]


@given(body=bodies, position=st.integers(min_value=0, max_value=11), replacement=digits)
def test_check_digit_detects_every_single_digit_substitution(body, position, replacement):
    code_digits = with_check_digit(body)
    assume(code_digits[position] != replacement)
    altered = code_digits[:position] + replacement + code_digits[position + 1 :]
    assert not verhoeff_is_valid(altered)


@given(body=bodies, position=st.integers(min_value=0, max_value=10))
def test_check_digit_detects_every_adjacent_transposition(body, position):
    code_digits = with_check_digit(body)
    first, second = code_digits[position], code_digits[position + 1]
    assume(first != second)
    swapped = code_digits[:position] + second + first + code_digits[position + 2 :]
    assert not verhoeff_is_valid(swapped)


def test_check_digit_detects_every_adjacent_transposition_exhaustively():
    # In a group code, whether a swap is caught depends only on the two digits and their position,
    # so one valid code per (position, pair) covers every 12-digit code there is.
    for position in range(11):
        for first in "0123456789":
            for second in "0123456789":
                if first == second:
                    continue
                code_digits = _valid_digits_with_pair(position=position, first=first, second=second)
                swapped = code_digits[:position] + second + first + code_digits[position + 2 :]
                assert verhoeff_is_valid(code_digits)
                assert not verhoeff_is_valid(swapped), (position, first, second)


def _valid_digits_with_pair(*, position: int, first: str, second: str) -> str:
    for lead in "0123456789":
        body = list(lead + "0" * 10)
        body[position] = first
        if position + 1 < 11:
            body[position + 1] = second
        candidate = with_check_digit("".join(body))
        if candidate[position : position + 2] == first + second:
            return candidate
    raise AssertionError("the first digit reaches every check digit, so one lead must fit")


@pytest.mark.parametrize("value", ["", "12a4", "١٢٣", None])
def test_check_digit_refuses_anything_but_ascii_digits(value):
    with pytest.raises(ValueError):
        verhoeff_check_digit(value)
    assert not verhoeff_is_valid(value)


# --- Generation -----------------------------------------------------------------------------------


@given(year=st.integers(min_value=2000, max_value=2099))
def test_generated_codes_always_validate_and_carry_the_issue_year(year):
    code = code_generate(year=year)
    assert len(code) == 13
    assert code.startswith(f"P{year % 100:02d}")
    assert is_valid_code(code)


def test_assigned_number_is_drawn_from_secrets(monkeypatch):
    calls = []

    def fake_randbelow(limit):
        calls.append(limit)
        return 42

    monkeypatch.setattr(codes.secrets, "randbelow", fake_randbelow)
    code = code_generate(year=2026)
    assert calls == [10**9]
    assert code[:12] == "P26000000042"


def test_assigned_numbers_are_not_sequential():
    numbers = {code_generate(year=2026)[3:12] for _ in range(200)}
    assert len(numbers) == 200


@pytest.mark.parametrize("year", [1999, 2100, 26, True, "2026", 2026.0])
def test_code_generate_refuses_a_year_two_digits_cannot_name(year):
    with pytest.raises(ValueError):
        code_generate(year=year)


def test_code_generate_takes_the_year_by_keyword_only():
    with pytest.raises(TypeError):
        code_generate(2026)


# --- Normalisation and validation -----------------------------------------------------------------

VALID = with_check_digit("26123456789")
VALID_CODE = "P" + VALID


@pytest.mark.parametrize(
    "typed",
    [
        VALID_CODE,
        VALID_CODE.lower(),
        f"  {VALID_CODE}  ",
        f"{VALID_CODE[:3]}-{VALID_CODE[3:7]}-{VALID_CODE[7:]}",
        f"p{VALID[:2]} {VALID[2:6]} {VALID[6:]}",
        f"{VALID_CODE[:3]}\u2013{VALID_CODE[3:]}",  # en dash from a word processor
        "".join(chr(ord(char) + 0xFEE0) for char in VALID_CODE),  # full-width, typed with a Korean IME
    ],
)
def test_validate_code_accepts_what_people_paste_and_normalise_code_tidies_it(typed):
    validate_code(typed)
    assert normalise_code(typed) == VALID_CODE


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "P12345",
        "X" + VALID,
        "P" + VALID[:-1] + "O",
        VALID_CODE + "0",
        VALID,
        "P" + "".join(chr(ord(char) + 0x0630) for char in VALID),  # Arabic-Indic digits
        12345678901234,
    ],
)
def test_validate_code_refuses_anything_but_p_and_12_digits(value):
    with rejected_with("PCC_CODE_FORMAT"):
        validate_code(value)
    assert not is_valid_code(value)


def test_validate_code_reports_a_wrong_check_digit_as_a_probable_typo():
    wrong = VALID_CODE[:-1] + str((int(VALID_CODE[-1]) + 1) % 10)
    with rejected_with("PCC_CODE_CHECK_DIGIT") as info, translation.override("en"):
        validate_code(wrong)
    with translation.override("en"):
        assert "typo" in str(info.value.messages[0])


def test_validate_code_format_accepts_legacy_codes_without_this_products_check_digit():
    legacy = VALID_CODE[:-1] + str((int(VALID_CODE[-1]) + 1) % 10)
    validate_code_format(legacy)
    with rejected_with("PCC_CODE_FORMAT"):
        validate_code_format("P12")


@pytest.mark.parametrize("value", ["P9876543", VALID_CODE[:-1] + str((int(VALID_CODE[-1]) + 1) % 10)])
def test_a_rejected_code_never_appears_in_the_error(value):
    with pytest.raises(ValidationError) as info:
        validate_code(value)
    with translation.override("en"):
        text = " ".join(str(message) for message in info.value.messages)
    assert value not in text
    assert value not in repr(info.value)
    assert info.value.params is None


def test_validate_code_returns_none_like_a_django_validator():
    assert validate_code(VALID_CODE) is None


# --- Masking --------------------------------------------------------------------------------------


def test_mask_code_shows_prefix_year_and_last_four_digits():
    assert mask_code("P261234567890") == "P26******7890"
    assert mask_code("p26-1234-5678-90") == "P26******7890"


@pytest.mark.parametrize("value", ["P12", "hello", "P26123456789X", 123, object()])
def test_mask_code_masks_anything_that_is_not_a_code_entirely(value):
    assert mask_code(value) == "*" * 13


@pytest.mark.parametrize("value", ["", "   ", None])
def test_mask_code_leaves_an_empty_value_empty(value):
    assert mask_code(value) == ""


def test_check_digit_is_required_from_issue_year_26_and_not_on_legacy_numbers():
    body = "26" + "123456789"
    good = "P" + body + verhoeff_check_digit(body)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    validate_code(good)
    with pytest.raises(ValidationError) as excinfo:
        validate_code(bad)
    assert excinfo.value.code == "PCC_CODE_CHECK_DIGIT"
    for legacy in ("P24" + bad[3:], "P24" + good[3:]):  # numbered by UNI-PASS before 2026: shape only
        validate_code(legacy)
