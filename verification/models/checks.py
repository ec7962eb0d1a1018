"""Identity checks: the state of one person proving who they are in one browser session."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from personal_data.fields import BlindIndexField, EncryptedTextField
from personal_data.models import DataKey


class CheckPurpose(models.TextChoices):
    NEW_ISSUE = "new", _("New issue")
    MANAGE = "manage", _("Check or reissue")


class IdentityCheck(models.Model):
    """One person proving who they are in one browser session (DOMAIN.md §4).

    Created when the real-name check passes; verified by one method (mobile, certificate, simple);
    then a single-use proof, valid 10 minutes, that one journey consumes. Its personal values are
    sealed under a data key of its own, destroyed with the row by the purge job."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="identity_check")
    purpose = models.CharField(max_length=10, choices=CheckPurpose.choices)
    session_token_hash = models.CharField(max_length=64)
    name = EncryptedTextField()
    resident_number = EncryptedTextField()
    resident_number_index = BlindIndexField(source="resident_number", kind="resident_number")
    phone = EncryptedTextField(help_text="the mobile number a phone-based method verified")
    method = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"Identity check {self.pk} ({self.purpose}, {self.method or 'pending'})"

    def personal_data_key(self) -> DataKey:
        return self.data_key
