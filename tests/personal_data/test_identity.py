"""Resident numbers, names, passport numbers and birth dates (DOMAIN.md §4, §5, §7)."""

import calendar
from dataclasses import FrozenInstanceError
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from personal_data.identity import (
    ResidentNumber,
    clean_display_name,
    normalise_name,
    normalise_passport_number,
    normalise_resident_number,
    parse_resident_number,
    validate_birth_date_8,
    validate_english_name,
    validate_holder_name,
    validate_passport_number,
    validate_resident_number,
)
from tests.expectations import error_text, rejected_with

TODAY = date(2026, 3, 1)

# Digit 7 → (century, sex, is_foreigner), as DOMAIN.md §4 lists them.
GENDER_DIGITS = {
    "1": (1900, "M", False),
    "2": (1900, "F", False),
    "3": (2000, "M", False),
    "4": (2000, "F", False),
    "5": (1900, "M", True),
    "6": (1900, "F", True),
    "7": (2000, "M", True),
    "8": (2000, "F", True),
    "9": (1800, "M", False),
    "0": (1800, "F", False),
}


# --- Resident registration numbers ----------------------------------------------------------------


@st.composite
def resident_numbers(draw):
    birth_date = draw(st.dates(min_value=date(1800, 1, 1), max_value=TODAY))
    century = birth_date.year // 100 * 100
    gender_digit = draw(st.sampled_from([g for g, (c, _, _) in GENDER_DIGITS.items() if c == century]))
    serial = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    return birth_date, gender_digit, f"{birth_date:%y%m%d}-{gender_digit}{serial}"


@given(resident_numbers())
def test_every_real_date_with_its_centurys_gender_digit_parses_back(case):
    birth_date, gender_digit, formatted = case
    _, sex, is_foreigner = GENDER_DIGITS[gender_digit]
    parsed = parse_resident_number(formatted, today=TODAY)
    assert parsed.birth_date == birth_date
    assert (parsed.sex, parsed.is_foreigner) == (sex, is_foreigner)
    assert parsed.formatted == formatted
    assert parsed.digits == formatted.replace("-", "")
    assert parse_resident_number(parsed.digits, today=TODAY) == parsed


@given(
    yymmdd=st.tuples(*[st.integers(min_value=0, max_value=99)] * 3),
    gender_digit=st.sampled_from(sorted(GENDER_DIGITS)),
)
def test_numbers_whose_first_six_digits_are_no_date_in_that_century_are_refused(yymmdd, gender_digit):
    yy, mm, dd = yymmdd
    century = GENDER_DIGITS[gender_digit][0]
    assume(not (1 <= mm <= 12 and 1 <= dd <= calendar.monthrange(century + yy, mm)[1]))
    with rejected_with("PCC_RRN_DATE"):
        parse_resident_number(f"{yy:02d}{mm:02d}{dd:02d}-{gender_digit}234567", today=TODAY)


@pytest.mark.parametrize(
    ("number", "leap"),
    [
        ("000229-3234567", True),  # 2000 is a leap year
        ("000229-1234567", False),  # 1900 is not
        ("040229-1234567", True),  # 1904
        ("010229-3234567", False),  # 2001
        ("960229-6234567", True),  # 1996, foreigner
        ("000229-9234567", False),  # 1800 is not
    ],
)
def test_feb_29_is_a_date_only_in_leap_years_of_the_century_digit_7_gives(number, leap):
    if leap:
        assert parse_resident_number(number, today=TODAY).birth_date.day == 29
    else:
        with rejected_with("PCC_RRN_DATE"):
            parse_resident_number(number, today=TODAY)


@pytest.mark.parametrize(("gender_digit", "expected"), sorted(GENDER_DIGITS.items()))
def test_digit_7_gives_century_sex_and_nationality(gender_digit, expected):
    century, sex, is_foreigner = expected
    parsed = parse_resident_number(f"020304-{gender_digit}234567", today=TODAY)
    assert parsed.birth_date == date(century + 2, 3, 4)
    assert (parsed.sex, parsed.is_foreigner) == (sex, is_foreigner)


def test_a_birth_date_in_the_future_is_refused():
    with rejected_with("PCC_RRN_FUTURE"):
        parse_resident_number("260302-3234567", today=TODAY)
    assert parse_resident_number("260301-3234567", today=TODAY).birth_date == TODAY


def test_the_future_is_judged_by_todays_korean_date_by_default():
    with rejected_with("PCC_RRN_FUTURE"):
        validate_resident_number("991231-8234567")  # 31 December 2099


@pytest.mark.parametrize("last_digit", "0123456789")
def test_the_legacy_check_digit_is_not_verified(last_digit):
    # Numbers assigned since October 2020 end in a random digit (DOMAIN.md §4).
    assert parse_resident_number(f"210101-723456{last_digit}", today=TODAY).is_foreigner


