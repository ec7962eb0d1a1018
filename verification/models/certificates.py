"""The SIMULATED certificate authority of joint/financial certificates (DOMAIN.md §4): one CA per
installation, X.509 certificates for demo people carrying a VID = H(H(RRN ‖ R)), revocation, and
one-time challenges the browser signs with WebCrypto."""

import uuid

from django.db import models
from django.db.models import Q

from personal_data.fields import EncryptedTextField
from personal_data.models import DataKey
from verification.models.checks import IdentityCheck
from verification.models.registry import SimulatedRegistryPerson


class SimulatedCertificateAuthority(models.Model):
    """The installation's CA: its certificate (public) and private key (sealed). One per installation
    (issue 4: "a CA key and certificate generated per installation"): `singleton` is always true and
    unique, so the database refuses a second row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    singleton = models.BooleanField(default=True, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="certificate_authority")
    certificate_pem = models.TextField()
    private_key_pem = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="certificate_authority_one_per_installation"),
            models.CheckConstraint(condition=Q(singleton=True), name="certificate_authority_singleton_true"),
        ]

    def __str__(self):
        return f"Simulated CA {self.pk}"

    def personal_data_key(self) -> DataKey:
        return self.data_key


class SimulatedCertificate(models.Model):
    """A certificate the simulated CA issued to a demo person. The certificate names the person, so
    it is sealed under the person's data key; serial and dates are public facts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(SimulatedRegistryPerson, on_delete=models.CASCADE, related_name="certificates")
    serial_number = models.CharField(max_length=40, unique=True)
    certificate_pem = EncryptedTextField()
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Certificate {self.serial_number}"

    def personal_data_key(self) -> DataKey:
        return self.person.data_key


class CertificateChallenge(models.Model):
    """A one-time random value the browser signs with the certificate's private key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_check = models.ForeignKey(IdentityCheck, on_delete=models.CASCADE, related_name="certificate_challenges")
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Certificate challenge {self.pk}"
