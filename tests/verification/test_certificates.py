"""Joint/financial certificates (DOMAIN.md §4, issue 4): the simulated CA, the bundle a holder keeps,
and every check the server makes on a signature, with real cryptography, the real views, and the
browser's own script (static/js/certificate-sign.js) run in Node's WebCrypto."""

import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issuance.demo import DEMO_PEOPLE, demo_data_seed
from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.services import data_key_create
from verification.certificates import (
    BUNDLE_FORMAT,
    CA_COMMON_NAME,
    MAX_CHALLENGES_PER_CHECK,
    PBKDF2_ITERATIONS,
    VID_EXTENSION_OID,
    certificate_authority_get_or_create,
    certificate_issue_for_person,
    certificate_revoke,
    certificate_verify,
    certificate_vid,
)
from verification.models import (
    CertificateChallenge,
    IdentityCheck,
    SimulatedCertificate,
    SimulatedCertificateAuthority,
    SimulatedRegistryPerson,
)
from verification.services import SESSION_CHECK_ID

PASSWORD = "correct horse battery"
TANAKA = next(p for p in DEMO_PEOPLE if p.english_name == "TANAKA YUKI")  # no code yet: a new issue
NGUYEN = next(p for p in DEMO_PEOPLE if p.english_name == "NGUYEN VAN AN")
KIM = next(p for p in DEMO_PEOPLE if p.english_name == "KIM MINJUN")  # a name in Hangul
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "certificate-sign.js"


@pytest.fixture
def demo(db):
    demo_data_seed()


def _person(demo_person) -> SimulatedRegistryPerson:
    return SimulatedRegistryPerson.objects.select_related("data_key").get(
        resident_number_index=blind_index_of("resident_number", demo_person.rrn)
    )


def _bundle_for(demo_person, **kwargs) -> dict:
    return certificate_issue_for_person(person=_person(demo_person), password=PASSWORD, **kwargs)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


# --- What the browser does (certificate-sign.js), in Python ---


def _open_bundle(bundle: dict, password: str):
    sealed = bundle["encrypted_key"]
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=_unb64(sealed["salt"]), iterations=sealed["iterations"])
    aes = AESGCM(kdf.derive(password.encode()))
    pkcs8 = aes.decrypt(_unb64(sealed["iv"]), _unb64(sealed["ciphertext"]), None)
    r = aes.decrypt(_unb64(bundle["encrypted_r"]["iv"]), _unb64(bundle["encrypted_r"]["ciphertext"]), None)
    return serialization.load_der_private_key(pkcs8, password=None), r


def _sign(private_key, nonce_hex: str) -> str:
    """ECDSA P-256 / SHA-256 over the challenge bytes, as IEEE P1363 r ‖ s (what WebCrypto returns)."""
    r, s = decode_dss_signature(private_key.sign(bytes.fromhex(nonce_hex), ec.ECDSA(hashes.SHA256())))
    return _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


# --- The journey through the real views ---


def _client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _pass_real_name(client: Client, demo_person, purpose: str = "new") -> None:
    response = client.post(
        reverse("verification:real_name", args=[purpose]),
        {"name": demo_person.name, "resident_number": demo_person.rrn},
    )
    assert response.status_code == 302 and response.url == reverse("verification:methods"), response.content


def _page_challenge(client: Client) -> tuple[str, str]:
    response = client.get(reverse("verification:certificate-start"))
    assert response.status_code == 200
    html = response.content.decode()
    challenge_id = re.search(r'data-challenge-id="([^"]+)"', html).group(1)
    nonce = re.search(r'data-challenge-nonce="([0-9a-f]{64})"', html).group(1)
    return challenge_id, nonce


def _post_signature(client: Client, *, certificate: str, signature: str, r: bytes, challenge_id: str):
    return client.post(
        reverse("verification:certificate-verify"),
        {"challenge_id": challenge_id, "certificate": certificate, "signature": signature, "r": _b64(r)},
    )