@pytest.mark.parametrize(
    "typed",
    [
        "900101-5234567",
        "9001015234567",
        " 900101 - 5234567 ",
        "900101 5234567",
        "900101\u30005234567",
        "900101\u20135234567",
        "９００１０１－５２３４５６７",
    ],
)
def test_resident_numbers_are_accepted_with_or_without_dash_and_spaces(typed):
    assert normalise_resident_number(typed) == "9001015234567"
    validate_resident_number(typed)


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "900101-523456",
        "90010-15234567",
        "900101--5234567",
        "900101-523456X",
        "abcdef-ghijklm",
        9001015234567,
    ],
)
def test_anything_but_13_digits_is_refused_as_a_format_error(value):
    with rejected_with("PCC_RRN_FORMAT"):
        normalise_resident_number(value)
    with rejected_with("PCC_RRN_FORMAT"):
        validate_resident_number(value)


@pytest.mark.parametrize(
    ("number", "declared"),
    [
        ("900101-5234567", {"is_foreigner": False}),
        ("900101-1234567", {"is_foreigner": True}),
        ("900101-5234567", {"sex": "F"}),
        ("900101-0234567", {"sex": "M"}),
    ],
)
def test_digit_7_contradicting_the_declared_sex_or_nationality_is_refused(number, declared):
    with rejected_with("PCC_RRN_GENDER_DIGIT"):
        parse_resident_number(number, today=TODAY, **declared)


def test_digit_7_agreeing_with_the_declared_sex_and_nationality_is_accepted():
    parsed = parse_resident_number("900101-6234567", sex="F", is_foreigner=True, today=TODAY)
    assert parsed.sex == "F"


def test_resident_number_is_shown_masked_and_never_leaks_through_repr_or_str():
    parsed = parse_resident_number("900101-5234567", today=TODAY)
    assert parsed.masked == "900101-5******"
    assert parsed.formatted == "900101-5234567"
    assert "234567" not in repr(parsed)
    assert "234567" not in str(parsed)
    assert "234567" not in f"{parsed!r} {[parsed]}"


def test_resident_number_is_immutable():
    parsed = parse_resident_number("900101-5234567", today=TODAY)
    assert isinstance(parsed, ResidentNumber)
    with pytest.raises(FrozenInstanceError):
        parsed.digits = "0000000000000"


@pytest.mark.parametrize("value", ["851224-612345", "871301-6345678", "980707-3456789"])
def test_a_rejected_resident_number_never_appears_in_the_error(value):
    with pytest.raises(ValidationError) as info:
        parse_resident_number(value, today=TODAY)
    text = error_text(info.value)
    assert value not in text
    assert value.replace("-", "") not in text
    assert info.value.params is None


# --- Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Coi Zhuna", "COI ZHUNA", "COIZHUNA", " coi  zhuna ", "Coi\u3000Zhuna", "coi\tzhuna\n"]
)
def test_normalise_name_ignores_case_and_every_space_seed_001_q3(typed):
    assert normalise_name(typed) == "COIZHUNA"


def test_normalise_name_composes_decomposed_accents():
    assert normalise_name("Jose\u0301 Mari\u0301a") == normalise_name("José María") == "JOSÉMARÍA"


def test_normalise_name_drops_invisible_characters_pasted_with_a_name():
    assert normalise_name("COI\u200bZHUNA\ufeff") == "COIZHUNA"


@given(st.text())
def test_normalise_name_is_idempotent(name):
    once = normalise_name(name)
    assert normalise_name(once) == once


name_letters = st.characters(
    categories=["Lu", "Ll", "Lo"],
    exclude_characters="\u0130\u0131\u017f",  # İ ı ſ: case mappings that are not each other's inverse
)
spaces = st.sampled_from([" ", "  ", "\u3000", "\t", "\u00a0", "\n"])


@given(name=st.text(alphabet=name_letters, min_size=1, max_size=20), data=st.data())
def test_normalise_name_is_insensitive_to_case_and_inserted_whitespace(name, data):
    positions = data.draw(st.lists(st.integers(min_value=0, max_value=len(name)), max_size=5))
    spaced = name
    for position in sorted(positions, reverse=True):
        spaced = spaced[:position] + data.draw(spaces) + spaced[position:]
    expected = normalise_name(name)
    assert normalise_name(spaced) == expected
    assert normalise_name(name.lower()) == expected
    assert normalise_name(spaced.upper()) == expected


@pytest.mark.parametrize(
    "name",
    [
        "홍길동",
        "COI ZHUNA",
        "Coi Zhuna",
        "José María",
        "Jose\u0301",
        "O'Brien-Smith, Jr.",
        "O\u2019Brien",
        "王小明",
        "Nguyễn Văn An",
        "Анна Иванова",
        "A" * 50,
        "  " + "홍" * 50 + "  ",
    ],
)
def test_holder_names_in_any_script_with_name_punctuation_are_accepted(name):
    validate_holder_name(name)


