"""Notices to holders (issue 6; GOV.UK Notify `app/delivery/send_to_providers.py`,
`app/celery/provider_tasks.py`, `app/celery/scheduled_tasks.py`).

- **Outbox.** `notices_for_event` is called by issuance.services for every event, inside the event's
  transaction: the notice row is written (status `created`) or not at all, with the event. After commit a
  task is queued (`transaction.on_commit`, robust: a broker that is down loses nothing, the sweeper
  replays). Declarations and expiry reminders write their notices the same way.
- **Exactly once.** One row per event and channel (unique idempotency key). The task claims the row
  with one conditional UPDATE before sending; a row left in `sending` by a worker that died can be
  claimed again only after `NOTICE_SENDING_LEASE_SECONDS`, and the gateway receives the idempotency key
  so a provider that got the first attempt does not deliver a second.
- **Consent.** Text messages about declarations and code changes go only to holders with the open SMS
  consent (DOMAIN.md §5); withdrawing it cancels what is not yet sent. Expiry notices go to everyone by
  email, and by SMS too with the consent.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from issuance.codes import mask_code
from issuance.models import Code, CodeEvent, CodeStatus, ConsentKind, Declaration, EventKind, Holder, TerminationReason
from notifications.gateways import (
    GatewayPermanentError,
    GatewayTemporaryError,
    SmsRefused,
    get_sms_gateway,
)
from notifications.messages import MessageTooLong, notice_message
from notifications.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from personal_data.masking import mask_declaration_number

logger = logging.getLogger(__name__)

# Which events of the code's life are told to the holder by SMS (with consent): its changes.
_EVENT_NOTICES = {
    EventKind.ISSUED: NoticeKind.CODE_ISSUED,
    EventKind.CHANGED: NoticeKind.CODE_CHANGED,
    EventKind.RENEWED: NoticeKind.CODE_RENEWED,
    EventKind.REISSUED: NoticeKind.CODE_REISSUED,
    EventKind.SUSPENDED: NoticeKind.CODE_SUSPENDED,
    EventKind.REINSTATED: NoticeKind.CODE_REINSTATED,
    EventKind.TERMINATED: NoticeKind.CODE_TERMINATED,
    EventKind.EXPIRED: NoticeKind.CODE_EXPIRED,
}
# Everyone hears of their code's expiry by email, whatever the SMS consent (issue 6).
_EMAIL_KINDS = frozenset({NoticeKind.EXPIRY_REMINDER, NoticeKind.CODE_EXPIRED})
EXPIRY_REMINDER_DAYS = (30, 7)
NOTICE_MAX_ATTEMPTS = 48  # GOV.UK Notify: 48 tries, 5 minutes apart, about 4 hours


def _sms_consent_given(holder: Holder) -> bool:
    return holder.consents.filter(kind=ConsentKind.SMS_NOTICES, withdrawn_at__isnull=True).exists()


def _context(code: Code, **extra) -> dict:
    return {"code": mask_code(code.number), "expires_on": code.expires_on.isoformat(), **extra}


def _notice_create(
    *, holder: Holder, code: Code | None, kind: str, channel: str, key: str, context: dict
) -> Notice | None:
    """Write one notice in the caller's transaction and queue its delivery after commit. None if this
    key was written before (a replayed call or job): nothing new is written or queued."""
    notice, created = Notice.objects.get_or_create(
        idempotency_key=f"{key}:{channel}",
        defaults={
            "holder": holder,
            "code": code,
            "kind": kind,
            "channel": channel,
            "context": context,
            "language": holder.language,
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: notice_queue(notice.pk), robust=True)
    return notice


def _notices_create(*, holder: Holder, code: Code | None, kind: str, key: str, context: dict) -> list[Notice]:
    """The notices written now for this event (one per channel the holder is told by)."""
    if holder.is_erased:
        # Nobody to tell (DOMAIN.md §9), and the contact details are unreadable without the destroyed
        # key: a declaration still filed with an erased person's code must be recorded all the same.
        return []
    channels = []
    if holder.mobile and _sms_consent_given(holder):
        channels.append(NoticeChannel.SMS)
    if kind in _EMAIL_KINDS and holder.email:
        channels.append(NoticeChannel.EMAIL)
    written = (
        _notice_create(holder=holder, code=code, kind=kind, channel=channel, key=key, context=context)
        for channel in channels
    )
    return [notice for notice in written if notice is not None]


def notices_for_event(event: CodeEvent) -> list[Notice]:
    """Called by issuance.services for every event, in its transaction. A code replaced by a reissue
    is told once, by the reissue's notice; look-ups and consent changes are not told."""
    kind = _EVENT_NOTICES.get(event.kind)
    if kind is None or (event.kind == EventKind.TERMINATED and event.reason == TerminationReason.REPLACED):
        return []
    if event.kind == EventKind.TERMINATED and event.reason == TerminationReason.ERASED:
        return []  # the person asked to be forgotten: no message about it
    return _notices_create(
        holder=event.holder, code=event.code, kind=kind, key=f"event:{event.pk}", context=_context(event.code)
    )


