"""Identity checks: the real-name check, the single-use proof that a method verified the person,
and its consumption by exactly one journey (DOMAIN.md §4).

The browser session holds only the check's id and a random token whose hash is on the row; the
personal values live sealed on the row, never in the session store.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import ApplicationError
from personal_data.identity import clean_display_name, parse_resident_number
from personal_data.models import DataKey
from personal_data.services import data_key_create
from verification.models import CheckPurpose, IdentityCheck, MethodAttempt
from verification.providers import real_name_registry

PROOF_VALIDITY = datetime.timedelta(minutes=10)  # issue: "single-use, session-bound proof valid 10 minutes"
PENDING_VALIDITY = datetime.timedelta(minutes=15)  # time to finish a method after the real-name check

JOURNEY_IDLE = datetime.timedelta(minutes=10)
SESSION_CHECK_ID = "identity_check_id"
SESSION_CHECK_TOKEN = "identity_check_token"  # noqa: S105 — a session key name, not a secret
SESSION_JOURNEY_ID = "journey_check_id"
SESSION_JOURNEY_TOKEN = "journey_check_token"  # noqa: S105 — a session key name, not a secret


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _no_check() -> ApplicationError:
    return ApplicationError(
        "PCC_VERIFICATION_REQUIRED",
        _("Your identity check has expired or was not started. Please start again; it takes a minute."),
    )


def identity_check_start(*, session, purpose: str, name: str, resident_number: str) -> IdentityCheck:
    """Run the real-name check and open an identity check bound to this browser session."""
    if purpose not in CheckPurpose.values:
        raise ApplicationError(
            "PCC_PURPOSE_UNKNOWN", _("Choose whether to apply for a new code or to check your code.")
        )
    rrn = parse_resident_number(resident_number)
    real_name_registry().check(name=name, resident_number=rrn.digits)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        check = IdentityCheck(
            data_key=data_key_create(),
            purpose=purpose,
            session_token_hash=_token_hash(token),
            name=clean_display_name(name),
            resident_number=rrn.digits,
            expires_at=timezone.now() + PENDING_VALIDITY,
        )
        check.save(force_insert=True)
    session[SESSION_CHECK_ID] = str(check.pk)
    session[SESSION_CHECK_TOKEN] = token
    return check


def identity_check_current(session) -> IdentityCheck | None:
    check_id, token = session.get(SESSION_CHECK_ID), session.get(SESSION_CHECK_TOKEN)
    if not check_id or not token:
        return None
    check = IdentityCheck.objects.select_related("data_key").filter(pk=check_id).first()
    if check is None or not secrets.compare_digest(check.session_token_hash, _token_hash(token)):
        return None
    return check


def identity_check_pending(*, session) -> IdentityCheck:
    """The session's check that passed the real-name step and awaits a method; else an error."""
    check = identity_check_current(session)
    if check is None or check.verified_at is not None or check.expires_at <= timezone.now():
        raise _no_check()
    return check


def identity_check_require_open(check: IdentityCheck) -> None:
    """A method may act only on a check that passed the real-name step, is not yet verified or consumed
    and has not expired (the phone-based methods, verification.mobile and verification.simple)."""
    if check.verified_at is not None or check.consumed_at is not None or check.expires_at <= timezone.now():
        raise _no_check()


def identity_check_verified(*, check: IdentityCheck, method: str, phone: str | None = None) -> IdentityCheck:
    """A method confirmed the person: the check becomes a proof valid 10 minutes."""
    now = timezone.now()
    check.method = method
    check.phone = phone
    check.verified_at = now
    check.expires_at = now + PROOF_VALIDITY
    check.save()
    MethodAttempt.objects.filter(identity_check_id=check.pk, method=method, verified_at__isnull=True).update(
        verified_at=now
    )
    return check


def method_attempt_record(*, check: IdentityCheck, method: str) -> None:
    """Count that a person started a method on this check (the dashboard's success rate by method,
    issue 5). Once per check and method: a second SMS code or signature is the same attempt. Written
    outside the method's transaction, so an attempt refused for mismatched details still counts."""
    MethodAttempt.objects.bulk_create(
        [MethodAttempt(started_at=timezone.now(), method=method, identity_check_id=check.pk)], ignore_conflicts=True
    )


def identity_proof_consume(*, session, purpose: str) -> IdentityCheck:
    """Hand the proof to one journey, once: another tab or a replay finds it consumed. The journey
    then holds the check under a fresh session token, for as long as the session stays active."""
    with transaction.atomic():
        check = identity_check_current(session)
        if check is None:
            raise _no_check()
        check = IdentityCheck.objects.select_for_update().select_related("data_key").get(pk=check.pk)
        now = timezone.now()
        if check.verified_at is None or check.consumed_at is not None or check.expires_at <= now:
            raise _no_check()
        if check.purpose != purpose:
            raise _no_check()
        token = secrets.token_urlsafe(32)
        check.consumed_at = now
        check.session_token_hash = _token_hash(token)
        check.expires_at = now + JOURNEY_IDLE
        check.save(update_fields=["consumed_at", "session_token_hash", "expires_at"])
    session.pop(SESSION_CHECK_ID, None)
    session.pop(SESSION_CHECK_TOKEN, None)
    session[SESSION_JOURNEY_ID] = str(check.pk)
    session[SESSION_JOURNEY_TOKEN] = token
    return check


def identity_journey_check(*, session, purposes: tuple[str, ...]) -> IdentityCheck:
    """The verified person of the journey in progress in this session; each step keeps it alive
    for another 10 minutes (the journey's idle limit)."""
    check_id, token = session.get(SESSION_JOURNEY_ID), session.get(SESSION_JOURNEY_TOKEN)
    check = IdentityCheck.objects.select_related("data_key").filter(pk=check_id).first() if check_id else None
    now = timezone.now()
    if (
        check is None
        or not token
        or not secrets.compare_digest(check.session_token_hash, _token_hash(token))
        or check.consumed_at is None
        or check.expires_at <= now
        or check.purpose not in purposes
    ):
        raise _no_check()
    IdentityCheck.objects.filter(pk=check.pk).update(expires_at=now + JOURNEY_IDLE)
    return check


def identity_journey_switch(*, check: IdentityCheck, purpose: str) -> IdentityCheck:
    """Someone who applies but already holds a code is taken to look-up with the same proof."""
    check.purpose = purpose
    check.save(update_fields=["purpose"])
    return check


def identity_journey_end(*, session) -> None:
    session.pop(SESSION_JOURNEY_ID, None)
    session.pop(SESSION_JOURNEY_TOKEN, None)


def identity_check_birth_facts(check: IdentityCheck):
    """Birth date, sex and Korean/foreign of the checked person, from the RRN/ARN."""
    return parse_resident_number(check.resident_number)


def identity_checks_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete checks past their expiry and destroy their data keys (data minimisation, DOMAIN.md §9).
    Consumed checks go too: the journey copied what it needed into the holder's record."""
    now = now or timezone.now()
    doomed = list(IdentityCheck.objects.filter(expires_at__lt=now).values_list("pk", "data_key_id")[:5000])
    if not doomed:
        return 0
    with transaction.atomic():
        IdentityCheck.objects.filter(pk__in=[pk for pk, _key in doomed]).delete()
        DataKey.objects.filter(pk__in=[key for _pk, key in doomed]).delete()
    return len(doomed)
