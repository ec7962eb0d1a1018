"""The notices outbox (issue 6; GOV.UK Notify's notifications table): a notice is written with its event,
in the same transaction, and queued only after commit; delivery claims the row first, so a task run
twice, a worker that died or a replay sends one message; withdrawing the SMS consent stops what is not
yet sent; the sweeper replays what got stuck.

Celery runs eagerly here: a queued task runs in this process when the on-commit callbacks run
(`django_capture_on_commit_callbacks(execute=True)`, as the test transaction never commits). Text
messages go to the in-memory gateway; temporary and permanent provider failures come from a real HTTP
provider on 127.0.0.1 (tests/integration/sms_provider.py).
"""

import datetime

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from issuance.codes import mask_code
from issuance.models import Code, Declaration, SuspensionReason
from issuance.services import (
    ReissueReason,
    code_issue,
    code_reissue,
    code_suspend,
    declaration_record,
    holder_erase,
    holder_set_sms_consent,
)
from notifications.gateways import get_sms_gateway
from notifications.models import MessageType, Notice, NoticeChannel, NoticeKind, NoticeStatus
from notifications.services import (
    Outcome,
    expiry_reminders_create,
    notice_deliver,
    notice_receipt,
    notices_replay,
)
from notifications.tasks import deliver_notice
from personal_data.masking import mask_declaration_number
from tests.factories import ONLINE, HolderDetailsFactory
from tests.integration.sms_provider import API_KEY, SmsProvider

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 1_000_000))


class Abort(Exception):
    pass


def _declaration_number() -> str:
    return f"43120-26-{next(_numbers):07d}M"


def _notice(**filters) -> Notice:
    return Notice.objects.get(**filters)


def _messages_for(outbox, notice: Notice) -> list[dict]:
    return [message for message in outbox if message["idempotency_key"] == notice.idempotency_key]


def _issued_notice(code) -> Notice:
    return _notice(code=code, kind=NoticeKind.CODE_ISSUED, channel=NoticeChannel.SMS)


def _left_sending(notice: Notice, *, seconds_ago: float) -> None:
    """A worker claimed the notice `seconds_ago` and never finished (killed, or the database went away)."""
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENDING,
        sending_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=1,
    )


@pytest.fixture
def provider(settings):
    """A real HTTP SMS provider on 127.0.0.1, chosen by the settings."""
    running = SmsProvider().start()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = running.url
    settings.SMS_HTTP_API_KEY = API_KEY
    settings.SMS_HTTP_TIMEOUT_SECONDS = 5
    yield running
    running.stop()


# --- Written with the event, in its transaction ----------------------------------------------------


