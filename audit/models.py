"""Access records (접속기록): who showed, changed, printed or downloaded whose personal data, when,
from where, which fields and why (Korean personal-information safety standard Art. 8; DOMAIN.md §9).

Append-only and tamper-evident: a database trigger refuses UPDATE, and DELETE of anything younger
than the retention period (pcc_portal/append_only.py, migration audit/0002); every record carries an
HMAC chained to the previous record's (audit/chain.py), which `manage.py verify_access_log` checks.
Records hold no personal values: only which record and which fields.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CHANGE = "change", _("Changed")
    PRINT = "print", _("Printed")
    DOWNLOAD = "download", _("Downloaded")
    REMOVE = "remove", _("Removed by the retention schedule")


class AccessPurpose(models.TextChoices):
    COUNTER_REQUEST = "counter_request", _("Request at the counter")
    MISUSE_INVESTIGATION = "misuse_investigation", _("Misuse investigation")
    CORRECTION = "correction", _("Correction of details")
    DATA_SUBJECT_REQUEST = "data_subject_request", _("Data-subject request")
    LOG_REVIEW = "log_review", _("Review of the issuance log")
    AUDIT = "audit", _("Audit of access records")
    RETENTION = "retention", _("Retention schedule")
    CODE_VERIFICATION = "code_verification", _("Code verification by a forwarder")
    DECLARATION = "declaration", _("Declaration filed with the code")


class ActorType(models.TextChoices):
    STAFF = "staff", _("Customs staff")
    API_CLIENT = "api_client", _("API client")
    SYSTEM = "system", _("System")


class AccessRecord(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True, help_text="UTC, to the second")
    actor_type = models.CharField(max_length=12, choices=ActorType.choices, default=ActorType.STAFF)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="access_records"
    )
    actor_username = models.CharField(max_length=150, help_text="copied: the record reads the same after a rename")
    actor_role = models.CharField(max_length=20, blank=True)
    actor_office = models.CharField(max_length=20, blank=True, help_text="customs office code, if any")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    purpose = models.CharField(max_length=25, choices=AccessPurpose.choices)
    reason = models.CharField(max_length=200, blank=True, help_text="what the person wrote, e.g. for an export")
    record_type = models.CharField(max_length=30, help_text="holder, code, issuance_log, access_records …")
    record_id = models.CharField(max_length=64, blank=True)
    holder = models.ForeignKey(
        "issuance.Holder", null=True, blank=True, on_delete=models.PROTECT, related_name="access_records"
    )
    fields = models.JSONField(default=list, help_text="names of the fields shown, changed or exported")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["holder", "occurred_at"]),
            models.Index(fields=["actor_user", "occurred_at"]),
        ]

    def __str__(self):
        return f"Access record {self.sequence}"
