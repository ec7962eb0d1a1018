"""Joint/financial certificates (공동·금융인증서) with a SIMULATED certificate authority (DOMAIN.md §4).

Korean PKI binds a certificate to a resident registration number with a VID: the certificate carries
`VID = H(H(RRN ‖ R))`, R being a random value the holder keeps with the private key; the relying
party receives R with the signature and recomputes the VID from the RRN it already knows (KISA's
"identification by VID" scheme). Here:

- one CA per installation: an ECDSA P-256 key and a self-signed X.509 certificate valid 10 years,
  generated on first use; the private key is sealed in the personal-data store;
- end-entity certificates (ECDSA P-256, 1 year, CN = the person's name) carry the VID in the
  extension `VID_EXTENSION_OID`, a DER OCTET STRING of `SHA-256(SHA-256(RRN digits ‖ R))`, the RRN
  as 13 ASCII digits and R as 32 random bytes;
- the holder gets a *bundle* (`CertificateBundle`): the certificate, and the PKCS#8 private key and R
  encrypted under a key derived from their password, in the exact form WebCrypto opens
  (`deriveKey(PBKDF2)` → `decrypt(AES-GCM)` → `importKey("pkcs8", …, ECDSA P-256)`); the browser
  signs a one-time challenge with it, so the private key never leaves the browser
  (static/js/certificate-sign.js).

A real certificate authority (yessign, KICA, …) replaces the simulated one: it issues the
certificates, and `certificate_verify` then trusts its root instead of ours.
"""

import base64
import binascii
import datetime
import hashlib
import hmac
import os
import secrets
import unicodedata
import uuid
from typing import TypedDict

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import ApplicationError
from personal_data.identity import normalise_resident_number
from personal_data.services import data_key_create
from verification.models import (
    CertificateChallenge,
    IdentityCheck,
    SimulatedCertificate,
    SimulatedCertificateAuthority,
    SimulatedRegistryPerson,
)
from verification.services import identity_check_verified, method_attempt_record

METHOD = "certificate"  # IdentityCheck.method, and issuance's VerificationMethod.CERTIFICATE

# A private OID for the VID extension, in the UUID arc 2.25 (ITU-T X.667 / ISO/IEC 9834-8), which
# needs no registration: 2.25.<UUID 28e2f996-f811-424a-8181-25f46ac421fa as an integer>. Real Korean
# certificates carry the VID in subjectAltName otherName `id-kisa-identifyData`
# (1.2.410.200004.10.1.1); a simulated CA does not borrow KISA's arc.
VID_EXTENSION_OID = x509.ObjectIdentifier("2.25.54347641202414339590992114704168788474")

BUNDLE_FORMAT = "pcc-demo-certificate/1"
PBKDF2_ITERATIONS = 310_000  # OWASP Password Storage Cheat Sheet (PBKDF2-HMAC-SHA256)
PASSWORD_MIN_LENGTH = 10  # Korean certificates ask for 10 characters or more
SALT_BYTES = 16
IV_BYTES = 12  # AES-GCM's 96-bit nonce; WebCrypto appends the 128-bit tag to the ciphertext
R_BYTES = 32

CA_COMMON_NAME = "PCC portal SIMULATED certificate authority"
ORGANISATION = "PCC portal (demonstration)"
CA_VALIDITY = datetime.timedelta(days=3652)  # 10 years
CERTIFICATE_VALIDITY = datetime.timedelta(days=365)  # personal joint certificates last one year
CHALLENGE_VALIDITY = datetime.timedelta(minutes=5)
MAX_CHALLENGES_PER_CHECK = 50  # a page view or a refresh each takes one; an identity check lasts 15 minutes
MAX_CERTIFICATE_PEM_CHARS = 8_000


class EncryptedKey(TypedDict):
    kdf: str
    iterations: int
    salt: str
    iv: str
    ciphertext: str


class EncryptedValue(TypedDict):
    iv: str
    ciphertext: str


# The bundle file (`manage.py issue_demo_certificate`), also what the browser keeps in localStorage.
class CertificateBundle(TypedDict):
    format: str
    certificate: str
    encrypted_key: EncryptedKey
    encrypted_r: EncryptedValue


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value.encode("ascii"), validate=True)


