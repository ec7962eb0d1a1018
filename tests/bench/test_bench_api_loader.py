"""The API benchmark's loader (bench/api.py) writes holders the application reads as its own.

The loader COPYs rows instead of calling `code_issue`, so its numbers mean something only if those
rows are exactly what the model fields would have written (personal_data/fields.py, docs/adr/0001):
values sealed under the holder's data key with the field's associated data, blind indexes equal to
what `BlindIndexField` computes, a code that validates and is in use, and requests that match.
"""

import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

from issuance.codes import validate_code
from issuance.models import Code, DeliveryAddress, Holder
from issuance.selectors import holder_find_by_resident_number
from personal_data.blind_index import blind_index_of
from personal_data.fields import BlindIndexField
from personal_data.keyring import get_keyring

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
LOADED = 60  # holders 0..59: every nationality, both rules, 0–2 delivery addresses, with and without telephone


@pytest.fixture(scope="module")
def bench_api():
    # api.py imports its shared machinery from run.py as a script does, with bench/ on the path.
    sys.path.insert(0, str(BENCH_DIR))
    try:
        yield importlib.import_module("bench.api")
    finally:
        sys.path.remove(str(BENCH_DIR))


@pytest.fixture
def people(db, bench_api):
    """Holders 0..LOADED-1 loaded by COPY into the test database, and the people they were made from."""
    rows = bench_api.rows_build(0, LOADED)
    with connection.cursor() as cursor:
        bench_api.rows_copy(cursor.cursor, rows)  # the psycopg 3 cursor under Django's wrapper
    return [bench_api.person(index) for index in range(LOADED)]


def loaded_holder(someone) -> Holder:
    return Holder.objects.select_related("data_key").get(codes__number=someone.code)


def test_loaded_holders_decrypt_to_the_people_they_were_made_from(people):
    for someone in people:
        holder = loaded_holder(someone)
        assert holder.data_key.master_key_id == get_keyring().current.key_id
        assert (holder.name, holder.english_name) == (someone.name, someone.english_name)
        assert (holder.resident_number, holder.birth_date) == (someone.resident_number, someone.birth_date)
        assert (holder.mobile, holder.telephone) == (someone.mobile, someone.telephone)
        assert (holder.address, holder.postcode, holder.email) == (someone.address, someone.postcode, someone.email)
        assert holder.details_updated_on == someone.details_updated_on
        places = [(d.address, d.postcode) for d in holder.delivery_addresses.select_related("holder__data_key")]
        assert places == [(place.address, place.postcode) for place in someone.delivery]


def test_loaded_values_pass_the_models_validators(people):
    # The validators run on the decrypted values: names, RRN, E.164 phones, postcodes, email.
    for someone in people:
        holder = loaded_holder(someone)
        holder.full_clean(exclude=["data_key"])
        for delivery in holder.delivery_addresses.all():
            delivery.full_clean(exclude=["holder"])


def test_loaded_blind_indexes_are_what_the_model_field_computes(people):
    for someone in people:
        holder = loaded_holder(someone)
        stored = {f.attname: getattr(holder, f.attname) for f in Holder._meta.fields if isinstance(f, BlindIndexField)}
        for field in Holder._meta.fields:
            if isinstance(field, BlindIndexField):
                stored_value = stored[field.attname]
                assert (bytes(stored_value) if stored_value else None) == field.pre_save(holder, False), field.name
        for delivery in DeliveryAddress.objects.filter(holder=holder):
            assert bytes(delivery.postcode_index) == blind_index_of("postcode", delivery.postcode)


def test_loaded_holder_is_found_by_blind_index(people):
    for someone in people:
        holder = loaded_holder(someone)
        assert holder_find_by_resident_number(someone.resident_number) == holder
        assert holder in Holder.objects.filter(name_index=blind_index_of("name", someone.name))
        by_english = blind_index_of("name", someone.english_name.lower().replace(" ", ""))
        assert holder in Holder.objects.filter(english_name_index=by_english)


def test_loaded_codes_validate_and_are_the_holders_one_code_in_use(bench_api, people):
    for someone in people:
        code = Code.objects.get(number=someone.code)
        validate_code(code.number)
        assert code.is_in_use
        assert code.is_legacy == (not someone.postcode_rule)
        assert code.expires_on > code.issued_at.date()
        assert list(code.holder.codes.all()) == [code]
    assert {someone.postcode_rule for someone in people} == {True, False}  # both rules are loaded


def test_sampled_requests_match_the_holder_of_their_code(bench_api, people):
    """What a forwarder sends (DOMAIN.md §6): the name matches the Korean or English name, the phone
    the mobile or telephone, the postcode the main address or a delivery address."""
    requests = bench_api.request_sample(LOADED, count=LOADED)
    assert len({request.code for request in requests}) == LOADED
    for request in requests:
        holder = Holder.objects.get(codes__number=request.code)
        name = blind_index_of("name", request.name)
        phone = blind_index_of("phone", request.phone)
        postcode = blind_index_of("postcode", request.postcode)
        assert name in (bytes(holder.name_index), bytes(holder.english_name_index))
        assert phone in (bytes(holder.mobile_index), bytes(holder.telephone_index or b""))
        delivery = {bytes(d.postcode_index) for d in DeliveryAddress.objects.filter(holder=holder)}
        assert postcode == bytes(holder.postcode_index) or postcode in delivery


def test_people_are_reproducible_and_unique(bench_api):
    # A run regenerates its requests from the seed, and the database refuses a repeated resident
    # number or code: both must hold across a whole load, including past the first million.
    indexes = [*range(4000), *range(999_000, 1_001_000), *range(3_998_000, 4_000_000)]
    people = [bench_api.person(index) for index in indexes]
    assert bench_api.person(123_456) == bench_api.person(123_456)
    assert len({someone.resident_number for someone in people}) == len(indexes)
    assert len({someone.code for someone in people}) == len(indexes)
    assert {someone.nationality == "KR" for someone in people} == {True, False}


def test_generated_phones_are_numbers_phonenumbers_accepts(bench_api):
    # The loader indexes the E.164 directly (no parse per value); a number phonenumbers refuses would
    # be stored with an index no request can reproduce (blind_index._phone), and never match.
    from personal_data.contact import validate_mobile_phone, validate_telephone

    for index in range(0, 4_000_000, 97):  # 41,238 people spread over every index a load can use
        someone = bench_api.person(index)
        validate_mobile_phone(someone.mobile)
        if someone.telephone:
            validate_telephone(someone.telephone)
