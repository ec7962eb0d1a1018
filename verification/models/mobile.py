"""Mobile-phone verification (KMC/PASS, DOMAIN.md §4): a 6-digit code by SMS, valid 3 minutes,
extendable once by 3 minutes, 5 wrong tries then locked; stored hashed, single use."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from verification.models.checks import IdentityCheck
from verification.models.phone import PushRequest
from verification.models.registry import SimulatedTelecomSubscriber, Telecom


class MobileChannel(models.TextChoices):
    SMS = "sms", _("Text message (SMS)")
    PASS_APP = "pass", _("PASS app")


class MobileChallenge(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_check = models.ForeignKey(IdentityCheck, on_delete=models.CASCADE, related_name="mobile_challenges")
    subscriber = models.ForeignKey(SimulatedTelecomSubscriber, on_delete=models.CASCADE)
    telecom = models.CharField(max_length=4, choices=Telecom.choices)
    channel = models.CharField(max_length=4, choices=MobileChannel.choices)
    code_hash = models.CharField(max_length=64, blank=True, help_text="HMAC of the SMS code; empty for PASS")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    extended = models.BooleanField(default=False)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The PASS app's push of a PASS challenge; none for SMS.
    push = models.OneToOneField(
        PushRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="mobile_challenge"
    )

    def __str__(self):
        return f"Mobile challenge {self.pk} ({self.channel})"
