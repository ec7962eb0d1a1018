"""The SMS provider's delivery receipts (issue 6): a signed webhook that moves a sent notice to
delivered or failed (GOV.UK Notify `app/notifications/notifications_sms_callback.py`).

The provider signs the raw body with the shared SMS_RECEIPT_SIGNING_KEY (HMAC-SHA-256, header
`X-PCC-Signature: sha256=<hex>`). Nothing is read from a request before its signature is checked, and
the body is never logged. Errors use the project's one shape: {"error": {"code", "message": {ko, en}}}.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import services
from pcc_portal.exceptions import messages_in_both

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-PCC-Signature"
SIGNATURE_PREFIX = "sha256="
# The receipt's status → (delivered, permanent) for services.notice_receipt.
_RECEIPT_STATUSES = {
    "delivered": (True, True),
    "failed": (False, True),
    "temporary-failure": (False, False),
}
_MESSAGE_ID_MAX_LENGTH = 100  # Notice.provider_message_id


def receipt_signature(body: bytes, key: str) -> str:
    """The header value the provider sends for `body` (the webhook compares it; tests sign with it)."""
    return SIGNATURE_PREFIX + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def _error(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": messages_in_both(message)}}, status=status)


@csrf_exempt  # a server-to-server callback: the HMAC signature is its authentication, not a cookie
@require_POST
def sms_receipt(request):
    key = settings.SMS_RECEIPT_SIGNING_KEY
    if not key:
        # Without a key no receipt can be trusted; 503 tells the provider to try again once configured.
        logger.error("SMS receipt refused: SMS_RECEIPT_SIGNING_KEY is not set")
        return _error(503, "PCC_RECEIPTS_NOT_CONFIGURED", _("Delivery receipts are not accepted at the moment."))
    given = request.headers.get(SIGNATURE_HEADER, "").encode()
    # Constant time: a comparison that stops at the first wrong character leaks the signature bit by bit.
    if not hmac.compare_digest(given, receipt_signature(request.body, key).encode()):
        logger.warning("SMS receipt refused: missing or wrong signature")
        return _error(403, "PCC_RECEIPT_SIGNATURE_INVALID", _("The delivery receipt's signature is not valid."))
    try:
        receipt = json.loads(request.body)
    except ValueError:  # also UnicodeDecodeError
        return _error(400, "PCC_RECEIPT_NOT_JSON", _("The delivery receipt is not valid JSON."))
    message_id = receipt.get("message_id") if isinstance(receipt, dict) else None
    outcome = receipt.get("status") if isinstance(receipt, dict) else None
    if (
        not isinstance(message_id, str)
        or not message_id.strip()
        or len(message_id) > _MESSAGE_ID_MAX_LENGTH
        or not isinstance(outcome, str)
        or outcome not in _RECEIPT_STATUSES
    ):
        return _error(
            400,
            "PCC_RECEIPT_INVALID",
            _("A delivery receipt needs a message_id and a status of delivered, failed or temporary-failure."),
        )
    delivered, permanent = _RECEIPT_STATUSES[outcome]
    if not services.notice_receipt(provider_message_id=message_id, delivered=delivered, permanent=permanent):
        logger.info("SMS receipt for unknown or not sent message %s", message_id)
        return _error(404, "PCC_RECEIPT_UNKNOWN_MESSAGE", _("No sent message has this message_id."))
    logger.info("SMS receipt %s for message %s", outcome, message_id)
    return JsonResponse({"status": "recorded"})
