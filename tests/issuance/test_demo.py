"""`manage.py seed_demo`: idempotent, complete, refused in production, --json for scripts."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from issuance.codes import validate_code_format
from issuance.models import Code, CustomsOffice, Holder
from verification.models import SimulatedRegistryPerson, SimulatedTelecomSubscriber

pytestmark = pytest.mark.django_db


def _seed_json() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", "--no-certificates", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_is_idempotent_and_json_lists_the_holders():
    first = _seed_json()
    counts = (Holder.objects.count(), Code.objects.count(), SimulatedRegistryPerson.objects.count())
    second = _seed_json()
    assert first == second
    assert (Holder.objects.count(), Code.objects.count(), SimulatedRegistryPerson.objects.count()) == counts
    holders = first["holders"]
    required = {
        "code",
        "status",
        "name",
        "english_name",
        "rrn",
        "phone",
        "postcode",
        "sms_consent",
        "language",
    }
    assert all(required <= set(row) for row in holders)
    for row in holders:
        validate_code_format(row["code"])
    assert {row["status"] for row in holders} >= {"active", "suspended", "expired"}
    legacy = Code.objects.get(is_legacy=True)
    assert legacy.expires_on.year == 2027
    passport = [row for row in holders if row["rrn"] is None]
    assert len(passport) == 1 and passport[0]["online_lookup"] is False


def test_seed_demo_covers_the_verification_cases():
    _seed_json()
    assert CustomsOffice.objects.count() == 5
    assert SimulatedRegistryPerson.objects.filter(identity_theft_protection=True).count() == 1
    mismatched = [
        s
        for s in SimulatedTelecomSubscriber.objects.select_related("data_key")
        if not SimulatedRegistryPerson.objects.filter(name_index__isnull=False).exists()
        or s.subscriber_name == "RAHIMOV BOBUR"
    ]
    assert len(mismatched) == 1
    foreign = SimulatedRegistryPerson.objects.exclude(nationality="KR").count()
    assert 0 < foreign < SimulatedRegistryPerson.objects.count()


def test_seed_demo_prints_the_staff_logins_and_demo_people(tmp_path):
    out = StringIO()
    call_command("seed_demo", "--certificates-dir", str(tmp_path), stdout=out)
    text = out.getvalue()
    for username in ("officer.seoul", "officer.gwangju", "supervisor.seoul", "admin"):
        assert username in text
    assert "pcc-demo-2026" in text
    assert "980923-6678901" in text and "/dev/phone/" in text and "pcc-demo-cert-2026" in text


def test_seed_demo_writes_one_certificate_file_per_verifiable_person_once(tmp_path):
    call_command("seed_demo", "--certificates-dir", str(tmp_path), stdout=StringIO())
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 7  # everyone but the person in identity-theft protection
    bundle = json.loads((tmp_path / "tanaka-yuki.json").read_text())
    assert bundle["format"] == "pcc-demo-certificate/1" and "PRIVATE" not in json.dumps(bundle)
    assert oct((tmp_path / "tanaka-yuki.json").stat().st_mode & 0o777) == "0o600"
    before = {f.name: f.read_text() for f in files}
    call_command("seed_demo", "--certificates-dir", str(tmp_path), stdout=StringIO())
    assert {f.name: f.read_text() for f in sorted(tmp_path.glob("*.json"))} == before


@override_settings(PCC_DEMO_DATA_ALLOWED=False)
def test_seed_demo_is_refused_where_demo_data_is_not_allowed():
    with pytest.raises(CommandError, match="PCC_DEMO_DATA_ALLOWED"):
        call_command("seed_demo")
    assert not Holder.objects.exists()
