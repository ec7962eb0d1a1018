"""The SIMULATED phone side: messages a demo phone received and push requests to its apps.

Development and tests only read them (the simulated phone at /dev/phone/, absent when DEBUG is off);
a real SMS gateway or app provider replaces them. The phone is referred to by its subscriber row, so
no phone number is stored here in plaintext."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from verification.models.checks import IdentityCheck
from verification.models.registry import SimulatedTelecomSubscriber


class SimulatedPhoneMessage(models.Model):
    """An SMS as the demo phone shows it. Bodies never carry personal data (DOMAIN.md §8)."""

    subscriber = models.ForeignKey(SimulatedTelecomSubscriber, on_delete=models.CASCADE, related_name="messages")
    body = models.CharField(max_length=2000)
    # The sender's idempotency key (notifications.gateways.base.SmsGateway.send): unique, so a repeated
    # send of one message is refused by the database and the phone shows it once.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"SMS to subscriber {self.subscriber_id} at {self.received_at:%H:%M:%S}"


class PushProvider(models.TextChoices):
    PASS = "pass", "PASS"
    KAKAO = "kakao", _("Kakao")
    NAVER = "naver", _("Naver")
    TOSS = "toss", _("Toss")
    PAYCO = "payco", "PAYCO"


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class PushRequest(models.Model):
    """A request pushed to an app on the demo phone (PASS for the mobile method, or a simple-
    certification provider), approved or refused there; the portal polls it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_check = models.ForeignKey(IdentityCheck, on_delete=models.CASCADE, related_name="push_requests")
    subscriber = models.ForeignKey(SimulatedTelecomSubscriber, on_delete=models.CASCADE, related_name="pushes")
    provider = models.CharField(max_length=10, choices=PushProvider.choices)
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Push {self.provider} {self.status}"
