"""API clients and the log of every code check they make (DOMAIN.md §6, §9).

A client's key is shown once and stored only as its SHA-256: the key is 32 random bytes, so a fast
hash is enough (no password stretching needed) and lets every request find its client by index.

`CodeCheck` is the call log: one row per verification, whoever asked and whatever the answer, with
the code and holder it touched and never the values submitted. It is append-only (a trigger, migration
0002) except for `sealed`, which the sealing job sets once it has written the matching access record
into the chained access-record log (audit/, docs/adr/0006-partner-access-records.md).
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from personal_data.fields import EncryptedTextField
from personal_data.models import DataKey


class ApiScope(models.TextChoices):
    VERIFY = "verify", _("Verify codes")
    DECLARE = "declare", _("File declarations")
    BULK = "bulk", _("Verify spreadsheets")


def validate_scopes(value) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(scope, str) and scope in ApiScope.values for scope in value)
    ):
        raise ValidationError(
            _("Scopes are a list of one or more of: verify, declare, bulk."), code="PCC_API_SCOPE_INVALID"
        )


class ApiClient(models.Model):
    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, validators=[validate_scopes], help_text='e.g. ["verify", "declare"]')
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


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BulkFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class BulkVerification(models.Model):
    """A spreadsheet of checks (issue 7, "bulk verification"): the job and its progress.

    The rows hold consignees' names and phones, so they live only in the job's chunks, sealed under
    the job's own data key; removing the job after BULK_VERIFICATION_RETENTION_DAYS deletes the
    chunks and the key (clearance/bulk.py). What stays is the call log (`CodeCheck`), as for any check.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="bulk_verifications")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="bulk_verification")
    status = models.CharField(max_length=8, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    file_format = models.CharField(max_length=4, choices=BulkFormat.choices)
    filename = models.CharField(max_length=200, help_text="the uploaded file's name, for the client's own reference")
    columns = models.JSONField(default=list, help_text="the uploaded header row, given back in the result")
    language = models.CharField(max_length=2, default="ko", help_text="language of the result's messages")
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="the upload's, for the call log")
    result = EncryptedTextField(help_text="the result file (base64), made once the last chunk is checked")
    rows_total = models.PositiveIntegerField()
    rows_done = models.PositiveIntegerField(default=0)
    rows_matched = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, help_text="when a chunk was last finished")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="bulk_verification_created"),
            models.Index(fields=["status", "progressed_at"], name="bulk_verification_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="bulk_verification_progress_within_total",
                condition=Q(rows_done__lte=models.F("rows_total")) & Q(rows_matched__lte=models.F("rows_done")),
            ),
        ]

    def __str__(self):
        return f"Bulk verification {self.pk}"  # never the file name: __str__ reaches logs

    def personal_data_key(self) -> DataKey:
        return self.data_key


class BulkVerificationChunk(models.Model):
    """A slice of a job's rows and, once checked, their results, each sealed as CSV text.

    Rows go to chunks by their code (clearance/bulk.py), so every row of one code is checked in one
    chunk, in file order, and the per-code lockout holds across a spreadsheet whichever worker runs
    which chunk. A chunk is checked, logged and saved in one transaction: `done_at` set means done,
    and a retried chunk is skipped.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(BulkVerification, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    rows_total = models.PositiveIntegerField()
    rows_matched = models.PositiveIntegerField(default=0)
    rows = EncryptedTextField(help_text="CSV: row number, then the row's cells as uploaded")
    results = EncryptedTextField(help_text="CSV: row number, result, reason codes")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="bulk_chunk_unique_index")]
        indexes = [models.Index(fields=["job"], condition=Q(done_at__isnull=True), name="bulk_chunk_pending")]

    def __str__(self):
        return f"Chunk {self.index} of {self.job_id}"

    def personal_data_key(self) -> DataKey:
        return self.job.data_key