def certificate_vid(*, resident_number: str, r: bytes) -> bytes:
    """VID = SHA-256(SHA-256(RRN ‖ R)), the RRN as its 13 ASCII digits (DOMAIN.md §4)."""
    digits = normalise_resident_number(resident_number)
    inner = hashlib.sha256(digits.encode("ascii") + r).digest()
    return hashlib.sha256(inner).digest()


def _vid_extension(vid: bytes) -> x509.UnrecognizedExtension:
    # The extension's value is a DER OCTET STRING holding the 32-byte VID.
    return x509.UnrecognizedExtension(VID_EXTENSION_OID, bytes([0x04, len(vid)]) + vid)


def _vid_of(certificate: x509.Certificate) -> bytes | None:
    try:
        value = certificate.extensions.get_extension_for_oid(VID_EXTENSION_OID).value.value
    except x509.ExtensionNotFound:
        return None
    if len(value) != 34 or value[:2] != b"\x04\x20":
        return None
    return value[2:]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )


def _certificate_authority() -> SimulatedCertificateAuthority | None:
    return SimulatedCertificateAuthority.objects.select_related("data_key").filter(singleton=True).first()


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def certificate_authority_get_or_create() -> SimulatedCertificateAuthority:
    """The installation's simulated CA, generated on first use (issue 4: "a CA key and certificate
    generated per installation"). The database allows one row (`singleton`): when two first uses
    race, the loser's insert fails on that constraint and it takes the winner's row."""
    authority = _certificate_authority()
    if authority is not None:
        return authority
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    name = _name(CA_COMMON_NAME)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    try:
        with transaction.atomic():
            authority = SimulatedCertificateAuthority(
                data_key=data_key_create(),
                certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                private_key_pem=key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ).decode("ascii"),
            )
            # The singleton constraint is left to the database: its IntegrityError is how a race ends.
            authority.full_clean(validate_constraints=False)
            authority.save(force_insert=True)
    except IntegrityError:
        return SimulatedCertificateAuthority.objects.select_related("data_key").get(singleton=True)
    return authority


def _bundle_key(*, password: str, salt: bytes, iterations: int) -> bytes:
    # NFC, as the browser does (certificate-sign.js): the same password typed on another keyboard or
    # IME must derive the same key.
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(unicodedata.normalize("NFC", password).encode("utf-8"))


def _bundle(
    *, certificate_pem: str, private_key: ec.EllipticCurvePrivateKey, r: bytes, password: str
) -> CertificateBundle:
    salt = os.urandom(SALT_BYTES)
    aes = AESGCM(_bundle_key(password=password, salt=salt, iterations=PBKDF2_ITERATIONS))
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_iv, r_iv = os.urandom(IV_BYTES), os.urandom(IV_BYTES)
    bundle: CertificateBundle = {
        "format": BUNDLE_FORMAT,
        "certificate": certificate_pem,
        "encrypted_key": {
            "kdf": "PBKDF2-SHA256",
            "iterations": PBKDF2_ITERATIONS,
            "salt": _b64(salt),
            "iv": _b64(key_iv),
            "ciphertext": _b64(aes.encrypt(key_iv, pkcs8, None)),
        },
        "encrypted_r": {"iv": _b64(r_iv), "ciphertext": _b64(aes.encrypt(r_iv, r, None))},
    }
    return bundle