def notices_for_declaration(declaration: Declaration) -> list[Notice]:
    """A declaration filed with the code: SMS to a holder who opted in, with how to report misuse."""
    code = declaration.code
    context = _context(code, declaration=mask_declaration_number(declaration.number), declaration_kind=declaration.kind)
    return _notices_create(
        holder=code.holder,
        code=code,
        kind=NoticeKind.DECLARATION_FILED,
        key=f"declaration:{declaration.pk}",
        context=context,
    )


def expiry_reminders_create(*, today: datetime.date | None = None) -> int:
    """The daily job: codes in use that expire in 30 or 7 days get a reminder (email, and SMS with the
    consent). Idempotent: the key names the code, its expiry date and the days left. Returns how many
    notices it wrote (none when run again the same day)."""
    today = today or timezone.localdate()
    count = 0
    for days in EXPIRY_REMINDER_DAYS:
        target = today + datetime.timedelta(days=days)
        codes = Code.objects.filter(status=CodeStatus.ACTIVE, expires_on=target).select_related("holder__data_key")
        for code in codes.iterator(chunk_size=500):
            with transaction.atomic():
                count += len(
                    _notices_create(
                        holder=code.holder,
                        code=code,
                        kind=NoticeKind.EXPIRY_REMINDER,
                        key=f"reminder:{code.pk}:{code.expires_on.isoformat()}:{days}",
                        context=_context(code, days_left=days),
                    )
                )
    return count


def notice_queue(notice_id) -> None:
    from notifications.tasks import deliver_notice

    deliver_notice.apply_async(args=[str(notice_id)])


def notices_cancel_sms_for(holder: Holder) -> int:
    """Withdrawing the SMS consent stops every text message not yet sent (issue 6)."""
    return Notice.objects.filter(
        holder=holder, channel=NoticeChannel.SMS, status__in=[NoticeStatus.CREATED, NoticeStatus.TEMPORARY_FAILURE]
    ).update(status=NoticeStatus.CANCELLED, updated_at=timezone.now())


# --- Delivery -----------------------------------------------------------------------------------------


class Outcome:
    SENT = "sent"
    RETRY = "retry"  # a temporary failure: the task tries again later
    FAILED = "failed"  # a permanent failure
    SKIPPED = "skipped"  # not claimable: sent, being sent, cancelled or unknown
    CANCELLED = "cancelled"


