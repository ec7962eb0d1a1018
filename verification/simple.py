"""Simple certification (간편인증, DOMAIN.md §4; seed 001 "Simple Certification Authentication").

The person picks a provider (Kakao, Naver, Toss, PASS, PAYCO) and types name, birth date and phone;
the provider pushes a request to its app on that phone; the person approves or refuses there; the
portal polls and continues. Requests expire after 5 minutes (issue 4).

The simulated providers' "account" is the telecom subscriber of the phone: its name and birth date
must match what was typed AND the person of the real-name check (ARC name, RRN/ARN birth date).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import ApplicationError
from personal_data.identity import normalise_name
from verification.mobile import phone_e164_or_error
from verification.models import IdentityCheck, PushProvider, PushRequest, PushStatus
from verification.selectors import (
    identity_check_for_update,
    push_request_status,
    simple_request_for_check,
    telecom_subscriber_find_by_phone,
)
from verification.services import (
    identity_check_birth_facts,
    identity_check_require_open,
    identity_check_verified,
    method_attempt_record,
)

REQUEST_VALIDITY = datetime.timedelta(minutes=5)  # issue 4: "expires in 5 minutes"
METHOD = "simple"


def simple_request_start(
    *, check: IdentityCheck, provider: str, name: str, birth_date: datetime.date, phone: str
) -> PushRequest:
    """Push a request to the provider's app on the phone; earlier pending requests of the check lapse."""
    if provider not in PushProvider.values:
        raise ApplicationError(
            "PCC_SIMPLE_PROVIDER_UNKNOWN", _("Choose the app you use: Kakao, Naver, Toss, PASS or PAYCO.")
        )
    e164 = phone_e164_or_error(phone)
    method_attempt_record(check=check, method=METHOD)
    with transaction.atomic():
        check = identity_check_for_update(check_id=check.pk)
        identity_check_require_open(check)
        subscriber = telecom_subscriber_find_by_phone(phone=e164)
        if subscriber is None:
            raise ApplicationError(
                "PCC_SIMPLE_ACCOUNT_NOT_FOUND",
                _(
                    "No account of this app was found for this phone number. Check the number, or choose the "
                    "app that is installed on your phone and registered in your name."
                ),
            )
        typed_matches = (
            normalise_name(subscriber.subscriber_name) == normalise_name(name) and subscriber.birth_date == birth_date
        )
        if not typed_matches:
            raise ApplicationError(
                "PCC_SIMPLE_DETAILS_MISMATCH",
                _(
                    "The name or date of birth does not match the app's account for this number. Enter them as "
                    "registered in the app; spaces in the name do not matter."
                ),
            )
        if normalise_name(subscriber.subscriber_name) != normalise_name(check.name):
            raise ApplicationError(
                "PCC_SIMPLE_NAME_NOT_ARC_NAME",
                _(
                    "The app's account is in a name that differs from the name on your alien registration card. "
                    "Use an account in your card's name, or verify with a certificate instead."
                ),
            )
        if subscriber.birth_date != identity_check_birth_facts(check).birth_date:
            raise ApplicationError(
                "PCC_SIMPLE_NOT_OWN_ACCOUNT",
                _(
                    "The app's account belongs to someone with another date of birth than your registration "
                    "number. Use an account in your own name."
                ),
            )
        now = timezone.now()
        PushRequest.objects.filter(identity_check=check, status=PushStatus.PENDING).update(
            status=PushStatus.EXPIRED, decided_at=now
        )
        push = PushRequest(
            identity_check=check, subscriber=subscriber, provider=provider, expires_at=now + REQUEST_VALIDITY
        )
        push.full_clean()
        push.save(force_insert=True)
    return push


def simple_request_status(*, request_id, check: IdentityCheck) -> str:
    """The request's status now; the first time it is seen approved, the check becomes a proof."""
    with transaction.atomic():
        check = identity_check_for_update(check_id=check.pk)
        found = simple_request_for_check(request_id=request_id, check=check)
        if found is None:
            raise ApplicationError(
                "PCC_SIMPLE_REQUEST_UNKNOWN",
                _("No request is waiting for this session. Send a new request from the simple certification page."),
            )
        push = (
            PushRequest.objects.select_for_update(of=("self",)).select_related("subscriber__data_key").get(pk=found.pk)
        )
        status = push_request_status(push)
        if status != push.status:
            push.status = status
            push.save(update_fields=["status"])
        if status == PushStatus.APPROVED and not (check.verified_at is not None and check.method == METHOD):
            identity_check_require_open(check)
            identity_check_verified(check=check, method=METHOD, phone=push.subscriber.phone)
    return status


def push_request_decide(*, push: PushRequest, approve: bool) -> PushRequest:
    """The person answers in the app (the simulated phone): only a pending, unexpired request."""
    with transaction.atomic():
        push = PushRequest.objects.select_for_update().get(pk=push.pk)
        if push_request_status(push) == PushStatus.EXPIRED:
            if push.status != PushStatus.EXPIRED:
                push.status = PushStatus.EXPIRED
                push.save(update_fields=["status"])
            # Committed with the expiry recorded, then refused below.
            expired = True
        elif push.status != PushStatus.PENDING:
            raise ApplicationError("PCC_PUSH_ALREADY_DECIDED", _("This request has already been answered."))
        else:
            expired = False
            push.status = PushStatus.APPROVED if approve else PushStatus.REFUSED
            push.decided_at = timezone.now()
            push.save(update_fields=["status", "decided_at"])
    if expired:
        raise push_outcome_error(PushStatus.EXPIRED)
    return push


def push_outcome_error(status: str) -> ApplicationError | None:
    """What to tell the person waiting for a push (PASS or simple certification) that is not approved."""
    if status == PushStatus.PENDING:
        return ApplicationError(
            "PCC_PUSH_PENDING",
            _("The request has not been approved yet. Open the app on your phone, approve it, then continue."),
        )
    if status == PushStatus.REFUSED:
        return ApplicationError(
            "PCC_PUSH_REFUSED",
            _(
                "The request was refused in the app. If you refused it by mistake, send a new request. If you "
                "did not start it, someone may be using your details: stop here."
            ),
        )
    if status == PushStatus.EXPIRED:
        return ApplicationError("PCC_PUSH_EXPIRED", _("This request has expired. Send a new request from the portal."))
    return None
