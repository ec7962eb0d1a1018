"""The mobile-phone method (KMC/PASS, DOMAIN.md §4; seed 001 Q4 and Q6 ③–⑥).

The person picks the telecom and types name, birth date (8 digits), sex, Korean/foreign and the phone
number; the telecom's subscriber record must match, and the subscriber must be the person of the
real-name check: the subscriber name equals the ARC name, birth date, sex and nationality equal what
the RRN/ARN says. Then either a 6-digit code by SMS (valid 3 minutes, extendable once by 3 minutes,
5 wrong tries and the check is locked, single use) or a push to the PASS app.

Codes are kept only as an HMAC bound to the challenge, never in plaintext, never logged.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.gateways import get_sms_gateway
from pcc_portal.exceptions import ApplicationError
from personal_data.contact import MOBILE_INVALID_MESSAGE, normalise_phone
from personal_data.identity import normalise_name
from personal_data.keyring import get_keyring
from verification.models import (
    IdentityCheck,
    MobileChallenge,
    MobileChannel,
    PushProvider,
    PushRequest,
    PushStatus,
    SimulatedTelecomSubscriber,
    Telecom,
)
from verification.selectors import (
    identity_check_for_update,
    mobile_challenge_for_update,
    push_request_status,
    telecom_subscriber_find_by_phone,
)
from verification.services import (
    identity_check_birth_facts,
    identity_check_require_open,
    identity_check_verified,
    method_attempt_record,
)

logger = logging.getLogger(__name__)

CODE_VALIDITY = datetime.timedelta(minutes=3)  # DOMAIN.md §4: "valid 3 minutes"
EXTENSION = datetime.timedelta(minutes=3)  # the "extend time" link, once (issue 4)
MAX_WRONG_TRIES = 5  # issue 4: "5 wrong tries then locked for that session"
CODE_DIGITS = 6
METHOD = "mobile"

# Domain separation: the blind-index key also makes the blind indexes; this prefix keeps an OTP hash
# from ever equalling a blind index (or anything else HMAC'd with that key).
_CODE_HASH_PREFIX = b"pcc-portal/mobile-otp/v1\x00"


def _code_hash(*, challenge_id, code: str) -> str:
    message = _CODE_HASH_PREFIX + str(challenge_id).encode() + b"\x00" + code.encode()
    return hmac.new(get_keyring().blind_index_key, message, hashlib.sha256).hexdigest()


def phone_e164_or_error(phone: str) -> str:
    """The typed number in E.164, or the domain error the phone-based methods show."""
    try:
        return normalise_phone(phone)
    except ValidationError:
        raise ApplicationError("PCC_MOBILE_INVALID", MOBILE_INVALID_MESSAGE) from None


def _failed_tries(check: IdentityCheck) -> int:
    # Counted over every challenge of the check: asking for a new code does not give five new tries.
    total = MobileChallenge.objects.filter(identity_check=check).aggregate(total=Sum("failed_attempts"))["total"]
    return total or 0


def _locked_error() -> ApplicationError:
    return ApplicationError(
        "PCC_MOBILE_LOCKED",
        _(
            "The code was entered wrongly 5 times, so mobile verification is locked for this session. "
            "Start again from the real-name check."
        ),
    )


def _subscriber_matching(
    *, check: IdentityCheck, telecom: str, name: str, birth_date, sex: str, is_foreigner: bool, phone: str
) -> SimulatedTelecomSubscriber:
    """The subscriber record, checked as KMC does against what was typed, then against the real-name
    check. Each failure says what to do (seed 001 Q4)."""
    subscriber = telecom_subscriber_find_by_phone(phone=phone)
    # One answer for "no such number" and "another telecom": telling them apart would let anyone learn
    # which telecom a number belongs to.
    if subscriber is None or subscriber.telecom != telecom:
        raise ApplicationError(
            "PCC_MOBILE_SUBSCRIBER_NOT_FOUND",
            _(
                "This telecom has no mobile line with this number. Check the number and the telecom you pay "
                "your bill to: a budget phone (MVNO, 알뜰폰) counts as MVNO even when it uses the SKT, KT or "
                "LG U+ network."
            ),
        )
    details_match = (
        subscriber.birth_date == birth_date and subscriber.sex == sex and subscriber.is_foreigner == is_foreigner
    )
    name_matches = normalise_name(subscriber.subscriber_name) == normalise_name(name)
    arc_name = normalise_name(check.name)
    if details_match and not name_matches and normalise_name(name) == arc_name:
        # The person typed their ARC name correctly; the line is registered under another name.
        raise _name_not_arc_name()
    if not (details_match and name_matches):
        raise ApplicationError(
            "PCC_MOBILE_DETAILS_MISMATCH",
            _(
                "The details do not match what the telecom has for this number. Enter the name without "
                "spaces, the date of birth (8 digits), sex and Korean/foreign exactly as when the phone was "
                "registered. The phone must be registered in your own name."
            ),
        )
    if normalise_name(subscriber.subscriber_name) != arc_name:
        raise _name_not_arc_name()
    facts = identity_check_birth_facts(check)
    if (subscriber.birth_date, subscriber.sex, subscriber.is_foreigner) != (
        facts.birth_date,
        facts.sex,
        facts.is_foreigner,
    ):
        raise ApplicationError(
            "PCC_MOBILE_NOT_OWN_PHONE",
            _(
                "This phone is registered to someone whose date of birth, sex or nationality differs from your "
                "registration number. Use a phone registered in your own name, or choose another method."
            ),
        )
    return subscriber


def _name_not_arc_name() -> ApplicationError:
    return ApplicationError(
        "PCC_MOBILE_NAME_NOT_ARC_NAME",
        _(
            "Your phone is registered under a name that differs from the name on your alien registration card. "
            "Ask your telecom to change the subscriber name to your card's name, or verify with a certificate "
            "or simple certification instead."
        ),
    )


def _sms_send(*, challenge_id, phone: str, code: str) -> None:
    body = gettext("[PCC portal] Verification code %(code)s. Valid for 3 minutes. Do not share it.") % {"code": code}
    try:
        get_sms_gateway().send(to=phone, body=body, idempotency_key=f"mobile-challenge:{challenge_id}")
    except Exception as error:  # the person can ask for a new code; the page must not fail after commit
        # The class name only: an exception text could quote the body, and the body holds the code.
        logger.error("SMS for mobile challenge %s failed: %s", challenge_id, type(error).__name__)


def mobile_challenge_start(
    *,
    check: IdentityCheck,
    telecom: str,
    channel: str,
    name: str,
    birth_date: datetime.date,
    sex: str,
    is_foreigner: bool,
    phone: str,
) -> MobileChallenge:
    """Match the subscriber (DOMAIN.md §4, seed 001 Q4), then send a 6-digit code by SMS or a push to
    the PASS app. A new start replaces the check's earlier challenges: only the latest code works."""
    if telecom not in Telecom.values:
        raise ApplicationError("PCC_MOBILE_TELECOM_UNKNOWN", _("Choose your telecom: SKT, KT, LG U+ or MVNO."))
    if channel not in MobileChannel.values:
        raise ApplicationError("PCC_MOBILE_CHANNEL_UNKNOWN", _("Choose a text message (SMS) or the PASS app."))
    e164 = phone_e164_or_error(phone)
    method_attempt_record(check=check, method=METHOD)
    with transaction.atomic():
        check = identity_check_for_update(check_id=check.pk)
        identity_check_require_open(check)
        if _failed_tries(check) >= MAX_WRONG_TRIES:
            raise _locked_error()
        subscriber = _subscriber_matching(
            check=check,
            telecom=telecom,
            name=name,
            birth_date=birth_date,
            sex=sex,
            is_foreigner=is_foreigner,
            phone=e164,
        )
        now = timezone.now()
        MobileChallenge.objects.filter(identity_check=check, confirmed_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        PushRequest.objects.filter(identity_check=check, status=PushStatus.PENDING).update(
            status=PushStatus.EXPIRED, decided_at=now
        )
        challenge = MobileChallenge(
            identity_check=check,
            subscriber=subscriber,
            telecom=telecom,
            channel=channel,
            expires_at=now + CODE_VALIDITY,
        )
        code = None
        if channel == MobileChannel.SMS:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            challenge.code_hash = _code_hash(challenge_id=challenge.pk, code=code)
        else:
            push = PushRequest(
                identity_check=check, subscriber=subscriber, provider=PushProvider.PASS, expires_at=challenge.expires_at
            )
            push.full_clean()
            push.save(force_insert=True)
            challenge.push = push
        challenge.full_clean()
        challenge.save(force_insert=True)
        if code is not None:
            transaction.on_commit(partial(_sms_send, challenge_id=challenge.pk, phone=e164, code=code))
    return challenge


def mobile_challenge_extend(*, challenge: MobileChallenge) -> MobileChallenge:
    """The "extend time" link: once per challenge, 3 minutes from now (seed 001 Q6 ⑥). An expired code
    cannot be extended; the person asks for a new one."""
    with transaction.atomic():
        challenge = mobile_challenge_for_update(challenge_id=challenge.pk)
        now = timezone.now()
        if challenge.locked_at is not None:
            raise _locked_error()
        if challenge.confirmed_at is not None:
            raise _code_used()
        if challenge.expires_at <= now:
            raise _code_expired()
        if challenge.extended:
            raise ApplicationError(
                "PCC_MOBILE_ALREADY_EXTENDED",
                _("The time can be extended only once. If the code does not arrive in time, ask for a new code."),
            )
        challenge.expires_at = now + EXTENSION
        challenge.extended = True
        challenge.save(update_fields=["expires_at", "extended"])
        if challenge.push_id is not None:
            PushRequest.objects.filter(pk=challenge.push_id, status=PushStatus.PENDING).update(
                expires_at=challenge.expires_at
            )
    return challenge


def _code_expired() -> ApplicationError:
    return ApplicationError(
        "PCC_MOBILE_CODE_EXPIRED",
        _("The code has expired (it is valid for 3 minutes). Ask for a new code."),
    )


def _code_used() -> ApplicationError:
    return ApplicationError(
        "PCC_MOBILE_CODE_USED",
        _("This code has already been used. If you have not finished, start the verification again."),
    )


def mobile_tries_left(*, challenge: MobileChallenge) -> int:
    """Wrong tries the check still has (a read for the code page)."""
    return max(0, MAX_WRONG_TRIES - _failed_tries(challenge.identity_check))


def mobile_challenge_confirm(*, challenge: MobileChallenge, code: str) -> IdentityCheck:
    """Check the SMS code. Right: single use, the identity check becomes a proof. Wrong: one try fewer;
    the 5th wrong try locks mobile verification for the check (DOMAIN.md §4, issue 4).

    The check row is locked first, so parallel confirms are serialised: two cannot both pass, and no
    more than 5 wrong tries are ever counted."""
    error = None
    with transaction.atomic():
        check = identity_check_for_update(check_id=challenge.identity_check_id)
        challenge = mobile_challenge_for_update(challenge_id=challenge.pk)
        now = timezone.now()
        if challenge.channel != MobileChannel.SMS:
            raise ApplicationError(
                "PCC_MOBILE_NO_CODE", _("This verification uses the PASS app, not a code. Approve it in the app.")
            )
        if challenge.confirmed_at is not None or check.verified_at is not None:
            raise _code_used()
        failed = _failed_tries(check)
        if challenge.locked_at is not None or failed >= MAX_WRONG_TRIES:
            raise _locked_error()
        if challenge.expires_at <= now:
            raise _code_expired()
        identity_check_require_open(check)
        typed = (code or "").strip()
        if not secrets.compare_digest(_code_hash(challenge_id=challenge.pk, code=typed), challenge.code_hash):
            challenge.failed_attempts += 1
            tries_left = MAX_WRONG_TRIES - (failed + 1)
            if tries_left <= 0:
                challenge.locked_at = now
                error = _locked_error()
            else:
                error = ApplicationError(
                    "PCC_MOBILE_CODE_WRONG",
                    _("The code is not right. Check the 6 digits in the text message and try again."),
                    extra={"tries_left": tries_left},
                )
            challenge.save(update_fields=["failed_attempts", "locked_at"])
        else:
            challenge.confirmed_at = now
            challenge.save(update_fields=["confirmed_at"])
            identity_check_verified(check=check, method=METHOD, phone=challenge.subscriber.phone)
    # Raised after the block so that the counted try is committed, not rolled back with the error.
    if error is not None:
        raise error
    return check


def mobile_pass_status(*, challenge: MobileChallenge) -> str:
    """Read the PASS push of the challenge; approved verifies the check once (DOMAIN.md §4)."""
    with transaction.atomic():
        check = identity_check_for_update(check_id=challenge.identity_check_id)
        challenge = mobile_challenge_for_update(challenge_id=challenge.pk)
        push = (
            PushRequest.objects.select_for_update().filter(pk=challenge.push_id, identity_check=check).first()
            if challenge.push_id is not None
            else None
        )
        if challenge.channel != MobileChannel.PASS_APP or push is None:
            raise ApplicationError(
                "PCC_MOBILE_NO_PUSH", _("This verification uses a code by text message. Enter the code.")
            )
        status = push_request_status(push)
        if status != push.status:
            push.status = status
            push.save(update_fields=["status"])
        if status == PushStatus.APPROVED and challenge.confirmed_at is None:
            identity_check_require_open(check)
            challenge.confirmed_at = timezone.now()
            challenge.save(update_fields=["confirmed_at"])
            identity_check_verified(check=check, method=METHOD, phone=challenge.subscriber.phone)
    return status
