"""Records of the SIMULATED outside parties that identity verification consults (DOMAIN.md §4):
the national registry behind the real-name check, and the telecoms' subscriber records behind the
mobile (KMC/PASS) check. Real providers replace these through adapters (the online-journeys issue);
until then the demo people live here, sealed like every other personal record.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from personal_data.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from personal_data.models import DataKey


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SimulatedRegistryPerson(models.Model):
    """A person as the simulated resident/immigration registry knows them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="registry_person")
    resident_number = EncryptedTextField()
    name = EncryptedTextField()
    english_name = EncryptedTextField()
    birth_date = EncryptedDateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    nationality = CountryField()
    # Enrolled in an identity-theft prevention service: the real-name check refuses them (seed 001 Q3).
    identity_theft_protection = models.BooleanField(default=False)
    resident_number_index = BlindIndexField(source="resident_number", kind="resident_number")
    name_index = BlindIndexField(source="name", kind="name")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident_number_index"],
                condition=Q(resident_number_index__isnull=False),
                name="registry_unique_resident_number",
            )
        ]

    def __str__(self):
        return f"Registry person {self.pk}"

    def personal_data_key(self) -> DataKey:
        return self.data_key


class Telecom(models.TextChoices):
    SKT = "SKT", "SKT"
    KT = "KT", "KT"
    LGU = "LGU", "LG U+"
    MVNO = "MVNO", _("Budget carrier (MVNO)")


class SimulatedTelecomSubscriber(models.Model):
    """A mobile line as the simulated telecom knows it; its name may differ from the ARC name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="telecom_subscriber")
    telecom = models.CharField(max_length=4, choices=Telecom.choices)
    phone = EncryptedTextField()
    subscriber_name = EncryptedTextField()
    birth_date = EncryptedDateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    is_foreigner = models.BooleanField()
    phone_index = BlindIndexField(source="phone", kind="phone")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"], condition=Q(phone_index__isnull=False), name="subscriber_unique_phone"
            )
        ]

    def __str__(self):
        return f"Subscriber {self.pk} ({self.telecom})"

    def personal_data_key(self) -> DataKey:
        return self.data_key
