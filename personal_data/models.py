import uuid

from django.db import models

from personal_data import crypto
from personal_data.keyring import get_keyring


class DataKeyDestroyed(Exception):
    """The person's data key was destroyed (crypto-shredding): their personal data is gone for good."""


class DataKey(models.Model):
    """One person's data key, stored only wrapped by a master key (envelope encryption).

    Destroying `wrapped` erases every value sealed under it, wherever copies of the ciphertext live.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField(null=True, editable=False)
    master_key_id = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="data_key_wrapped_unless_destroyed",
                condition=(
                    models.Q(destroyed_at__isnull=True, wrapped__isnull=False)
                    | models.Q(destroyed_at__isnull=False, wrapped__isnull=True, master_key_id="")
                ),
            )
        ]

    def __str__(self):
        return f"DataKey {self.id} ({'destroyed' if self.destroyed_at else self.master_key_id})"

    @property
    def associated_data(self) -> bytes:
        return f"personal_data.datakey:{self.id}".encode()

    def _material(self) -> bytes:
        if self.destroyed_at is not None or self.wrapped is None:
            raise DataKeyDestroyed(f"Data key {self.id} was destroyed.")
        wrapped = bytes(self.wrapped)
        cached = self.__dict__.get("_unwrapped")
        if cached is None or cached[0] != wrapped:
            material = crypto.unwrap_data_key(
                keyring=get_keyring(), wrapped=wrapped, associated_data=self.associated_data
            )
            cached = (wrapped, material)
            self.__dict__["_unwrapped"] = cached
        return cached[1]

    def seal(self, plaintext: str, *, associated_data: bytes) -> bytes:
        return crypto.seal(
            data_key_id=self.id,
            data_key=self._material(),
            plaintext=plaintext,
            associated_data=associated_data,
        )

    def unseal(self, sealed: bytes, *, associated_data: bytes) -> str:
        return crypto.unseal(
            data_key_id=self.id, data_key=self._material(), sealed=sealed, associated_data=associated_data
        )
