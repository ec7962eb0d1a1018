"""Whether a consignee's name, phone and postcode match a code's holder (DOMAIN.md §6), and the
stable reason codes every channel answers with (UNI-PASS XML, JSON API, spreadsheets, declarations).

Matching compares blind indexes only: what a forwarder sends is canonicalised and HMAC'd the way the
stored values were (personal_data/blind_index.py), so no holder's data is decrypted to answer.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from issuance.codes import CODE_CHECK_DIGIT_MESSAGE, CODE_FORMAT_MESSAGE
from pcc_portal.exceptions import messages_in_both

# DOMAIN.md §6: from 2026-02-02 the delivery postcode must match too, for holders issued or changed
# on or after 2025-11-21; older records keep the name + phone check until they update.
POSTCODE_RULE_FROM = datetime.date(2026, 2, 2)
POSTCODE_RULE_RECORDS_FROM = datetime.date(2025, 11, 21)

API_KEY_MISSING = "PCC_API_KEY_MISSING"
API_KEY_INVALID = "PCC_API_KEY_INVALID"
SCOPE_MISSING = "PCC_API_SCOPE_MISSING"
CODE_MISSING = "PCC_CODE_MISSING"
NAME_MISSING = "PCC_NAME_MISSING"
PHONE_MISSING = "PCC_PHONE_MISSING"
POSTCODE_MISSING = "PCC_POSTCODE_MISSING"
CODE_FORMAT = "PCC_CODE_FORMAT"
CODE_CHECK_DIGIT = "PCC_CODE_CHECK_DIGIT"
CODE_NOT_IN_USE = "PCC_CODE_NOT_IN_USE"
CODE_LOCKED = "PCC_CODE_LOCKED"
NAME_MISMATCH = "PCC_NAME_MISMATCH"
PHONE_MISMATCH = "PCC_PHONE_MISMATCH"
POSTCODE_MISMATCH = "PCC_POSTCODE_MISMATCH"
RATE_LIMITED = "PCC_RATE_LIMITED"

# The reasons that count towards the per-code lockout: a comparison was made and failed.
MISMATCH_REASONS = frozenset({NAME_MISMATCH, PHONE_MISMATCH, POSTCODE_MISMATCH})

REASON_MESSAGES = {
    API_KEY_MISSING: _("The API key is missing. Send the key you were issued."),
    API_KEY_INVALID: _("The API key is not valid, or its client has been disabled."),
    SCOPE_MISSING: _("This API key may not use this service. Ask customs to add it to your key."),
    CODE_MISSING: _("The personal customs code is missing."),
    NAME_MISSING: _("The consignee's name is missing."),
    PHONE_MISSING: _("The consignee's phone number is missing."),
    POSTCODE_MISSING: _("The delivery postcode is missing. Since 2 February 2026 it is required for this code."),
    CODE_FORMAT: CODE_FORMAT_MESSAGE,
    CODE_CHECK_DIGIT: CODE_CHECK_DIGIT_MESSAGE,
    CODE_NOT_IN_USE: _(
        "This personal customs code is not in use: it was never issued, or it is suspended, expired or "
        "terminated. Ask the consignee to check their code."
    ),
    CODE_LOCKED: _(
        "Checks of this code from your system are locked after 10 mismatches in 24 hours. "
        "Confirm the consignee's details with them and try again later."
    ),
    NAME_MISMATCH: _("The name does not match the code's holder (Korean or English name)."),
    PHONE_MISMATCH: _("The phone number does not match the code's holder (mobile or telephone)."),
    POSTCODE_MISMATCH: _("The postcode matches neither the holder's address nor any of their delivery addresses."),
    RATE_LIMITED: _("Too many requests from this API key. Wait and try again."),
}
MATCH_MESSAGE = _("The code, name, phone number and postcode match.")
MATCH_WITHOUT_POSTCODE_MESSAGE = _(
    "The code, name and phone number match. This holder is still on the rule before 2026, so the postcode "
    "was not compared."
)


def reason_messages(reasons) -> list[dict]:
    """Each reason with its message in Korean and English, for the JSON channels."""
    return [{"code": reason, "message": messages_in_both(REASON_MESSAGES[reason])} for reason in reasons]


def postcode_rule_applies(*, details_updated_on: datetime.date, today: datetime.date) -> bool:
    """DOMAIN.md §6: the postcode is compared for records issued or changed on or after 2025-11-21,
    once the rule is in force (2026-02-02)."""
    return today >= POSTCODE_RULE_FROM and details_updated_on >= POSTCODE_RULE_RECORDS_FROM


@dataclass(frozen=True)
class CheckOutcome:
    """The answer to one check. `code_id`/`holder_id` say which records it touched (for the log)."""

    reasons: tuple[str, ...] = ()
    code_id: int | None = None
    holder_id: object = None
    compared_fields: tuple[str, ...] = ()
    postcode_compared: bool = False

    @property
    def match(self) -> bool:
        return not self.reasons

    @property
    def is_mismatch(self) -> bool:
        return bool(self.reasons) and set(self.reasons) <= MISMATCH_REASONS

    def messages(self) -> dict[str, str]:
        if self.match:
            return messages_in_both(MATCH_MESSAGE if self.postcode_compared else MATCH_WITHOUT_POSTCODE_MESSAGE)
        rendered = [messages_in_both(REASON_MESSAGES[reason]) for reason in self.reasons]
        return {language: " ".join(item[language] for item in rendered) for language in ("ko", "en")}