def certificate_issue_for_person(
    *, person: SimulatedRegistryPerson, password: str, valid_from: datetime.datetime | None = None
) -> CertificateBundle:
    """Issue a certificate to a demo person and return the bundle they keep (DOMAIN.md §4).

    The key pair is generated here only because this is a demonstration CA handing out ready-made
    bundles; a real CA signs a key the holder generated. The private key and R exist in the clear
    only in this function's memory; the CA keeps the certificate (sealed under the person's data key),
    its serial and dates for revocation. `valid_from` (default now) lets operators and tests issue a
    certificate that is already expired or not yet valid."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ApplicationError(
            "PCC_CERT_PASSWORD_TOO_SHORT",
            _("Choose a certificate password of at least 10 characters."),
        )
    authority = certificate_authority_get_or_create()
    ca_key = serialization.load_pem_private_key(authority.private_key_pem.encode("ascii"), password=None)
    ca_certificate = x509.load_pem_x509_certificate(authority.certificate_pem.encode("ascii"))
    key = ec.generate_private_key(ec.SECP256R1())
    r = os.urandom(R_BYTES)
    not_before = (valid_from or timezone.now()).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(person.name))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_vid_extension(certificate_vid(resident_number=person.resident_number, r=r)), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    with transaction.atomic():
        record = SimulatedCertificate(
            person=person,
            serial_number=_serial(certificate),
            certificate_pem=certificate_pem,
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
        )
        record.full_clean()
        record.save(force_insert=True)
    return _bundle(certificate_pem=certificate_pem, private_key=key, r=r, password=password)


def _serial(certificate: x509.Certificate) -> str:
    # RFC 5280 serials are at most 20 octets: 40 hex digits, the column's width.
    return format(certificate.serial_number, "x")


def certificate_revoke(*, certificate: SimulatedCertificate) -> SimulatedCertificate:
    """Revoke a certificate from now on; revoking twice keeps the first time."""
    with transaction.atomic():
        locked = SimulatedCertificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    certificate.revoked_at = locked.revoked_at
    return certificate


def certificate_challenge_create(*, check: IdentityCheck) -> CertificateChallenge:
    """A one-time random value (32 bytes, hex) the browser signs; valid 5 minutes, single use."""
    method_attempt_record(check=check, method=METHOD)
    with transaction.atomic():
        if CertificateChallenge.objects.filter(identity_check=check).count() >= MAX_CHALLENGES_PER_CHECK:
            raise ApplicationError(
                "PCC_CERT_TOO_MANY_CHALLENGES",
                _("Too many signing attempts. Start the identity check again, or choose another method."),
            )
        challenge = CertificateChallenge(
            identity_check=check,
            nonce=secrets.token_hex(32),
            expires_at=timezone.now() + CHALLENGE_VALIDITY,
        )
        challenge.full_clean()
        challenge.save(force_insert=True)
    return challenge


def certificate_challenge_message(challenge: CertificateChallenge) -> bytes:
    """What the browser signs: the challenge's 32 random bytes (the hex nonce decoded)."""
    return bytes.fromhex(challenge.nonce)


def _invalid() -> ApplicationError:
    return ApplicationError(
        "PCC_CERT_INVALID",
        _(
            "This is not a certificate file this service can read. Choose the certificate file (.json) you "
            "received, or choose another method."
        ),
    )


def _untrusted() -> ApplicationError:
    return ApplicationError(
        "PCC_CERT_UNTRUSTED",
        _(
            "This certificate was not issued by a certificate authority this service trusts. Use a "
            "certificate issued for this service, or choose another method."
        ),
    )


def _challenge_expired() -> ApplicationError:
    return ApplicationError(
        "PCC_CERT_CHALLENGE_EXPIRED",
        _("The signing request has expired or was already used. Press Sign again to sign a new one."),
    )


def _certificate_parse(certificate_pem: str) -> x509.Certificate:
    if not certificate_pem or len(certificate_pem) > MAX_CERTIFICATE_PEM_CHARS:
        raise _invalid()
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
        public_key = certificate.public_key()
        certificate.extensions  # noqa: B018 — parses them now: a malformed extension is an invalid file
    except (ValueError, UnicodeEncodeError, TypeError, UnsupportedAlgorithm):
        raise _invalid() from None
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(public_key.curve, ec.SECP256R1):
        raise _invalid()
    return certificate


def _certificate_check_trusted(certificate: x509.Certificate) -> None:
    authority = _certificate_authority()
    if authority is None:
        raise _untrusted()
    ca_certificate = x509.load_pem_x509_certificate(authority.certificate_pem.encode("ascii"))
    try:
        # The issuer's name and its signature over the to-be-signed part, with the CA's public key.
        certificate.verify_directly_issued_by(ca_certificate)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        raise _untrusted() from None
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca:  # the CA's own certificate proves nobody's identity
        raise _untrusted()


