"""Model fields of the encrypted personal-data store (docs/adr/0001-personal-data-store.md).

`EncryptedTextField` keeps AES-256-GCM ciphertext in the column and plaintext on the attribute:
assigning a str marks it for sealing at save; reading decrypts lazily under the owner's data key.
The owning model provides `personal_data_key()` returning its `DataKey`.

`BlindIndexField` stores the HMAC of another field's canonical value, recomputed at every save.

Encrypted fields cannot be filtered on: a str reaching SQL raises, so plaintext is never compared
there by mistake. Query the blind index with `blind_index_of(kind, value)` instead.
"""

import datetime

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from personal_data.blind_index import blind_index_of


class PlaintextInQuery(TypeError):
    pass


def _associated_data(instance, field) -> bytes:
    if instance.pk is None:
        raise ValueError("Encrypted fields need the primary key before saving; use a UUID default.")
    return f"{instance._meta.label_lower}.{field.name}:{instance.pk}".encode()


class SealedAttribute(DeferredAttribute):
    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        raw = super().__get__(instance, cls)
        if raw is None:
            return None
        if isinstance(raw, str):
            return self.field.from_plaintext(raw)
        raw = bytes(raw)
        cache = instance.__dict__.setdefault("_plaintext_cache", {})
        cached = cache.get(self.field.attname)
        if cached is None or cached[0] != raw:
            data_key = instance.personal_data_key()
            cached = (raw, data_key.unseal(raw, associated_data=_associated_data(instance, self.field)))
            cache[self.field.attname] = cached
        return self.field.from_plaintext(cached[1])

    def __set__(self, instance, value):
        if isinstance(value, memoryview):
            value = bytes(value)
        elif value is not None and not isinstance(value, bytes):
            value = self.field.to_plaintext(value)
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.BinaryField):
    descriptor_class = SealedAttribute

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def to_python(self, value):
        return value  # plaintext stays plaintext for the validators; bytes are ciphertext

    def to_plaintext(self, value) -> str:
        return value

    def from_plaintext(self, text: str):
        return text

    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.attname)
        if isinstance(raw, str):
            plaintext = raw
            raw = model_instance.personal_data_key().seal(
                plaintext, associated_data=_associated_data(model_instance, self)
            )
            model_instance.__dict__[self.attname] = raw
            model_instance.__dict__.setdefault("_plaintext_cache", {})[self.attname] = (raw, plaintext)
        return raw

    def get_prep_value(self, value):
        if isinstance(value, str):
            raise PlaintextInQuery(
                f"{self.model.__name__}.{self.name} is encrypted: filter on its blind index instead."
            )
        return super().get_prep_value(value)


class EncryptedDateField(EncryptedTextField):
    """A date sealed as its ISO text; the attribute is a `datetime.date`."""

    def to_plaintext(self, value) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else value

    def from_plaintext(self, text: str):
        return datetime.date.fromisoformat(text)


class BlindIndexField(models.BinaryField):
    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("null", True)
        kwargs.setdefault("db_index", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        digest = blind_index_of(self.kind, value) if value else None
        setattr(model_instance, self.attname, digest)
        return digest
