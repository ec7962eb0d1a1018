"""The interface every SMS provider client implements (GOV.UK Notify `app/clients/sms/__init__.py`).

A gateway takes a number in E.164 and a body that is already free of personal data (DOMAIN.md §8:
never a full code, RRN or name in an SMS) and answers with the provider's message id.
"""

import re
from typing import Protocol

# DOMAIN.md §8: an LMS carries at most 2,000 bytes counted in EUC-KR (a Hangul syllable is 2 bytes).
SMS_MAX_BYTES = 2000

# A last guard, not the rule itself: callers compose bodies without personal data; these patterns
# (a full 13-digit RRN/ARN, a full P + 12 digits code) refuse the two worst leaks if one slips through.
_RESIDENT_NUMBER = re.compile(r"(?<![0-9])[0-9]{6}-?[0-9]{7}(?![0-9])")
_FULL_CODE = re.compile(r"(?<![A-Za-z0-9])[Pp][0-9]{12}(?![0-9])")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class SmsRefused(ValueError):
    """The body cannot be sent as it is. The message names the rule, never the body."""


class GatewayTemporaryError(Exception):
    """The provider could not take the message now (network error, timeout, 5xx): try again later."""


class GatewayPermanentError(Exception):
    """The provider refused the message for good (4xx, invalid number): trying again cannot help."""


class SmsGateway(Protocol):
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Send `body` to `to` (E.164) once per `idempotency_key`; return the provider's message id."""
        ...


def sms_message_check(*, to: str, body: str) -> None:
    """Refuse a number not in E.164, and a body that is empty, too long for an LMS or carrying a full
    registration number or code. Every gateway calls this before sending."""
    if not isinstance(to, str) or not _E164.fullmatch(to):
        raise SmsRefused("The recipient must be a phone number in E.164, such as +821012345678.")
    if not body or not body.strip():
        raise SmsRefused("An SMS body cannot be empty.")
    from notifications.messages import euc_kr_bytes  # the one way to count (a module that imports models)

    if euc_kr_bytes(body) > SMS_MAX_BYTES:
        raise SmsRefused(f"An SMS body can be at most {SMS_MAX_BYTES} bytes in EUC-KR.")
    if _RESIDENT_NUMBER.search(body) or _FULL_CODE.search(body):
        raise SmsRefused("An SMS body cannot carry a full registration number or code; mask it (DOMAIN.md §8).")