def _certificate_check_validity(certificate: x509.Certificate, now: datetime.datetime) -> None:
    if now < certificate.not_valid_before_utc:
        raise ApplicationError(
            "PCC_CERT_NOT_YET_VALID",
            _(
                "This certificate is not valid yet. Check the date and time of your device, or wait until "
                "its validity starts."
            ),
        )
    if now > certificate.not_valid_after_utc:
        raise ApplicationError(
            "PCC_CERT_EXPIRED",
            _("This certificate has expired. Renew it with its certificate authority, or choose another method."),
        )


def _certificate_check_not_revoked(certificate: x509.Certificate, now: datetime.datetime) -> None:
    record = SimulatedCertificate.objects.filter(serial_number=_serial(certificate)).only("revoked_at").first()
    if record is None:  # signed with our key but unknown to our records: refuse rather than trust
        raise _untrusted()
    if record.revoked_at is not None and record.revoked_at <= now:
        raise ApplicationError(
            "PCC_CERT_REVOKED",
            _(
                "This certificate has been revoked. Get a new certificate from its certificate authority, or "
                "choose another method."
            ),
        )


def _challenge_consume(*, check: IdentityCheck, challenge_id, now: datetime.datetime) -> CertificateChallenge:
    """Mark the check's challenge used, once. Committed before the signature is checked, so a failed
    attempt also spends it: every signature answers a fresh challenge."""
    try:
        challenge_uuid = uuid.UUID(str(challenge_id))
    except ValueError:
        raise _challenge_expired() from None
    with transaction.atomic():
        challenge = (
            CertificateChallenge.objects.select_for_update()
            .filter(pk=challenge_uuid, identity_check=check, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if challenge is None:
            raise _challenge_expired()
        challenge.used_at = now
        challenge.save(update_fields=["used_at"])
    return challenge


def _signature_check(certificate: x509.Certificate, message: bytes, signature_b64: str) -> None:
    """WebCrypto's ECDSA signature is IEEE P1363 (r ‖ s, 32 bytes each for P-256); `cryptography`
    verifies the DER form, so convert."""
    try:
        raw = _b64decode(signature_b64 or "")
    except (binascii.Error, ValueError):
        raw = b""
    try:
        if len(raw) != 64:
            raise InvalidSignature
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        certificate.public_key().verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ApplicationError(
            "PCC_CERT_SIGNATURE",
            _(
                "The signature does not match this certificate. Choose the certificate again, enter its "
                "password and press Sign."
            ),
        ) from None


def _vid_check(certificate: x509.Certificate, resident_number: str, r_b64: str) -> None:
    vid = _vid_of(certificate)
    if vid is None:
        raise _invalid()
    try:
        r = _b64decode(r_b64 or "")
    except (binascii.Error, ValueError):
        r = b""
    if len(r) != R_BYTES:  # R comes from the bundle file: without it, the file was not ours
        raise _invalid()
    if not hmac.compare_digest(certificate_vid(resident_number=resident_number, r=r), vid):
        raise ApplicationError(
            "PCC_CERT_NOT_YOURS",
            _(
                "This certificate belongs to someone else: it is not registered to the registration number "
                "you entered. Choose your own certificate, or check the number you entered."
            ),
        )


def certificate_verify(
    *, check: IdentityCheck, challenge_id, certificate_pem: str, signature_b64: str, r_b64: str
) -> IdentityCheck:
    """Verify a certificate signature for an identity check (DOMAIN.md §4, issue 4): the certificate
    is readable, issued by our CA, within its validity, not revoked; the challenge belongs to this
    check, is unexpired and unused (now spent); the signature over it verifies with the certificate's
    key; and the VID recomputed from the check's RRN and the holder's R equals the certificate's.
    Then the check becomes a proof (`identity_check_verified`)."""
    now = timezone.now()
    certificate = _certificate_parse(certificate_pem)
    _certificate_check_trusted(certificate)
    _certificate_check_validity(certificate, now)
    _certificate_check_not_revoked(certificate, now)
    challenge = _challenge_consume(check=check, challenge_id=challenge_id, now=now)
    _signature_check(certificate, certificate_challenge_message(challenge), signature_b64)
    _vid_check(certificate, check.resident_number, r_b64)
    return identity_check_verified(check=check, method=METHOD)
