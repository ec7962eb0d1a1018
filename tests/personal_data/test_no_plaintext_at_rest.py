"""A real backup (pg_dump) of the database, taken after issuing codes, holds no personal value in
plaintext: not in text columns, and not inside any binary (bytea) column either (DOMAIN.md §9)."""

import re
import shutil
import subprocess

import pytest
from django.db import connection

from issuance.demo import DEMO_PASSPORT_HOLDER, DEMO_PEOPLE, demo_data_seed, demo_holders_export
from issuance.services import code_issue
from personal_data.contact import format_phone_national, normalise_phone, phone_digits
from personal_data.identity import parse_resident_number
from tests.factories import ONLINE, HolderDetailsFactory

_HEX_BLOB = re.compile(r"\\\\x([0-9a-f]+)")


def _pg_dump() -> str:
    settings = connection.settings_dict
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for this test (Debian package postgresql-client)"
    command = [
        pg_dump,
        "--data-only",
        "--no-owner",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
        settings["NAME"],
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def _secrets_of_the_people() -> set[str]:
    values: set[str] = set()
    for person in DEMO_PEOPLE:
        rrn = parse_resident_number(person.rrn)
        values |= {
            person.name,
            person.english_name,
            rrn.digits,
            rrn.formatted,
            person.email,
            person.address,
            person.phone,
            phone_digits(normalise_phone(person.phone)),
            normalise_phone(person.phone),
            rrn.birth_date.isoformat(),
            person.postcode,
        }
        values |= {address for address, _ in person.delivery}
        if person.subscriber_name:
            values.add(person.subscriber_name)
    passport = DEMO_PASSPORT_HOLDER
    values |= {
        passport["passport_number"],
        passport["email"],
        passport["address"],
        passport["name"],
        passport["birth_date"].isoformat(),
        passport["postcode"],
    }
    return values


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # pg_dump reads committed data only
def test_database_dump_holds_no_personal_value_in_plaintext():
    demo_data_seed()
    extra = [HolderDetailsFactory() for _ in range(3)]
    for details in extra:
        code_issue(details=details, actor=ONLINE)
    secrets = _secrets_of_the_people()
    for details in extra:
        secrets |= {
            details.name,
            details.email,
            details.resident_number,
            details.resident_number.replace("-", ""),
            details.mobile,
            normalise_phone(details.mobile),
            details.address,
        }
    exported = demo_holders_export()
    assert len(exported) >= 6  # the seeded holders really are in the database
    assert {row["name"] for row in exported} <= secrets

    dump = _pg_dump()
    assert "issuance_holder" in dump and "verification_simulatedregistryperson" in dump
    text_part = _HEX_BLOB.sub(" ", dump)
    binary_part = b"".join(bytes.fromhex(blob) for blob in _HEX_BLOB.findall(dump))
    assert len(binary_part) > 10_000  # the sealed columns were found and decoded

    for secret in sorted(secrets):
        bounded = re.compile(r"(?<![0-9A-Za-z.])" + re.escape(secret) + r"(?![0-9A-Za-z])")
        assert not bounded.search(text_part), f"plaintext personal value in a text column: {secret[:2]}…"
        assert secret.encode("utf-8") not in binary_part, f"plaintext inside a binary column: {secret[:2]}…"
    # What SHOULD be readable is: the code numbers (not personal data by themselves, DOMAIN.md §2).
    assert exported[0]["code"] in text_part
    assert format_phone_national(normalise_phone(DEMO_PEOPLE[0].phone)) not in text_part
