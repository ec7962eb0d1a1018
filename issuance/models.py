"""Holders, their codes, delivery addresses, consents, customs offices and the append-only event log.

The invariants the database enforces (docs/architecture.md): one code in use per holder, code numbers
never reused, at most 20 delivery addresses, one open consent of each kind, and an event log that
cannot be updated or deleted (PostgreSQL trigger, migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from issuance.codes import validate_code_format
from personal_data.contact import (
    validate_email_address,
    validate_mobile_phone,
    validate_postcode,
    validate_telephone,
)
from personal_data.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from personal_data.identity import (
    validate_english_name,
    validate_holder_name,
    validate_passport_number,
    validate_resident_number,
)
from personal_data.models import DataKey

MAX_DELIVERY_ADDRESSES = 20  # DOMAIN.md §5 (2025–26)


class CustomsOffice(models.Model):
    """A customs office that issues codes at its counter (seed 000 lists the five main offices)."""

    code = models.SlugField(max_length=20, unique=True)
    name_ko = models.CharField(max_length=50)
    name_en = models.CharField(max_length=80)
    address_ko = models.CharField(max_length=200)
    address_en = models.CharField(max_length=200)
    postcode = models.CharField(max_length=5)
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name_en


class IdentityDocument(models.TextChoices):
    RESIDENT_NUMBER = "resident_number", _("Resident or alien registration number")
    PASSPORT = "passport", _("Passport")


class MobileOwnership(models.TextChoices):
    OWN_NAME = "own_name", _("In my own name")
    NONE = "none", _("No mobile phone in my name")


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class Holder(models.Model):
    """A person who holds (or held) a code. Every personal field is sealed under the holder's data key;
    lookups go through the blind indexes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="holder")
    identity_document = models.CharField(max_length=20, choices=IdentityDocument.choices)
    resident_number = EncryptedTextField(validators=[validate_resident_number])
    passport_number = EncryptedTextField(validators=[validate_passport_number])
    nationality = CountryField()
    name = EncryptedTextField(validators=[validate_holder_name])
    english_name = EncryptedTextField(validators=[validate_english_name])
    birth_date = EncryptedDateField()
    address = EncryptedTextField()
    postcode = EncryptedTextField(validators=[validate_postcode])
    telephone = EncryptedTextField(validators=[validate_telephone])
    mobile_ownership = models.CharField(max_length=10, choices=MobileOwnership.choices)
    mobile = EncryptedTextField(validators=[validate_mobile_phone])
    email = EncryptedTextField(validators=[validate_email_address])
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.KOREAN)
    # DOMAIN.md §6: records issued or changed on/after 2025-11-21 are verified with the postcode too.
    details_updated_on = models.DateField()
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    resident_number_index = BlindIndexField(source="resident_number", kind="resident_number")
    passport_number_index = BlindIndexField(source="passport_number", kind="passport_number")
    name_index = BlindIndexField(source="name", kind="name")
    english_name_index = BlindIndexField(source="english_name", kind="name")
    mobile_index = BlindIndexField(source="mobile", kind="phone")
    telephone_index = BlindIndexField(source="telephone", kind="phone")
    postcode_index = BlindIndexField(source="postcode", kind="postcode")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident_number_index"],
                condition=Q(resident_number_index__isnull=False),
                name="holder_unique_resident_number",
            ),
            models.UniqueConstraint(
                fields=["passport_number_index", "nationality"],
                condition=Q(passport_number_index__isnull=False),
                name="holder_unique_passport",
            ),
        ]

    def __str__(self):
        return f"Holder {self.pk}"  # never personal data: __str__ reaches logs and admin history

    def personal_data_key(self) -> DataKey:
        return self.data_key

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class DeliveryAddress(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="delivery_addresses")
    position = models.PositiveSmallIntegerField()
    address = EncryptedTextField()
    postcode = EncryptedTextField(validators=[validate_postcode])
    postcode_index = BlindIndexField(source="postcode", kind="postcode")

    class Meta:
        ordering = ["position"]
        constraints = [
            # Positions 1..20, unique per holder: the database itself caps the count at 20.
            models.UniqueConstraint(fields=["holder", "position"], name="delivery_address_unique_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_DELIVERY_ADDRESSES),
                name="delivery_address_at_most_20",
            ),
        ]

    def __str__(self):
        return f"Delivery address {self.position} of {self.holder_id}"

    def personal_data_key(self) -> DataKey:
        return self.holder.data_key


class ConsentKind(models.TextChoices):
    # DOMAIN.md §5: (1) mandatory, (2) optional.
    DOCUMENT_VIEWING = "document_viewing", _("Customs may view my resident registration abstract")
    SMS_NOTICES = "sms_notices", _("Text messages about declarations filed with my code")


class Consent(models.Model):
    holder = models.ForeignKey(Holder, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    text_version = models.CharField(max_length=20)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_open_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.text_version} of {self.holder_id}"


class CodeStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class SuspensionReason(models.TextChoices):
    THEFT_REPORT = "theft_report", _("Reported stolen by the holder")
    EX_OFFICIO = "ex_officio", _("Suspended by customs")


class TerminationReason(models.TextChoices):
    VOLUNTARY = "voluntary", _("Terminated at the holder's request")
    NOT_RENEWED = "not_renewed", _("Not renewed within 30 days of expiry")
    REPLACED = "replaced", _("Replaced by a reissued code")
    ERASED = "erased", _("Personal data erased")
    EX_OFFICIO = "ex_officio", _("Terminated by customs")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("Customs counter")
    SYSTEM = "system", _("System")


