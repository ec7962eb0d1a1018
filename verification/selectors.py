"""Reads of the phone-based methods: the simulated telecom's subscribers, their inboxes and pushes."""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from personal_data.blind_index import blind_index_of
from verification.models import (
    IdentityCheck,
    MobileChallenge,
    PushRequest,
    PushStatus,
    SimulatedPhoneMessage,
    SimulatedTelecomSubscriber,
)


def telecom_subscriber_find_by_phone(*, phone: str) -> SimulatedTelecomSubscriber | None:
    """The line with this number (any format; compared by its blind index, never in plaintext)."""
    return (
        SimulatedTelecomSubscriber.objects.select_related("data_key")
        .filter(phone_index=blind_index_of("phone", phone))
        .first()
    )


def telecom_subscriber_list() -> QuerySet[SimulatedTelecomSubscriber]:
    return SimulatedTelecomSubscriber.objects.select_related("data_key").order_by("telecom", "id")


@dataclass(frozen=True)
class PhoneMessage:
    received_at: datetime.datetime
    body: str


def phone_message_list(*, subscriber: SimulatedTelecomSubscriber, limit: int = 50) -> list:
    """Newest first, as a phone shows its messages: the simulated network's inbox and, when the SMS
    backend is the file gateway, the lines of that file sent to this number (issue 6: the simulated
    phone reads the same file)."""
    inbox = list(SimulatedPhoneMessage.objects.filter(subscriber=subscriber).order_by("-received_at", "-id")[:limit])
    if settings.SMS_BACKEND != "file":
        return inbox
    from notifications.gateways.file import file_messages

    sent = [
        PhoneMessage(received_at=datetime.datetime.fromisoformat(line["at"]), body=line["body"])
        for line in file_messages()
        if line["to"] == subscriber.phone
    ]
    return sorted([*inbox, *sent], key=lambda message: message.received_at, reverse=True)[:limit]


def push_request_pending_list(*, subscriber: SimulatedTelecomSubscriber) -> QuerySet[PushRequest]:
    return PushRequest.objects.filter(
        subscriber=subscriber, status=PushStatus.PENDING, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def push_request_status(push: PushRequest) -> str:
    """The status as the app would report it now: a pending request past its expiry is expired."""
    if push.status == PushStatus.PENDING and push.expires_at <= timezone.now():
        return PushStatus.EXPIRED
    return push.status


def _uuid_or_none(value) -> uuid.UUID | None:
    # Ids come from the session; a malformed one finds nothing rather than failing the page.
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def mobile_challenge_for_check(*, challenge_id, check: IdentityCheck) -> MobileChallenge | None:
    """The session's challenge, only if it belongs to the session's identity check; with its PASS push."""
    challenge_id = _uuid_or_none(challenge_id)
    if challenge_id is None:
        return None
    return (
        MobileChallenge.objects.select_related("subscriber__data_key", "push")
        .filter(pk=challenge_id, identity_check=check)
        .first()
    )


def simple_request_for_check(*, request_id, check: IdentityCheck) -> PushRequest | None:
    """A simple-certification request of this check. The PASS push of a mobile challenge is not one:
    it cannot verify as "simple"."""
    request_id = _uuid_or_none(request_id)
    if request_id is None:
        return None
    return (
        PushRequest.objects.select_related("subscriber__data_key")
        .filter(pk=request_id, identity_check=check, mobile_challenge__isnull=True)
        .first()
    )


def identity_check_for_update(*, check_id) -> IdentityCheck:
    """The check, row-locked until the transaction ends: every write of the phone-based methods locks
    the check first, so their steps on one check are serialised (parallel tabs, double submits)."""
    return IdentityCheck.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=check_id)


def mobile_challenge_for_update(*, challenge_id) -> MobileChallenge:
    """The challenge, row-locked; take the check's lock first (identity_check_for_update)."""
    return (
        MobileChallenge.objects.select_for_update(of=("self",))
        .select_related("subscriber__data_key")
        .get(pk=challenge_id)
    )
