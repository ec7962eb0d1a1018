"""API clients and the log of every code check they make (DOMAIN.md §6, §9).

A client's key is shown once and stored only as its SHA-256: the key is 32 random bytes, so a fast
hash is enough (no password stretching needed) and lets every request find its client by index.

`CodeCheck` is the call log: one row per verification, whoever asked and whatever the answer, with
the code and holder it touched and never the values submitted. It is append-only (a trigger, migration
0002) except for `sealed`, which the sealing job sets once it has written the matching access record
into the chained access-record log (audit/, docs/adr/0006-partner-access-records.md).
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    VERIFY = "verify", _("Verify codes")
    DECLARE = "declare", _("File declarations")
    BULK = "bulk", _("Verify spreadsheets")


class ApiClient(models.Model):
    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, help_text="verify, declare, bulk")
    key_prefix = models.CharField(
        max_length=12, unique=True, help_text="first characters of the key, to tell keys apart"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit = models.CharField(
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^[1-9][0-9]*/[1-9]?[0-9]*[smhd]$",
                _("A rate is a number of requests per period, for example 600/m or 10000/h."),
                code="PCC_API_RATE_INVALID",
            )
        ],
        help_text="requests per period, e.g. 600/m; empty = the default in settings",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    key_rotated_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class CheckChannel(models.TextChoices):
    UNIPASS = "unipass", _("UNI-PASS-compatible XML")
    API = "api", _("JSON API")
    BULK = "bulk", _("Spreadsheet")
    DECLARATION = "declaration", _("Declaration")


class CheckResult(models.TextChoices):
    MATCH = "match", _("Match")
    MISMATCH = "mismatch", _("Mismatch")
    REFUSED = "refused", _("Refused")


class CodeCheck(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="code_checks")
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=12, choices=CheckChannel.choices)
    result = models.CharField(max_length=10, choices=CheckResult.choices)
    reasons = models.JSONField(default=list)
    code = models.ForeignKey(
        "issuance.Code", null=True, blank=True, on_delete=models.PROTECT, related_name="code_checks"
    )
    holder = models.ForeignKey(
        "issuance.Holder", null=True, blank=True, on_delete=models.PROTECT, related_name="code_checks"
    )
    fields = models.JSONField(default=list, help_text="names of the holder's fields compared")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    sealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The per-code lockout counts a client's recent mismatches on one code.
            models.Index(fields=["client", "code", "occurred_at"], name="code_check_lockout"),
            models.Index(fields=["id"], condition=Q(sealed=False), name="code_check_unsealed"),
            models.Index(fields=["occurred_at"], name="code_check_occurred_at"),
        ]

    def __str__(self):
        return f"Code check {self.pk}"