class VerificationMethod(models.TextChoices):
    MOBILE = "mobile", _("Mobile phone")
    CERTIFICATE = "certificate", _("Joint or financial certificate")
    SIMPLE = "simple", _("Simple certification")
    ALIEN_REGISTRATION_CARD = "arc", _("Alien registration card at the counter")
    PASSPORT = "passport", _("Passport at the counter")
    LEGACY_IMPORT = "legacy_import", _("Imported record")
    NONE = "none", _("None")


def code_status_is_in_use(status: str) -> bool:
    """The one place that says whether a code verifies as valid (DOMAIN.md §3 table)."""
    return status == CodeStatus.ACTIVE


class Code(models.Model):
    """A Personal Customs Code. Rows are never deleted, so a number is never reused (DOMAIN.md §2)."""

    number = models.CharField(max_length=13, unique=True, validators=[validate_code_format])
    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="codes")
    status = models.CharField(max_length=12, choices=CodeStatus.choices, default=CodeStatus.ACTIVE)
    issued_at = models.DateTimeField()
    expires_on = models.DateField(help_text="Last day of validity (Korean calendar day)")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    office = models.ForeignKey(
        CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_codes"
    )
    is_legacy = models.BooleanField(default=False, help_text="Issued before 2026 and imported")
    suspension_reason = models.CharField(max_length=20, choices=SuspensionReason.choices, blank=True)
    termination_reason = models.CharField(max_length=20, choices=TerminationReason.choices, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    status_changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "expires_on"])]
        constraints = [
            # DOMAIN.md §2: at most one code in use per person, even under concurrent requests.
            models.UniqueConstraint(
                fields=["holder"], condition=~Q(status="terminated"), name="code_one_in_use_per_holder"
            ),
            models.CheckConstraint(
                name="code_suspension_reason_iff_suspended",
                condition=Q(status="suspended", suspension_reason__gt="")
                | (~Q(status="suspended") & Q(suspension_reason="")),
            ),
            models.CheckConstraint(
                name="code_termination_reason_iff_terminated",
                condition=Q(status="terminated", termination_reason__gt="")
                | (~Q(status="terminated") & Q(termination_reason="")),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_in_use(self) -> bool:
        return code_status_is_in_use(self.status)


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    LOOKED_UP = "looked_up", _("Looked up")
    CHANGED = "changed", _("Details changed")
    RENEWED = "renewed", _("Renewed")
    REISSUED = "reissued", _("Reissued")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Reinstated")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    CONSENT_CHANGED = "consent_changed", _("Consent changed")
    ERASED = "erased", _("Personal data erased")


class ActorType(models.TextChoices):
    HOLDER = "holder", _("Holder")
    STAFF = "staff", _("Customs staff")
    SYSTEM = "system", _("System")


class CodeEvent(models.Model):
    """Append-only history of every code (DOMAIN.md §3). A PostgreSQL trigger refuses UPDATE, DELETE
    and TRUNCATE; `detail` holds only non-personal facts (codes, reasons, counts)."""

    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="events")
    holder = models.ForeignKey(Holder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    office = models.ForeignKey(CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    method = models.CharField(max_length=20, choices=VerificationMethod.choices, default=VerificationMethod.NONE)
    reason = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["holder", "kind", "occurred_at"])]

    def __str__(self):
        return f"{self.kind} {self.code_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class MobileConfirmation(models.Model):
    """The application form's "mobile verified by code" (DOMAIN.md §5) when the mobile number is
    not the one a phone-based method already verified: a 6-digit code by SMS, hashed, 3 minutes,
    5 tries, bound to the journey's identity check."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_check = models.ForeignKey(
        "verification.IdentityCheck", on_delete=models.CASCADE, related_name="mobile_confirmations"
    )
    phone_index = models.BinaryField()
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Mobile confirmation {self.pk}"


class DeclarationKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class ClearanceType(models.TextChoices):
    LIST = "list", _("List clearance")
    GENERAL = "general", _("General clearance")


class Declaration(models.Model):
    """A customs declaration filed with a code: the holder's usage history (DOMAIN.md §8).

    The consignee's name, phone and postcode are verified against the holder when the declaration is
    filed (DOMAIN.md §6) and not kept: after a match they add nothing the holder record does not hold
    (DOMAIN.md §9, collect the minimum). The consignee of a declaration is its code's holder."""

    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="declarations")
    number = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=DeclarationKind.choices)
    filed_at = models.DateTimeField()
    goods_summary = models.CharField(max_length=200, blank=True)
    reported_not_mine_at = models.DateTimeField(null=True, blank=True)
    clearance = models.CharField(max_length=10, choices=ClearanceType.choices, blank=True)
    filed_by = models.ForeignKey(
        "clearance.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="declarations"
    )
    supplier = models.CharField(max_length=200, blank=True)
    # Upper case without spaces: "Acme Inc" and "ACME  INC" are one supplier for same-day aggregation.
    supplier_key = models.CharField(max_length=200, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    shipped_from = models.CharField(max_length=2, blank=True, help_text="ISO 3166 country the goods left from")
    currency = models.CharField(max_length=3, blank=True)
    total_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_usd = models.DecimalField(
        max_digits=16, decimal_places=4, null=True, blank=True, help_text="for the list-clearance limit"
    )

    class Meta:
        ordering = ["-filed_at"]
        indexes = [
            models.Index(fields=["code", "arrival_date", "supplier_key"], name="declaration_same_day"),
        ]

    def __str__(self):
        return f"Declaration {self.number}"


class DeclarationItem(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    hs_code = models.CharField(max_length=10)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=14, decimal_places=2, help_text="unit price")
    currency = models.CharField(max_length=3)
    origin_country = models.CharField(max_length=2)
    excluded_category = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "position"], name="declaration_item_unique_position")
        ]

    def __str__(self):
        return f"Item {self.position} of {self.declaration_id}"
