"""The interfaces of identity-verification providers (DOMAIN.md §4)."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RegistryAnswer:
    """What a real-name check may tell us besides "yes": nothing personal beyond what was asked."""

    nationality: str  # ISO 3166-1 alpha-2, from the registry


class RealNameRegistry(Protocol):
    """실명인증: name (as on the ARC / ID card) + RRN/ARN against the national registry.

    Raises `ApplicationError` with `PCC_REALNAME_UNKNOWN`, `PCC_REALNAME_NAME_MISMATCH` or
    `PCC_REALNAME_THEFT_PROTECTED`; returns a `RegistryAnswer` when the person is who they say.

    `in_person=True` is a check made by a customs officer holding the card: an identity-theft
    prevention service blocks remote checks only, and it sends its members to a customs office."""

    def check(self, *, name: str, resident_number: str, in_person: bool = False) -> RegistryAnswer: ...