@pytest.mark.parametrize("name", ["Kim2", "홍길동!", "Lee@Home", "<b>Lee</b>", "Lee_Min", "-", "'Lee", "Coi\tZhuna"])
def test_holder_names_with_digits_or_symbols_are_refused(name):
    with rejected_with("PCC_NAME_CHARACTERS"):
        validate_holder_name(name)


@pytest.mark.parametrize("name", ["", "   ", "\u3000", None])
def test_holder_name_is_required(name):
    with rejected_with("PCC_NAME_REQUIRED"):
        validate_holder_name(name)


def test_holder_name_is_at_most_50_characters():
    with rejected_with("PCC_NAME_TOO_LONG"):
        validate_holder_name("홍" * 51)


@pytest.mark.parametrize("name", ["COI ZHUNA", "Mary-Jane O'Neil", "Smith, John Jr.", "a"])
def test_english_names_in_latin_letters_are_accepted(name):
    validate_english_name(name)


@pytest.mark.parametrize("name", ["José", "홍길동", "John3", "Анна", "John_Smith", ".John", "ＪＯＨＮ"])
def test_english_names_outside_a_to_z_are_refused(name):
    with rejected_with("PCC_ENGLISH_NAME_CHARACTERS"):
        validate_english_name(name)


def test_english_name_is_required_and_at_most_50_characters():
    with rejected_with("PCC_NAME_REQUIRED"):
        validate_english_name("  ")
    with rejected_with("PCC_NAME_TOO_LONG"):
        validate_english_name("A" * 51)
    validate_english_name("A" * 50)


def test_a_rejected_name_never_appears_in_the_error():
    with pytest.raises(ValidationError) as info:
        validate_holder_name("Secret Kim 007")
    assert "Secret" not in error_text(info.value)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("  coi   zhuna ", "COI ZHUNA"),
        ("홍  길동", "홍 길동"),
        ("josé\u3000maría", "JOSÉ MARÍA"),
        ("Jose\u0301", "JOSÉ"),
        ("Анна", "Анна"),  # only Latin is capitalised, as on the ARC
        ("", ""),
    ],
)
def test_clean_display_name_keeps_single_spaces_and_capitalises_latin(typed, shown):
    assert clean_display_name(typed) == shown


# --- Passport numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["M12345678", "m12345678", " m1234 5678 ", "M-1234-5678"])
def test_passport_numbers_are_normalised_to_capitals_without_separators(typed):
    assert normalise_passport_number(typed) == "M12345678"
    validate_passport_number(typed)


@pytest.mark.parametrize("number", ["AB123", "A" * 20])
def test_passport_numbers_of_5_to_20_letters_and_digits_are_accepted(number):
    validate_passport_number(number)


@pytest.mark.parametrize("number", ["", None, "M123", "A" * 21, "M1234567!", "М12345678", "M1234/5678"])
def test_passport_numbers_outside_5_to_20_letters_and_digits_are_refused(number):
    with rejected_with("PCC_PASSPORT_FORMAT"):
        validate_passport_number(number)


# --- Birth dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["19900131", " 19900131 ", "１９９００１３１"])
def test_eight_digit_birth_dates_are_parsed(typed):
    assert validate_birth_date_8(typed, today=TODAY) == date(1990, 1, 31)


def test_birth_date_objects_are_checked_too():
    assert validate_birth_date_8(date(1990, 1, 31), today=TODAY) == date(1990, 1, 31)
    assert validate_birth_date_8(datetime(1990, 1, 31, 12), today=TODAY) == date(1990, 1, 31)


@pytest.mark.parametrize("typed", ["", None, "900131", "1990-01-31", "1990013", "199001311", "1990O131"])
def test_birth_dates_not_typed_as_8_digits_are_refused(typed):
    with rejected_with("PCC_BIRTH_DATE_FORMAT"):
        validate_birth_date_8(typed, today=TODAY)


@pytest.mark.parametrize("typed", ["19900230", "19901301", "19900000", "19000229"])
def test_birth_dates_that_do_not_exist_are_refused(typed):
    with rejected_with("PCC_BIRTH_DATE_INVALID"):
        validate_birth_date_8(typed, today=TODAY)


def test_leap_day_birth_dates_are_accepted_in_leap_years():
    assert validate_birth_date_8("20000229", today=TODAY) == date(2000, 2, 29)


def test_birth_dates_in_the_future_are_refused():
    with rejected_with("PCC_BIRTH_DATE_FUTURE"):
        validate_birth_date_8("20260302", today=TODAY)
    assert validate_birth_date_8("20260301", today=TODAY) == TODAY


def test_birth_dates_before_1900_are_refused_as_implausible():
    with rejected_with("PCC_BIRTH_DATE_TOO_EARLY"):
        validate_birth_date_8("18991231", today=TODAY)
    assert validate_birth_date_8("19000101", today=TODAY) == date(1900, 1, 1)