def test_issuing_a_code_writes_one_sms_notice_in_the_transaction_and_sends_it_after_commit(
    details, memory_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code = code_issue(details=details, actor=ONLINE)
        notice = _notice(holder=code.holder)  # exactly one
        assert notice.kind == NoticeKind.CODE_ISSUED and notice.channel == NoticeChannel.SMS
        assert notice.status == NoticeStatus.CREATED and notice.code == code
        assert notice.context == {"code": mask_code(code.number), "expires_on": code.expires_on.isoformat()}
        assert notice.language == "en"  # the holder's language
        assert memory_sms == []  # nothing leaves before the commit

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    [message] = memory_sms
    assert message["idempotency_key"] == notice.idempotency_key
    assert message["to"] == code.holder.mobile
    assert mask_code(code.number) in message["body"] and code.number not in message["body"]


def test_a_rolled_back_issue_leaves_no_notice_and_queues_nothing(
    details, memory_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abort), transaction.atomic():
        code_issue(details=details, actor=ONLINE)
        assert Notice.objects.count() == 1
        raise Abort

    assert not Notice.objects.exists()
    assert callbacks == []
    assert memory_sms == []


def test_a_holder_without_sms_consent_gets_no_sms_notice(memory_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code = code_issue(details=HolderDetailsFactory(sms_consent=False), actor=ONLINE)
        declaration_record(code=code, number=_declaration_number(), kind="import")
        code_suspend(code=code, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)

    assert not Notice.objects.filter(channel=NoticeChannel.SMS).exists()
    assert memory_sms == []


def test_a_declaration_for_an_opted_in_holder_writes_one_sms_notice_sent_once(
    issued_code, memory_sms, django_capture_on_commit_callbacks
):
    number = _declaration_number()

    with django_capture_on_commit_callbacks(execute=True):
        declaration = declaration_record(code=issued_code, number=number, kind="export")

    notice = _notice(kind=NoticeKind.DECLARATION_FILED)
    assert notice.idempotency_key == f"declaration:{declaration.pk}:sms"
    assert notice.channel == NoticeChannel.SMS and notice.code == issued_code
    assert notice.context["declaration"] == mask_declaration_number(number)
    assert notice.context["declaration_kind"] == "export"
    assert notice.status == NoticeStatus.SENT
    assert notice.message_type == MessageType.LMS  # with how to report misuse it is longer than an SMS
    [message] = _messages_for(memory_sms, notice)
    assert mask_declaration_number(number) in message["body"] and number not in message["body"]
    assert "125" in message["body"]


def test_the_same_declaration_number_twice_writes_one_declaration_and_one_notice(
    issued_code, memory_sms, django_capture_on_commit_callbacks
):
    number = _declaration_number()

    with django_capture_on_commit_callbacks(execute=True):
        first = declaration_record(code=issued_code, number=number, kind="import")
    with django_capture_on_commit_callbacks(execute=True):
        second = declaration_record(code=issued_code, number=f" {number} ", kind="import")

    assert first == second
    assert Declaration.objects.count() == 1
    notice = _notice(kind=NoticeKind.DECLARATION_FILED)  # exactly one
    assert len(_messages_for(memory_sms, notice)) == 1


def test_a_reissue_is_told_once_by_the_reissued_notice(issued_code):
    before = set(Notice.objects.values_list("pk", flat=True))

    new = code_reissue(code=issued_code, reason=ReissueReason.LOST, actor=ONLINE)

    [notice] = Notice.objects.exclude(pk__in=before)  # not a second one for the replaced code
    assert notice.kind == NoticeKind.CODE_REISSUED and notice.code == new
    assert notice.context["code"] == mask_code(new.number)


def test_erasure_writes_no_notice_and_what_was_pending_is_not_sent(
    issued_code, memory_sms, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    expiry_reminders_create(today=issued_code.expires_on - datetime.timedelta(days=30))
    pending = list(Notice.objects.filter(holder=issued_code.holder))
    assert {(n.kind, n.channel) for n in pending} == {
        (NoticeKind.CODE_ISSUED, NoticeChannel.SMS),
        (NoticeKind.EXPIRY_REMINDER, NoticeChannel.SMS),
        (NoticeKind.EXPIRY_REMINDER, NoticeChannel.EMAIL),
    }

    with django_capture_on_commit_callbacks(execute=True):
        holder_erase(holder=issued_code.holder, actor=ONLINE)

    assert Notice.objects.count() == len(pending)
    # The person is gone: nothing is sent to them any more, by text or by email.
    for notice in pending:
        assert notice_deliver(notice_id=notice.pk) == Outcome.CANCELLED
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.CANCELLED
    assert memory_sms == []


def test_a_declaration_with_the_code_of_an_erased_person_is_recorded_without_a_notice(issued_code):
    holder_erase(holder=issued_code.holder, actor=ONLINE)
    before = Notice.objects.count()
    code = Code.objects.get(pk=issued_code.pk)  # as another process reads it: no plaintext in memory

    declaration_record(code=code, number=_declaration_number(), kind="import")

    assert Declaration.objects.filter(code=code).count() == 1
    assert Notice.objects.count() == before


# --- Consent ----------------------------------------------------------------------------------------


def test_withdrawing_sms_consent_cancels_created_notices_and_nothing_is_sent(issued_code, memory_sms, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    declaration_record(code=issued_code, number=_declaration_number(), kind="import")
    expiry_reminders_create(today=issued_code.expires_on - datetime.timedelta(days=7))
    sms = list(Notice.objects.filter(channel=NoticeChannel.SMS))
    assert len(sms) == 3 and all(n.status == NoticeStatus.CREATED for n in sms)

    holder_set_sms_consent(code=issued_code, given=False, actor=ONLINE)

    for notice in sms:
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.CANCELLED
        assert notice_deliver(notice_id=notice.pk) == Outcome.SKIPPED
    assert memory_sms == []
    # The email reminder is not a text message: everyone hears of the expiry by email.
    email = _notice(channel=NoticeChannel.EMAIL)
    assert email.status == NoticeStatus.CREATED
    assert notice_deliver(notice_id=email.pk) == Outcome.SENT


def test_after_withdrawing_consent_a_new_declaration_writes_no_sms(issued_code, memory_sms):
    holder_set_sms_consent(code=issued_code, given=False, actor=ONLINE)

    declaration_record(code=issued_code, number=_declaration_number(), kind="import")

    assert not Notice.objects.filter(kind=NoticeKind.DECLARATION_FILED).exists()


def test_a_notice_claimed_again_after_consent_was_withdrawn_is_cancelled_not_sent(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    _left_sending(notice, seconds_ago=django_settings.NOTICE_SENDING_LEASE_SECONDS + 5)
    holder_set_sms_consent(code=issued_code, given=False, actor=ONLINE)  # cannot cancel what is sending

    assert notice_deliver(notice_id=notice.pk) == Outcome.CANCELLED

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CANCELLED
    assert memory_sms == []


# --- Delivery: claim, send once ---------------------------------------------------------------------


def test_delivery_moves_created_through_sending_to_sent_once(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    assert (notice.status, notice.attempts, notice.sent_at) == (NoticeStatus.CREATED, 0, None)

    assert notice_deliver(notice_id=notice.pk) == Outcome.SENT

    notice.refresh_from_db()
    [message] = memory_sms
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 1
    assert notice.sending_at is not None and notice.sent_at is not None and notice.sending_at <= notice.sent_at
    assert notice.provider == "memory" and notice.provider_message_id == message["id"]
    assert notice.message_type == MessageType.SMS
    assert notice.last_error == "" and notice.failed_at is None


def test_a_second_delivery_of_a_sent_notice_is_skipped_and_sends_nothing(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    assert notice_deliver(notice_id=notice.pk) == Outcome.SENT

    assert notice_deliver(notice_id=notice.pk) == Outcome.SKIPPED

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.attempts == 1
    assert len(memory_sms) == 1


def test_a_notice_being_sent_within_the_lease_is_skipped(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    _left_sending(notice, seconds_ago=1)

    assert notice_deliver(notice_id=notice.pk) == Outcome.SKIPPED

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENDING and notice.attempts == 1
    assert memory_sms == []


def test_a_notice_left_sending_past_the_lease_is_claimed_again_and_the_key_prevents_a_second_message(
    issued_code, memory_sms
):
    notice = _issued_notice(issued_code)
    # The first worker reached the provider, then died before recording it.
    first_id = get_sms_gateway().send(
        to=issued_code.holder.mobile, body="[PCC] first attempt", idempotency_key=notice.idempotency_key
    )
    _left_sending(notice, seconds_ago=django_settings.NOTICE_SENDING_LEASE_SECONDS + 5)

    assert notice_deliver(notice_id=notice.pk) == Outcome.SENT

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.attempts == 2
    assert len(memory_sms) == 1
    assert notice.provider_message_id == first_id


def test_a_cancelled_or_unknown_notice_is_skipped(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.CANCELLED)

    assert notice_deliver(notice_id=notice.pk) == Outcome.SKIPPED
    assert notice_deliver(notice_id="00000000-0000-0000-0000-000000000000") == Outcome.SKIPPED
    assert memory_sms == []


def test_a_temporary_failure_is_retried_by_the_task_and_sent_once(
    provider, details, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        code = code_issue(details=details, actor=ONLINE)
    notice = _issued_notice(code)
    provider.answer(notice.idempotency_key, [503])

    # The commit queues the task; its first try fails and asks to be retried in 5 minutes (a worker
    # would; in eager mode the request to retry propagates).
    with pytest.raises(Retry) as retry:
        for callback in callbacks:
            callback()
    assert retry.value.when == django_settings.NOTICE_RETRY_DELAY_SECONDS
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.TEMPORARY_FAILURE and notice.attempts == 1

    # The retry: the same key, and the provider takes it.
    assert deliver_notice.apply(args=[str(notice.pk)], retries=1).get() == Outcome.SENT

    notice.refresh_from_db()
    assert [r.status for r in provider.requests_for(notice.idempotency_key)] == [503, 200]
    assert len(provider.messages) == 1
    assert notice.status == NoticeStatus.SENT and notice.attempts == 2
    assert notice.provider == "http"
    assert notice.provider_message_id == provider.messages[notice.idempotency_key]["message_id"]
    assert notice.last_error == "" and notice.failed_at is not None  # it did fail once


def test_after_the_last_retry_the_notice_stays_a_temporary_failure_with_the_reason(provider, issued_code):
    notice = _issued_notice(issued_code)
    provider.answer(notice.idempotency_key, [500])

    outcome = deliver_notice.apply(args=[str(notice.pk)], retries=deliver_notice.max_retries).get()

    assert outcome == Outcome.RETRY
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.TEMPORARY_FAILURE
    assert notice.last_error == "retries exhausted"
    assert len(provider.requests_for(notice.idempotency_key)) == 1


def test_a_temporary_failure_leaves_the_notice_to_retry_with_the_reason(provider, issued_code):
    notice = _issued_notice(issued_code)
    provider.answer(notice.idempotency_key, [500])

    assert notice_deliver(notice_id=notice.pk) == Outcome.RETRY

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.TEMPORARY_FAILURE and notice.attempts == 1
    assert notice.last_error == "SMS provider answered 500" and notice.sent_at is None


def test_a_permanent_failure_is_not_retried(provider, details, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        code = code_issue(details=details, actor=ONLINE)
    notice = _issued_notice(code)
    provider.answer(notice.idempotency_key, [400])

    for callback in callbacks:
        callback()

    notice.refresh_from_db()
    assert [r.status for r in provider.requests_for(notice.idempotency_key)] == [400]
    assert notice.status == NoticeStatus.PERMANENT_FAILURE and notice.attempts == 1
    assert notice.failed_at is not None and notice.sent_at is None
    assert "400" in notice.last_error
    assert notice_deliver(notice_id=notice.pk) == Outcome.SKIPPED
    assert len(provider.requests_for(notice.idempotency_key)) == 1


def test_no_text_message_ever_carries_a_full_code(details, memory_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code = code_issue(details=details, actor=ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        declaration_record(code=code, number=_declaration_number(), kind="import")
    with django_capture_on_commit_callbacks(execute=True):
        code_suspend(code=code, reason=SuspensionReason.THEFT_REPORT, actor=ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        new = code_reissue(code=code, reason=ReissueReason.STOLEN, actor=ONLINE)

    assert len(memory_sms) == 4
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == 4
    for message in memory_sms:
        assert code.number not in message["body"] and new.number not in message["body"]
        assert code.number[3:] not in message["body"] and new.number[3:] not in message["body"]


# --- The sweeper --------------------------------------------------------------------------------------


def test_the_sweeper_requeues_created_notices_older_than_15_minutes_and_they_end_sent(issued_code, memory_sms):
    notice = _issued_notice(issued_code)  # its queueing never happened (the test transaction never commits)
    now = timezone.now()

    assert notices_replay(now=now + datetime.timedelta(minutes=14)) == {"requeued": 0, "timed_out": 0}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CREATED

    assert notices_replay(now=now + datetime.timedelta(minutes=16)) == {"requeued": 1, "timed_out": 0}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert len(memory_sms) == 1

    # A second sweep finds nothing to do and sends nothing again.
    assert notices_replay(now=now + datetime.timedelta(minutes=30)) == {"requeued": 0, "timed_out": 0}
    assert len(memory_sms) == 1


def test_the_sweeper_does_not_requeue_cancelled_or_failed_notices(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    for status in (NoticeStatus.CANCELLED, NoticeStatus.PERMANENT_FAILURE, NoticeStatus.TEMPORARY_FAILURE):
        Notice.objects.filter(pk=notice.pk).update(status=status)

        result = notices_replay(now=timezone.now() + datetime.timedelta(hours=1))

        assert result["requeued"] == 0
        assert Notice.objects.get(pk=notice.pk).status == status
    assert memory_sms == []


def test_the_sweeper_turns_notices_sending_for_72_hours_into_temporary_failures(issued_code, memory_sms):
    from notifications.services import NOTICE_MAX_ATTEMPTS

    notice = _issued_notice(issued_code)
    _left_sending(notice, seconds_ago=71 * 3600)
    # Its tries are used up, so the sweeper does not queue it again; it only times it out.
    Notice.objects.filter(pk=notice.pk).update(attempts=NOTICE_MAX_ATTEMPTS)
    now = timezone.now()

    assert notices_replay(now=now)["timed_out"] == 0
    assert _notice(pk=notice.pk).status == NoticeStatus.SENDING

    assert notices_replay(now=now + datetime.timedelta(hours=2))["timed_out"] == 1

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.TEMPORARY_FAILURE
    assert notice.last_error == "sending timed out" and notice.failed_at is not None
    assert memory_sms == []


# --- Delivery receipts --------------------------------------------------------------------------------


def test_a_delivery_receipt_moves_sent_to_delivered(issued_code, memory_sms):
    notice = _issued_notice(issued_code)
    notice_deliver(notice_id=notice.pk)
    notice.refresh_from_db()

    assert notice_receipt(provider_message_id=notice.provider_message_id, delivered=True) is True

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and notice.delivered_at is not None
    # A repeated receipt changes nothing more but is acknowledged (providers retry until a 2xx);
    # an unknown id matches nothing.
    assert notice_receipt(provider_message_id=notice.provider_message_id, delivered=False) is True
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert notice_receipt(provider_message_id="memory-unknown", delivered=True) is False


def test_a_receipt_does_not_touch_a_notice_that_was_not_sent(issued_code):
    notice = _issued_notice(issued_code)
    Notice.objects.filter(pk=notice.pk).update(provider_message_id="prov-1")

    notice_receipt(provider_message_id="prov-1", delivered=True)
    assert _notice(pk=notice.pk).status == NoticeStatus.CREATED


def test_an_unexpected_error_leaves_a_temporary_failure_not_a_claimed_notice(issued_code, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = ""  # misconfigured: the gateway refuses with ImproperlyConfigured
    notice = _issued_notice(issued_code)

    assert notice_deliver(notice_id=notice.pk) == "retry"

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.TEMPORARY_FAILURE
    assert notice.last_error == "unexpected ImproperlyConfigured"


def test_the_sweeper_queues_again_a_temporary_failure_whose_retry_was_lost(issued_code, memory_sms):
    from notifications.services import notices_replay

    notice = _issued_notice(issued_code)
    past = timezone.now() - datetime.timedelta(seconds=django_settings.NOTICE_RETRY_DELAY_SECONDS + 1)
    Notice.objects.filter(pk=notice.pk).update(status=NoticeStatus.TEMPORARY_FAILURE, failed_at=past, attempts=1)

    assert notices_replay()["requeued"] == 1  # eager in tests: queued means sent now

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.attempts == 2
    assert len(_messages_for(memory_sms, notice)) == 1


def test_retention_removes_finished_notices_after_the_period_and_keeps_the_rest(issued_code, memory_sms, settings):
    from notifications.services import notices_purge

    finished = _issued_notice(issued_code)
    notice_deliver(notice_id=finished.pk)
    long_ago = timezone.now() - datetime.timedelta(days=settings.NOTICE_RETENTION_DAYS + 1)
    Notice.objects.filter(pk=finished.pk).update(created_at=long_ago)
    waiting = Notice.objects.create(
        holder=issued_code.holder,
        code=issued_code,
        kind=NoticeKind.CODE_RENEWED,
        channel=NoticeChannel.SMS,
        idempotency_key="retention-test:sms",
    )
    Notice.objects.filter(pk=waiting.pk).update(created_at=long_ago)  # still on its way: kept

    assert notices_purge() == 1

    assert not Notice.objects.filter(pk=finished.pk).exists()
    assert Notice.objects.filter(pk=waiting.pk).exists()


def test_the_sweeper_queues_again_a_notice_left_sending_past_the_lease_and_it_is_sent_once(
    issued_code, memory_sms, settings
):
    from notifications.services import notices_replay

    notice = _issued_notice(issued_code)
    _left_sending(notice, seconds_ago=settings.NOTICE_SENDING_LEASE_SECONDS + 5)
    within_lease = timezone.now()

    assert notices_replay()["requeued"] == 1

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert len(_messages_for(memory_sms, notice)) == 1
    assert notices_replay(now=within_lease)["requeued"] == 0  # sent: nothing more to do
