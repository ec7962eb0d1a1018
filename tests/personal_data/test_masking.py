"""Masking for screens and messages: the rules, and that masking never raises (DOMAIN.md §4, §8, §9)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personal_data.identity import parse_resident_number
from personal_data.masking import (
    mask_address,
    mask_email,
    mask_name,
    mask_passport_number,
    mask_phone,
    mask_resident_number,
)

MASKERS = [mask_resident_number, mask_name, mask_phone, mask_email, mask_passport_number, mask_address]

odd_values = st.one_of(
    st.text(),
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(),
    st.lists(st.text(), max_size=3),
)


@pytest.mark.parametrize("mask", MASKERS, ids=lambda mask: mask.__name__)
@settings(deadline=None)  # the first phone number loads phonenumbers' metadata
@given(value=odd_values)
def test_masking_never_raises_on_odd_input(mask, value):
    assert isinstance(mask(value), str)


@pytest.mark.parametrize("mask", MASKERS, ids=lambda mask: mask.__name__)
@pytest.mark.parametrize("value", ["", "   ", None])
def test_masking_leaves_an_empty_value_empty(mask, value):
    assert mask(value) == ""


# --- Resident numbers -----------------------------------------------------------------------------


@given(digits=st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_masked_resident_number_keeps_birth_date_and_digit_7_and_hides_the_rest(digits):
    assert mask_resident_number(digits) == f"{digits[:6]}-{digits[6]}******"
    assert mask_resident_number(f"{digits[:6]}-{digits[6:]}") == f"{digits[:6]}-{digits[6]}******"


def test_resident_number_mask_is_the_one_the_parsed_number_shows():
    assert parse_resident_number("900101-5234567").masked == mask_resident_number("9001015234567")


@pytest.mark.parametrize("value", ["900101-523456", "hello", "900101-5******"])
def test_what_is_not_a_resident_number_is_masked_entirely(value):
    assert mask_resident_number(value) == "******-*******"


# --- Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("홍길동", "홍*동"),
        ("남궁민수", "남**수"),
        ("홍길", "홍*"),
        ("홍", "*"),
        ("HONGGILD", "HO****LD"),
        ("Coi Zhuna", "CO*****NA"),
        ("  coi   zhuna ", "CO*****NA"),
        ("Kim Ana", "K*****A"),
    ],
)
def test_names_keep_their_ends_and_hide_the_middle(name, masked):
    assert mask_name(name) == masked


# A name made of asterisks would look masked already; real names have none.
@given(name=st.text(min_size=3, max_size=50).filter(lambda name: len(name.split()) > 0 and "*" not in name))
def test_a_masked_name_of_three_or_more_characters_hides_at_least_its_middle(name):
    masked = mask_name(name)
    assert masked != name
    assert "*" in masked


# --- Phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+821012345678", "010-****-5678"),
        ("010-1234-5678", "010-****-5678"),
        ("+8221234567", "02-***-4567"),
        ("+8215881234", "****1234"),
    ],
)
def test_phones_keep_prefix_and_last_four_digits(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize("number", ["hello", "+12025550123", "010-12"])
def test_what_is_not_a_korean_phone_is_masked_entirely(number):
    assert mask_phone(number) == "***-****-****"


# --- Email ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("abcdef@example.com", "ab***@example.com"),
        ("abcdef@Example.COM", "ab***@example.com"),
        ("abc@example.com", "ab***@example.com"),
        ("ab@example.com", "a***@example.com"),
        ("a@example.com", "***@example.com"),
    ],
)
def test_email_keeps_at_most_two_mailbox_characters_never_all_and_the_domain(address, masked):
    assert mask_email(address) == masked


def test_email_mask_does_not_reveal_the_mailbox_length():
    assert len(mask_email("ab" + "c" * 30 + "@example.com")) == len(mask_email("abc@example.com"))


@pytest.mark.parametrize("address", ["no-at-sign", "@example.com", "name@"])
def test_what_is_not_an_email_address_is_masked_entirely(address):
    assert mask_email(address) == "***"


# --- Passport numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("M12345678", "M123*****"),
        ("m1234-5678", "M123*****"),
        ("AB123", "AB***"),
        ("A1B2C3D4E5F6G7H8I9J0", "A1B2****************"),
    ],
)
def test_passport_numbers_show_their_first_half_and_at_most_four_characters(number, masked):
    assert mask_passport_number(number) == masked


@given(number=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=5, max_size=20))
def test_a_masked_passport_number_never_shows_more_than_four_characters(number):
    masked = mask_passport_number(number)
    assert len(masked) == len(number)
    assert len(masked.replace("*", "")) <= 4


@pytest.mark.parametrize("number", ["M12", "M1234!5678"])
def test_what_is_not_a_passport_number_is_masked_entirely(number):
    assert mask_passport_number(number) == "***"


# --- Addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("서울특별시 강남구 테헤란로 123, 4층", "서울특별시 강남구 ***"),
        ("경기도 수원시 팔달구 효원로 1", "경기도 수원시 ***"),
        ("세종특별자치시 한누리대로 2130", "세종특별자치시 ***"),  # Sejong has no city or district
        ("서울특별시 강남구", "서울특별시 ***"),
        ("서울특별시", "***"),
        ("123 Teheran-ro, Gangnam-gu, Seoul", "***"),
        ("Seoul 123 Teheran-ro", "Seoul ***"),
    ],
)
def test_addresses_keep_province_and_district_and_never_a_number(address, masked):
    assert mask_address(address) == masked