def _claim(notice_id) -> bool:
    """One conditional UPDATE: only one worker can move a notice to `sending` at a time."""
    now = timezone.now()
    lease = now - datetime.timedelta(seconds=settings.NOTICE_SENDING_LEASE_SECONDS)
    claimable = Q(status__in=[NoticeStatus.CREATED, NoticeStatus.TEMPORARY_FAILURE]) | Q(
        status=NoticeStatus.SENDING, sending_at__lt=lease
    )
    return bool(
        Notice.objects.filter(claimable, pk=notice_id).update(
            status=NoticeStatus.SENDING, sending_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    )


def _finish(notice: Notice, status: str, **fields) -> None:
    now = timezone.now()
    if status == NoticeStatus.SENT:
        fields["sent_at"] = now
    elif status in (NoticeStatus.PERMANENT_FAILURE, NoticeStatus.TEMPORARY_FAILURE):
        fields["failed_at"] = now
    Notice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(status=status, updated_at=now, **fields)


def _email_send(*, to: str, subject: str, body: str, idempotency_key: str) -> str:
    message = EmailMessage(subject=subject, body=body, to=[to], headers={"X-PCC-Notice": idempotency_key})
    try:
        message.send(fail_silently=False)
    except OSError as error:  # SMTP and socket errors: the server may take it later
        raise GatewayTemporaryError(type(error).__name__) from None
    return f"email-{idempotency_key}"


def notice_deliver(*, notice_id) -> str:
    """Send one notice if it can be claimed (Outcome says what happened). The provider call has its
    own timeout (HTTP gateway: 10 s)."""
    if not _claim(notice_id):
        return Outcome.SKIPPED
    notice = Notice.objects.select_related("holder__data_key").get(pk=notice_id)
    holder = notice.holder
    # An erased person is told nothing more, by any channel; their contact details cannot be read.
    if holder.is_erased or (notice.channel == NoticeChannel.SMS and not _sms_consent_given(holder)):
        _finish(notice, NoticeStatus.CANCELLED)
        return Outcome.CANCELLED
    try:
        message = notice_message(
            kind=notice.kind, channel=notice.channel, language=notice.language, context=notice.context
        )
        if notice.channel == NoticeChannel.SMS:
            if not holder.mobile:
                raise GatewayPermanentError("no mobile number")
            provider_id = get_sms_gateway().send(
                to=holder.mobile, body=message.body, idempotency_key=notice.idempotency_key
            )
            provider = settings.SMS_BACKEND
        else:
            provider_id = _email_send(
                to=holder.email, subject=message.subject, body=message.body, idempotency_key=notice.idempotency_key
            )
            provider = "email"
    except GatewayTemporaryError as error:
        _finish(notice, NoticeStatus.TEMPORARY_FAILURE, last_error=str(error)[:200])
        return Outcome.RETRY
    except (GatewayPermanentError, SmsRefused, MessageTooLong) as error:
        _finish(notice, NoticeStatus.PERMANENT_FAILURE, last_error=str(error)[:200])
        return Outcome.FAILED
    except Exception as error:
        # A fault of ours (a gateway not configured, a full disk): the notice must not stay claimed in
        # `sending`; as a temporary failure it is retried. Only the error's type is kept: its text could
        # hold a number or a body.
        _finish(notice, NoticeStatus.TEMPORARY_FAILURE, last_error=f"unexpected {type(error).__name__}")
        # No traceback: its text may quote a number or a body.
        logger.error("notice %s not sent: unexpected %s", notice.pk, type(error).__name__)
        return Outcome.RETRY
    _finish(
        notice,
        NoticeStatus.SENT,
        provider=provider,
        provider_message_id=provider_id[:100],
        message_type=message.message_type,
        last_error="",
    )
    logger.info("notice sent", extra={"notice_id": str(notice.pk), "kind": notice.kind, "channel": notice.channel})
    return Outcome.SENT


def notice_give_up(*, notice_id) -> None:
    """Retries are used up (about 4 hours): the notice stays a temporary failure, with the reason."""
    Notice.objects.filter(pk=notice_id, status=NoticeStatus.TEMPORARY_FAILURE).update(
        last_error="retries exhausted", updated_at=timezone.now()
    )


def notices_replay(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The sweeper (GOV.UK Notify `replay_created_notifications`): notices still `created` after 15
    minutes are queued again (the queueing after commit was lost: broker down, web process died);
    temporary failures past their retry delay and notices left `sending` past the claim's lease are
    queued again; notices in `sending` for 72 hours become temporary failures."""
    now = now or timezone.now()
    created_cutoff = now - datetime.timedelta(seconds=settings.NOTICE_REPLAY_AFTER_SECONDS)
    stuck = list(
        Notice.objects.filter(status=NoticeStatus.CREATED, created_at__lt=created_cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:10_000]
    )
    # Temporary failures whose retry was lost (the embedded run has no worker to wait in; a retry
    # message can be lost with the broker) are queued again once the retry delay has passed.
    retry_cutoff = now - datetime.timedelta(seconds=settings.NOTICE_RETRY_DELAY_SECONDS)
    stuck += list(
        Notice.objects.filter(
            status=NoticeStatus.TEMPORARY_FAILURE, failed_at__lt=retry_cutoff, attempts__lt=NOTICE_MAX_ATTEMPTS
        )
        .exclude(last_error="retries exhausted")
        .order_by("failed_at")
        .values_list("pk", flat=True)[:10_000]
    )
    # Claimed by a worker that died, with its task lost too (a broker restarted empty): the claim's lease
    # has run out, so it can be claimed again; the gateway's idempotency key prevents a second message.
    lease_cutoff = now - datetime.timedelta(seconds=settings.NOTICE_SENDING_LEASE_SECONDS)
    stuck += list(
        Notice.objects.filter(
            status=NoticeStatus.SENDING,
            sending_at__lt=lease_cutoff,
            sending_at__gte=now - datetime.timedelta(hours=72),
            attempts__lt=NOTICE_MAX_ATTEMPTS,
        )
        .order_by("sending_at")
        .values_list("pk", flat=True)[:10_000]
    )
    for notice_id in stuck:
        notice_queue(notice_id)
    timed_out = Notice.objects.filter(
        status=NoticeStatus.SENDING, sending_at__lt=now - datetime.timedelta(hours=72)
    ).update(status=NoticeStatus.TEMPORARY_FAILURE, failed_at=now, last_error="sending timed out", updated_at=now)
    return {"requeued": len(stuck), "timed_out": timed_out}


def notice_receipt(*, provider_message_id: str, delivered: bool, permanent: bool = True) -> bool:
    """A delivery receipt from the provider: sent → delivered, or → failed. A repeated receipt changes
    nothing and is still acknowledged (providers retry until they get a 2xx). Returns whether a notice
    has this provider id (the webhook answers 404 otherwise)."""
    now = timezone.now()
    matching = Notice.objects.filter(provider_message_id=provider_message_id)
    waiting = matching.filter(status=NoticeStatus.SENT)
    if delivered:
        waiting.update(status=NoticeStatus.DELIVERED, delivered_at=now, updated_at=now)
    else:
        status = NoticeStatus.PERMANENT_FAILURE if permanent else NoticeStatus.TEMPORARY_FAILURE
        waiting.update(status=status, failed_at=now, updated_at=now, last_error="provider receipt")
    return matching.exists()


_FINAL_STATUSES = (
    NoticeStatus.SENT,
    NoticeStatus.DELIVERED,
    NoticeStatus.PERMANENT_FAILURE,
    NoticeStatus.TEMPORARY_FAILURE,
    NoticeStatus.CANCELLED,
)


def notices_purge(*, now: datetime.datetime | None = None) -> int:
    """Retention (DOMAIN.md §9: keep no longer than the purpose needs): notices are an operational
    record, removed NOTICE_RETENTION_DAYS after they were written unless still on their way. The holder's
    usage history is the declarations, not the notices."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NOTICE_RETENTION_DAYS)
    old = Notice.objects.filter(created_at__lt=cutoff, status__in=_FINAL_STATUSES).exclude(
        status=NoticeStatus.TEMPORARY_FAILURE, attempts__lt=NOTICE_MAX_ATTEMPTS
    )
    deleted, _ = old.delete()
    return deleted