def _sign_and_post(client: Client, bundle: dict, challenge: tuple[str, str] | None = None):
    challenge_id, nonce = challenge or _page_challenge(client)
    private_key, r = _open_bundle(bundle, PASSWORD)
    return _post_signature(
        client, certificate=bundle["certificate"], signature=_sign(private_key, nonce), r=r, challenge_id=challenge_id
    )


def _refusal_code(response) -> str:
    assert response.status_code == 400, response.status_code
    match = re.search(r'data-error-code="([A-Z_]+)"', response.content.decode())
    assert match, "the page shows no error"
    return match.group(1)


def _check(client: Client) -> IdentityCheck:
    return IdentityCheck.objects.get(pk=client.session[SESSION_CHECK_ID])


def _foreign_certificate(*, demo_person, r: bytes, serial: int) -> tuple[str, ec.EllipticCurvePrivateKey]:
    """A certificate like ours (same CA name, a recorded serial, a correct VID) from a CA that is not
    this installation's."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    vid = certificate_vid(resident_number=demo_person.rrn, r=r)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, demo_person.name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)]))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.UnrecognizedExtension(VID_EXTENSION_OID, b"\x04\x20" + vid), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key


# --- The bundle and the certificate ---


def test_bundle_is_what_webcrypto_opens_and_certificate_carries_the_vid_of_rrn_and_r(demo):
    bundle = _bundle_for(TANAKA)

    assert json.loads(json.dumps(bundle)) == bundle
    assert bundle["format"] == BUNDLE_FORMAT
    assert bundle["encrypted_key"]["kdf"] == "PBKDF2-SHA256"
    assert bundle["encrypted_key"]["iterations"] == PBKDF2_ITERATIONS == 310_000
    assert len(_unb64(bundle["encrypted_key"]["iv"])) == len(_unb64(bundle["encrypted_r"]["iv"])) == 12
    private_key, r = _open_bundle(bundle, PASSWORD)
    assert isinstance(private_key.curve, ec.SECP256R1) and len(r) == 32
    certificate = x509.load_pem_x509_certificate(bundle["certificate"].encode())
    assert certificate.public_key() == private_key.public_key()
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == TANAKA.name
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc == datetime.timedelta(days=365)
    digits = re.sub(r"\D", "", TANAKA.rrn).encode()
    expected_vid = hashlib.sha256(hashlib.sha256(digits + r).digest()).digest()
    assert certificate.extensions.get_extension_for_oid(VID_EXTENSION_OID).value.value == b"\x04\x20" + expected_vid
    ca = x509.load_pem_x509_certificate(certificate_authority_get_or_create().certificate_pem.encode())
    certificate.verify_directly_issued_by(ca)


def test_issued_certificate_is_recorded_with_its_serial_and_sealed_at_rest(demo):
    bundle = _bundle_for(TANAKA)
    certificate = x509.load_pem_x509_certificate(bundle["certificate"].encode())

    record = SimulatedCertificate.objects.get(serial_number=format(certificate.serial_number, "x"))
    assert record.person == _person(TANAKA) and record.revoked_at is None
    assert record.not_after == certificate.not_valid_after_utc
    assert record.certificate_pem == bundle["certificate"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT certificate_pem FROM verification_simulatedcertificate WHERE id = %s", [record.pk])
        stored = bytes(cursor.fetchone()[0])
    assert b"BEGIN CERTIFICATE" not in stored


def test_wrong_password_cannot_decrypt_the_private_key(demo):
    bundle = _bundle_for(TANAKA)

    with pytest.raises(InvalidTag):
        _open_bundle(bundle, PASSWORD + "!")


def test_certificate_password_shorter_than_10_characters_is_refused(demo):
    with pytest.raises(ApplicationError) as refused:
        certificate_issue_for_person(person=_person(TANAKA), password="short-pw")
    assert refused.value.code == "PCC_CERT_PASSWORD_TOO_SHORT"


def test_certificate_authority_is_created_once_and_its_key_sealed(demo):
    first = certificate_authority_get_or_create()
    second = certificate_authority_get_or_create()

    assert first.pk == second.pk and SimulatedCertificateAuthority.objects.count() == 1
    ca = x509.load_pem_x509_certificate(first.certificate_pem.encode())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CA_COMMON_NAME
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= datetime.timedelta(days=3650)
    key = serialization.load_pem_private_key(first.private_key_pem.encode(), password=None)
    assert key.public_key() == ca.public_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_pem FROM verification_simulatedcertificateauthority")
        assert b"PRIVATE KEY" not in bytes(cursor.fetchone()[0])


def test_the_database_holds_one_certificate_authority_at_most(demo):
    authority = certificate_authority_get_or_create()

    with pytest.raises(IntegrityError), transaction.atomic():  # a second row
        SimulatedCertificateAuthority.objects.create(
            data_key=data_key_create(), certificate_pem=authority.certificate_pem, private_key_pem="second"
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # or a way around the unique singleton
        SimulatedCertificateAuthority.objects.filter(pk=authority.pk).update(singleton=False)

    assert SimulatedCertificateAuthority.objects.get().pk == authority.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_certificate_authority_is_created_once_when_first_uses_race():
    barrier = threading.Barrier(6)
    results: list = []

    def first_use():
        try:
            barrier.wait()
            results.append(certificate_authority_get_or_create().pk)
        except Exception as error:  # asserted on below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(set(results)) == 1, results
    assert SimulatedCertificateAuthority.objects.count() == 1


# --- The journey: sign in the browser, verify on the server ---


def test_signature_with_own_certificate_verifies_the_check_and_continues(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)

    response = _sign_and_post(client, bundle)

    assert response.status_code == 302 and response.url == reverse("verification:done")
    check = _check(client)
    assert check.verified_at is not None and check.method == "certificate"
    assert CertificateChallenge.objects.filter(identity_check=check, used_at__isnull=False).count() == 1


def test_certificate_of_another_person_is_refused_as_not_yours(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    someone_else = _bundle_for(NGUYEN)

    response = _sign_and_post(client, someone_else)

    assert _refusal_code(response) == "PCC_CERT_NOT_YOURS"
    assert "belongs to someone else" in response.content.decode()
    assert _check(client).verified_at is None


def test_r_that_does_not_give_the_certificates_vid_is_refused_as_not_yours(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge_id, nonce = _page_challenge(client)
    private_key, _r = _open_bundle(bundle, PASSWORD)

    response = _post_signature(
        client,
        certificate=bundle["certificate"],
        signature=_sign(private_key, nonce),
        r=os.urandom(32),
        challenge_id=challenge_id,
    )

    assert _refusal_code(response) == "PCC_CERT_NOT_YOURS"


def test_certificate_from_another_authority_is_untrusted(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    genuine = x509.load_pem_x509_certificate(_bundle_for(TANAKA)["certificate"].encode())
    r = os.urandom(32)
    certificate_pem, key = _foreign_certificate(demo_person=TANAKA, r=r, serial=genuine.serial_number)
    challenge_id, nonce = _page_challenge(client)

    response = _post_signature(
        client, certificate=certificate_pem, signature=_sign(key, nonce), r=r, challenge_id=challenge_id
    )

    assert _refusal_code(response) == "PCC_CERT_UNTRUSTED"
    assert _check(client).verified_at is None


def test_the_authoritys_own_certificate_proves_nobody(demo):
    authority = certificate_authority_get_or_create()
    client = _client()
    _pass_real_name(client, TANAKA)
    challenge_id, nonce = _page_challenge(client)
    ca_key = serialization.load_pem_private_key(authority.private_key_pem.encode(), password=None)

    response = _post_signature(
        client,
        certificate=authority.certificate_pem,
        signature=_sign(ca_key, nonce),
        r=os.urandom(32),
        challenge_id=challenge_id,
    )

    assert _refusal_code(response) == "PCC_CERT_UNTRUSTED"


def test_expired_certificate_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA, valid_from=timezone.now() - datetime.timedelta(days=400))

    assert _refusal_code(_sign_and_post(client, bundle)) == "PCC_CERT_EXPIRED"
    assert _check(client).verified_at is None


def test_certificate_not_yet_valid_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA, valid_from=timezone.now() + datetime.timedelta(days=1))

    assert _refusal_code(_sign_and_post(client, bundle)) == "PCC_CERT_NOT_YET_VALID"


def test_revoked_certificate_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    serial = format(x509.load_pem_x509_certificate(bundle["certificate"].encode()).serial_number, "x")
    certificate_revoke(certificate=SimulatedCertificate.objects.get(serial_number=serial))

    assert _refusal_code(_sign_and_post(client, bundle)) == "PCC_CERT_REVOKED"
    assert _check(client).verified_at is None


def test_tampered_signature_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge_id, nonce = _page_challenge(client)
    private_key, r = _open_bundle(bundle, PASSWORD)
    signature = bytearray(_unb64(_sign(private_key, nonce)))
    signature[10] ^= 0x01

    response = _post_signature(
        client, certificate=bundle["certificate"], signature=_b64(bytes(signature)), r=r, challenge_id=challenge_id
    )

    assert _refusal_code(response) == "PCC_CERT_SIGNATURE"
    assert _check(client).verified_at is None


def test_signature_by_another_key_than_the_certificates_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge_id, nonce = _page_challenge(client)
    _key, r = _open_bundle(bundle, PASSWORD)
    other_key = ec.generate_private_key(ec.SECP256R1())

    response = _post_signature(
        client, certificate=bundle["certificate"], signature=_sign(other_key, nonce), r=r, challenge_id=challenge_id
    )

    assert _refusal_code(response) == "PCC_CERT_SIGNATURE"


def test_challenge_is_spent_by_a_failed_attempt_and_cannot_be_reused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge = _page_challenge(client)
    _private_key, r = _open_bundle(bundle, PASSWORD)
    response = _post_signature(
        client, certificate=bundle["certificate"], signature=_b64(bytes(64)), r=r, challenge_id=challenge[0]
    )
    assert _refusal_code(response) == "PCC_CERT_SIGNATURE"

    assert _refusal_code(_sign_and_post(client, bundle, challenge)) == "PCC_CERT_CHALLENGE_EXPIRED"
    # The refusal page carries a fresh challenge, which works.
    fresh_id = re.search(r'data-challenge-id="([^"]+)"', response.content.decode()).group(1)
    fresh_nonce = re.search(r'data-challenge-nonce="([0-9a-f]{64})"', response.content.decode()).group(1)
    assert fresh_id != challenge[0]
    assert _sign_and_post(client, bundle, (fresh_id, fresh_nonce)).status_code == 302


def test_challenge_cannot_be_replayed_after_success(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge_id, nonce = _page_challenge(client)
    private_key, r = _open_bundle(bundle, PASSWORD)
    signed = {"certificate_pem": bundle["certificate"], "signature_b64": _sign(private_key, nonce), "r_b64": _b64(r)}
    assert _post_signature(
        client, certificate=bundle["certificate"], signature=signed["signature_b64"], r=r, challenge_id=challenge_id
    ).url == reverse("verification:done")

    with pytest.raises(ApplicationError) as replayed:
        certificate_verify(check=_check(client), challenge_id=challenge_id, **signed)
    assert replayed.value.code == "PCC_CERT_CHALLENGE_EXPIRED"


def test_expired_challenge_is_refused(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    bundle = _bundle_for(TANAKA)
    challenge = _page_challenge(client)
    CertificateChallenge.objects.filter(pk=challenge[0]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert _refusal_code(_sign_and_post(client, bundle, challenge)) == "PCC_CERT_CHALLENGE_EXPIRED"
    assert _check(client).verified_at is None


def test_challenge_of_another_identity_check_is_refused(demo):
    other = _client()
    _pass_real_name(other, NGUYEN)
    foreign_challenge = _page_challenge(other)
    client = _client()
    _pass_real_name(client, TANAKA)

    response = _sign_and_post(client, _bundle_for(TANAKA), foreign_challenge)

    assert _refusal_code(response) == "PCC_CERT_CHALLENGE_EXPIRED"


def test_challenge_is_valid_five_minutes(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    challenge_id, nonce = _page_challenge(client)

    challenge = CertificateChallenge.objects.get(pk=challenge_id)
    assert challenge.identity_check == _check(client) and challenge.used_at is None
    assert len(bytes.fromhex(nonce)) == 32
    assert (
        datetime.timedelta(minutes=4, seconds=50)
        < challenge.expires_at - timezone.now()
        <= datetime.timedelta(minutes=5)
    )


def test_signing_attempts_are_capped_per_identity_check(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    check = _check(client)
    CertificateChallenge.objects.bulk_create(
        CertificateChallenge(identity_check=check, nonce=os.urandom(32).hex(), expires_at=timezone.now())
        for _ in range(MAX_CHALLENGES_PER_CHECK)
    )

    page = client.get(reverse("verification:certificate-start"))
    fresh = client.post(reverse("verification:certificate-challenge"))

    assert page.status_code == 400 and "Too many signing attempts" in page.content.decode()
    assert fresh.status_code == 400 and fresh.json()["code"] == "PCC_CERT_TOO_MANY_CHALLENGES"


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"certificate": "not a certificate", "signature": "AAAA", "r": "AAAA"},
        {"challenge_id": "not-a-uuid", "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"},
        {"certificate": "x" * 20_000},
    ],
)
def test_unreadable_submissions_are_refused_with_400_not_500(demo, posted):
    client = _client()
    _pass_real_name(client, TANAKA)

    response = client.post(reverse("verification:certificate-verify"), posted)

    assert _refusal_code(response) == "PCC_CERT_INVALID"


# --- The pages ---


def test_certificate_page_needs_an_identity_check_first(db):
    client = _client()

    assert client.get(reverse("verification:certificate-start")).status_code == 400
    response = client.post(reverse("verification:certificate-verify"), {})
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()
    challenge = client.post(reverse("verification:certificate-challenge"))
    assert challenge.status_code == 400 and challenge.json()["code"] == "PCC_VERIFICATION_REQUIRED"


def test_certificate_page_signs_with_a_script_file_and_says_plainly_it_needs_javascript(demo):
    client = _client()
    _pass_real_name(client, TANAKA)

    html = client.get(reverse("verification:certificate-start")).content.decode()

    assert re.search(r"<noscript>.*This method needs JavaScript.*</noscript>", html, re.S)
    assert f'href="{reverse("verification:methods")}"' in html
    assert re.search(r'<script src="[^"]*js/certificate-sign\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script: CSP forbids it"
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)
    assert 'data-storage-key="pcc-demo-certificates"' in html
    assert 'accept=".json,application/json"' in html
    # The password and the file are never posted: their inputs have no name.
    assert re.search(r'<input type="password" id="certificate-password"(?![^>]*\bname=)[^>]*>', html)
    assert re.search(r'<input type="file" id="certificate-file"(?![^>]*\bname=)[^>]*>', html)


def test_challenge_endpoint_gives_a_fresh_challenge_to_post_only(demo):
    client = _client()
    _pass_real_name(client, TANAKA)
    page_id, _nonce = _page_challenge(client)

    assert client.get(reverse("verification:certificate-challenge")).status_code == 405
    fresh = client.post(reverse("verification:certificate-challenge")).json()

    assert fresh["id"] != page_id and len(fresh["nonce"]) == 64 and 290 <= fresh["seconds"] <= 300
    bundle = _bundle_for(TANAKA)
    assert _sign_and_post(client, bundle, (fresh["id"], fresh["nonce"])).status_code == 302


# --- manage.py issue_demo_certificate ---


def test_issue_demo_certificate_writes_a_bundle_only_its_owner_can_read(demo, tmp_path):
    out = tmp_path / "bundle.json"

    call_command("issue_demo_certificate", "--rrn", TANAKA.rrn, "--password", PASSWORD, "--out", str(out))

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    bundle = json.loads(out.read_text())
    assert bundle["format"] == BUNDLE_FORMAT
    private_key, _r = _open_bundle(bundle, PASSWORD)
    certificate = x509.load_pem_x509_certificate(bundle["certificate"].encode())
    assert certificate.public_key() == private_key.public_key()
    assert SimulatedCertificate.objects.filter(person=_person(TANAKA)).count() == 1


def test_issue_demo_certificate_refuses_an_unknown_person_and_a_short_password(demo, tmp_path):
    out = tmp_path / "bundle.json"
    with pytest.raises(CommandError, match="No demo person"):
        call_command("issue_demo_certificate", "--rrn", "900101-5000001", "--password", PASSWORD, "--out", str(out))
    with pytest.raises(CommandError, match="at least 10 characters"):
        call_command("issue_demo_certificate", "--rrn", TANAKA.rrn, "--password", "123456789", "--out", str(out))
    assert not out.exists()


# --- The browser's own script, in Node's WebCrypto ---

NODE_RUNNER = """
const fs = require("fs");
const api = require(process.env.SCRIPT);
(async () => {
  const bundle = api.parseBundle(fs.readFileSync(process.env.BUNDLE, "utf8"));
  const info = api.parseCertificate(bundle.certificate);
  try {
    const opened = await api.openBundle(bundle, process.env.PASSWORD);
    const signature = await api.signChallenge(opened.privateKey, process.env.NONCE);
    console.log(JSON.stringify({
      subject: info.subject, notAfter: info.notAfter.toISOString(), extractable: opened.privateKey.extractable,
      signature: signature, r: api.bytesToBase64(opened.r)
    }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.code || String(error) }));
  }
})();
"""


def _run_browser_script(tmp_path, bundle: dict, *, password: str, nonce: str) -> dict:
    node = shutil.which("node")
    # Node runs the browser's own certificate-sign.js; `make test` installs Debian's nodejs when missing.
    assert node is not None, "node is needed for this test: apt-get install -y nodejs"
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    completed = subprocess.run(
        [node, "-e", NODE_RUNNER],
        env={
            "PATH": os.environ.get("PATH", ""),
            "SCRIPT": str(SCRIPT),
            "BUNDLE": str(tmp_path / "bundle.json"),
            "PASSWORD": password,
            "NONCE": nonce,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)


def test_browser_script_opens_the_bundle_with_webcrypto_and_its_signature_verifies(demo, tmp_path):
    client = _client()
    _pass_real_name(client, KIM, purpose="manage")
    bundle = _bundle_for(KIM)
    challenge_id, nonce = _page_challenge(client)

    signed = _run_browser_script(tmp_path, bundle, password=PASSWORD, nonce=nonce)

    certificate = x509.load_pem_x509_certificate(bundle["certificate"].encode())
    assert signed["subject"] == KIM.name == "김민준"
    assert signed["notAfter"] == certificate.not_valid_after_utc.isoformat().replace("+00:00", ".000Z")
    assert signed["extractable"] is False
    assert len(_unb64(signed["signature"])) == 64
    response = client.post(
        reverse("verification:certificate-verify"),
        {
            "challenge_id": challenge_id,
            "certificate": bundle["certificate"],
            "signature": signed["signature"],
            "r": signed["r"],
        },
    )
    assert response.status_code == 302 and response.url == reverse("verification:done")
    assert _check(client).method == "certificate"


def test_browser_script_reports_a_wrong_password(demo, tmp_path):
    bundle = _bundle_for(TANAKA)

    result = _run_browser_script(tmp_path, bundle, password="not the password", nonce="00" * 32)

    assert result == {"error": "wrong-password"}
