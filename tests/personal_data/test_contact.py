"""Phone numbers, postcodes and email addresses on the application form (DOMAIN.md §5, §6)."""

import pytest
from django.core.exceptions import ValidationError

from personal_data.contact import (
    format_phone_national,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    phone_digits,
    validate_email_address,
    validate_mobile_phone,
    validate_postcode,
    validate_telephone,
)
from tests.expectations import error_text, rejected_with

# --- Phone numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "010-1234-5678",
        "01012345678",
        "+82 10 1234 5678",
        "+82 010 1234 5678",
        " 010 1234 5678 ",
        "０１０-１２３４-５６７８",
    ],
)
def test_the_ways_people_write_a_mobile_number_normalise_to_one_e164(typed):
    assert normalise_phone(typed) == "+821012345678"


def test_landlines_normalise_to_e164_too():
    assert normalise_phone("02-123-4567") == "+8221234567"
    assert normalise_phone("031-123-4567") == "+82311234567"


@pytest.mark.parametrize("value", ["", None, "hello", "12", "+1 202 555 0123", "+44 20 7946 0958", 1012345678])
def test_normalise_phone_refuses_what_is_not_a_korean_number(value):
    with rejected_with("PCC_PHONE_INVALID"):
        normalise_phone(value)


@pytest.mark.parametrize("number", ["010-1234-5678", "+82 10 9876 5432", "011-123-4567"])
def test_korean_mobile_numbers_are_accepted_as_mobile(number):
    validate_mobile_phone(number)


@pytest.mark.parametrize("number", ["02-123-4567", "031-123-4567", "070-1234-5678", "1588-1234"])
def test_a_valid_landline_or_service_number_given_as_mobile_is_refused_as_not_mobile(number):
    with rejected_with("PCC_MOBILE_NOT_MOBILE"):
        validate_mobile_phone(number)


@pytest.mark.parametrize("number", ["", "010-12", "hello", "+1 202 555 0123"])
def test_what_is_not_a_korean_number_is_refused_as_an_invalid_mobile(number):
    with rejected_with("PCC_MOBILE_INVALID"):
        validate_mobile_phone(number)


@pytest.mark.parametrize("number", ["02-123-4567", "031-123-4567", "010-1234-5678", "070-1234-5678"])
def test_landline_mobile_and_internet_phone_numbers_are_accepted_as_telephone(number):
    validate_telephone(number)


@pytest.mark.parametrize("number", ["1588-1234", "080-123-4567", "02-12", "", "+1 202 555 0123"])
def test_service_numbers_and_non_korean_numbers_are_refused_as_telephone(number):
    with rejected_with("PCC_PHONE_INVALID"):
        validate_telephone(number)


@pytest.mark.parametrize(
    ("e164", "national", "digits"),
    [
        ("+821012345678", "010-1234-5678", "01012345678"),
        ("+8221234567", "02-123-4567", "021234567"),
        ("+827012345678", "070-1234-5678", "07012345678"),
    ],
)
def test_stored_numbers_are_shown_the_korean_way_and_matched_by_national_digits(e164, national, digits):
    assert format_phone_national(e164) == national
    assert phone_digits(e164) == digits  # as UNI-PASS API028 sends cralTelno (DOMAIN.md §6)


def test_formatting_a_number_that_is_not_korean_raises_rather_than_guessing():
    with rejected_with("PCC_PHONE_INVALID"):
        phone_digits("+12025550123")


def test_a_rejected_phone_number_never_appears_in_the_error():
    with pytest.raises(ValidationError) as info:
        validate_mobile_phone("02-987-6543")
    text = error_text(info.value)
    assert "987" not in text
    assert "6543" not in text


# --- Postcodes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["06234", " 06234 ", "06 234", "０６２３４"])
def test_postcodes_normalise_to_five_digits(typed):
    assert normalise_postcode(typed) == "06234"
    validate_postcode(typed)


@pytest.mark.parametrize("postcode", ["01000", "63999", "10500"])
def test_postcodes_from_area_01_to_63_are_accepted(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize("postcode", ["", None, "00123", "64000", "99999", "1234", "abcde", "0623", "0623a"])
def test_postcodes_outside_five_digits_from_01_to_63_are_refused(postcode):
    with rejected_with("PCC_POSTCODE_FORMAT"):
        validate_postcode(postcode)


@pytest.mark.parametrize("postcode", ["135-080", "135080", "135 080"])
def test_old_six_digit_postcodes_are_refused_with_the_2015_explanation(postcode):
    with rejected_with("PCC_POSTCODE_OLD_FORMAT") as info:
        validate_postcode(postcode)
    assert "2015" in error_text(info.value)


# --- Email ----------------------------------------------------------------------------------------


def test_normalise_email_trims_and_lower_cases_only_the_domain():
    assert normalise_email("  Hong.GilDong@Example.COM ") == "Hong.GilDong@example.com"
    assert normalise_email("") == ""


@pytest.mark.parametrize("address", ["name@example.com", "Hong.GilDong+pcc@Example.CO.KR", " name@example.com "])
def test_ordinary_email_addresses_are_accepted(address):
    validate_email_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        None,
        "no-at-sign",
        "name@",
        "@example.com",
        "name@localhost",
        "a b@example.com",
        "name@exa mple.com",
    ],
)
def test_malformed_email_addresses_are_refused(address):
    with rejected_with("PCC_EMAIL_INVALID"):
        validate_email_address(address)


def test_email_addresses_are_at_most_254_characters():
    domain = "@" + "d" * 60 + "." + "e" * 60 + "." + "f" * 60 + ".kr"
    fits = "a" * (254 - len(domain)) + domain
    validate_email_address(fits)
    with rejected_with("PCC_EMAIL_INVALID"):
        validate_email_address("a" + fits)


def test_a_rejected_email_address_never_appears_in_the_error():
    with pytest.raises(ValidationError) as info:
        validate_email_address("secret.person@@example.com")
    assert "secret.person" not in error_text(info.value)
    assert info.value.params is None
