"""Confirming the application's mobile number by a code (DOMAIN.md §5: "mobile number (verified by code
when own name)"), when no phone-based method has verified that number already."""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from issuance.models import MobileConfirmation
from pcc_portal.exceptions import ApplicationError
from personal_data.blind_index import blind_index_of
from personal_data.keyring import get_keyring

CODE_VALIDITY = datetime.timedelta(minutes=3)
MAX_FAILED_ATTEMPTS = 5


def _code_hash(confirmation_id, code: str) -> str:
    key = get_keyring().blind_index_key
    return hmac.new(key, f"mobile-confirmation:{confirmation_id}:{code}".encode(), hashlib.sha256).hexdigest()


def mobile_confirmation_send(*, check, phone: str) -> MobileConfirmation:
    """Send a fresh 6-digit code to `phone` (E.164) through the SMS gateway, after commit."""
    from notifications.gateways import get_sms_gateway

    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        confirmation = MobileConfirmation(
            identity_check=check,
            phone_index=blind_index_of("phone", phone),
            expires_at=timezone.now() + CODE_VALIDITY,
        )
        confirmation.code_hash = _code_hash(confirmation.pk, code)
        confirmation.save(force_insert=True)
        # In the language of the page that asked for it; never any personal data (DOMAIN.md §8).
        body = gettext("[PCC portal] Mobile confirmation code %(code)s. Valid for 3 minutes.") % {"code": code}
        key = f"mobile-confirmation:{confirmation.pk}"
        transaction.on_commit(lambda: get_sms_gateway().send(to=phone, body=body, idempotency_key=key))
    return confirmation


def mobile_confirmation_confirm(*, check, phone: str, code: str) -> None:
    """Accept the latest code sent for this number in this journey, or say what to do."""
    with transaction.atomic():
        confirmation = (
            MobileConfirmation.objects.select_for_update()
            .filter(identity_check=check, phone_index=blind_index_of("phone", phone))
            .order_by("-created_at")
            .first()
        )
        if confirmation is None:
            raise ApplicationError(
                "PCC_MOBILE_CONFIRMATION_NOT_SENT", _("Press “Send code” to receive a code on this mobile number.")
            )
        if confirmation.confirmed_at is not None:
            return
        if confirmation.failed_attempts >= MAX_FAILED_ATTEMPTS:
            raise ApplicationError(
                "PCC_MOBILE_CONFIRMATION_LOCKED", _("Too many wrong codes. Press “Send code” to get a new one.")
            )
        if confirmation.expires_at <= timezone.now():
            raise ApplicationError(
                "PCC_MOBILE_CONFIRMATION_EXPIRED", _("The code has expired. Press “Send code” to get a new one.")
            )
        if not hmac.compare_digest(confirmation.code_hash, _code_hash(confirmation.pk, code.strip())):
            confirmation.failed_attempts += 1
            confirmation.save(update_fields=["failed_attempts"])
            raise ApplicationError(
                "PCC_MOBILE_CONFIRMATION_WRONG",
                _("The code is not right. Check the text message and try again."),
                extra={"tries_left": MAX_FAILED_ATTEMPTS - confirmation.failed_attempts},
            )
        confirmation.confirmed_at = timezone.now()
        confirmation.save(update_fields=["confirmed_at"])


def mobile_confirmation_is_confirmed(*, check, phone: str) -> bool:
    return MobileConfirmation.objects.filter(
        identity_check=check, phone_index=blind_index_of("phone", phone), confirmed_at__isnull=False
    ).exists()
