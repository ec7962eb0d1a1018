"""Notices through real `celery worker` processes and a real Redis broker, with the faults of issue 6:
a broker that is down, a worker killed while sending, a provider that fails, a burst of 1,000.

Each test has a redis-server of its own (`private_broker`) so stopping it touches no other test, and
starts workers with the settings a deployment would give them in the environment. The file gateway and
the local HTTP provider (tests/integration/sms_provider.py) stand where the SMS provider would."""

import datetime
import itertools
import time
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from issuance.services import code_issue, declaration_record
from notifications.gateways.file import file_messages
from notifications.models import Notice, NoticeKind, NoticeStatus
from notifications.services import notices_replay
from tests.factories import ONLINE, HolderDetailsFactory
from tests.integration.conftest import wait_for
from tests.integration.sms_provider import API_KEY, SmsProvider

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

_numbers = itertools.count(1)


def _declaration_number() -> str:
    # Unique per run: declaration numbers are unique across the table.
    return f"{uuid.uuid4().hex[:5].upper()}-26-{next(_numbers):07d}M"


def _declare(code, *, kind: str = "import") -> Notice:
    declaration = declaration_record(code=code, number=_declaration_number(), kind=kind)
    return Notice.objects.get(idempotency_key=f"declaration:{declaration.pk}:sms")


def _status(notice: Notice) -> str:
    return Notice.objects.values_list("status", flat=True).get(pk=notice.pk)


def _sms_notices_settled() -> bool:
    return not Notice.objects.filter(status__in=[NoticeStatus.CREATED, NoticeStatus.SENDING]).exists()


@pytest.fixture
def sms_file(tmp_path):
    return tmp_path / "sms.jsonl"


@pytest.fixture
def file_worker_env(sms_file):
    return {"SMS_BACKEND": "file", "SMS_FILE_PATH": sms_file}


@pytest.fixture
def provider():
    provider = SmsProvider().start()
    yield provider
    provider.stop()


def _http_worker_env(provider: SmsProvider, **extra) -> dict:
    return {"SMS_BACKEND": "http", "SMS_HTTP_URL": provider.url, "SMS_HTTP_API_KEY": API_KEY, **extra}


def test_declaration_for_an_opted_in_holder_puts_one_masked_sms_in_the_file(notice_workers, file_worker_env, sms_file):
    code = code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE)
    notice_workers(**file_worker_env)

    notice = _declare(code)

    wait_for(lambda: _status(notice) == NoticeStatus.SENT, timeout=30, what="the worker to send the notice")
    notice.refresh_from_db()
    declaration = notice.code.declarations.get()
    sent = [message for message in file_messages(sms_file) if message["idempotency_key"] == notice.idempotency_key]
    assert len(sent) == 1
    (message,) = sent
    assert message["id"] == notice.provider_message_id
    assert notice.provider == "file" and notice.attempts == 1
    # Masked (DOMAIN.md §8): neither the code nor the declaration number in full, each shown masked.
    assert code.number not in message["body"] and declaration.number not in message["body"]
    assert notice.context["code"] in message["body"] and notice.context["declaration"] in message["body"]
    assert message["to"].startswith("+82")
    # The holder's only other text message is the one about the code's issue: nothing sent twice.
    assert Counter(line["idempotency_key"] for line in file_messages(sms_file)) == {
        key: 1 for key in notice.holder.notices.values_list("idempotency_key", flat=True)
    }


def test_notice_of_an_event_while_the_broker_is_down_is_delivered_once_it_is_back(
    private_broker, notice_workers, file_worker_env, sms_file
):
    code = code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE)
    notice_workers(**file_worker_env)
    wait_for(_sms_notices_settled, timeout=30, what="the code-issued notice to be sent")

    private_broker.stop()
    started = time.monotonic()
    notice = _declare(code)
    # The web side's commit stands and answers quickly (short publish retry policy); the notice waits
    # in the outbox.
    assert time.monotonic() - started < 5
    assert notice.code.declarations.count() == 1
    time.sleep(1)
    assert _status(notice) == NoticeStatus.CREATED

    private_broker.start()  # same port, empty: what the broker held is gone
    # The sweeper, 16 minutes later, queues what is still `created`.
    assert notices_replay(now=timezone.now() + datetime.timedelta(minutes=16))["requeued"] == 1

    wait_for(lambda: _status(notice) == NoticeStatus.SENT, timeout=60, what="the replayed notice to be sent")
    assert notices_replay(now=timezone.now() + datetime.timedelta(minutes=16))["requeued"] == 0
    notice.refresh_from_db()
    assert notice.attempts == 1
    keys = [message["idempotency_key"] for message in file_messages(sms_file)]
    assert keys.count(notice.idempotency_key) == 1


VISIBILITY_TIMEOUT = 5


def test_notice_whose_worker_was_killed_mid_send_is_sent_once_by_the_next_worker(notice_workers, provider):
    code = code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE)
    notice = _declare(code)
    # The provider takes the message, then holds its answer long enough for the worker to be killed.
    provider.delay_first_answer(notice.idempotency_key, seconds=5)
    env = _http_worker_env(provider, CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT, NOTICE_SENDING_LEASE_SECONDS=3)
    (first,) = notice_workers(**env)

    wait_for(lambda: provider.requests_for(notice.idempotency_key), timeout=30, what="the first send")
    first.kill()
    assert _status(notice) == NoticeStatus.SENDING

    # The task was not acknowledged (acks_late): once the visibility timeout has passed, Redis gives it
    # to the next worker, which looks for such messages as it starts (and every 100 s after; kombu).
    sent_at = provider.requests_for(notice.idempotency_key)[0].at
    time.sleep(max(0.0, sent_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    notice_workers(**env)

    wait_for(lambda: _status(notice) == NoticeStatus.SENT, timeout=60, what="the redelivered notice to be sent")
    notice.refresh_from_db()
    assert notice.attempts == 2
    assert [request.status for request in provider.requests_for(notice.idempotency_key)] == [200, 200]
    # Both attempts carried the notice's key, so the provider sent one message for it: the holder's
    # two notices (the code's issue, the declaration) are two messages, not three.
    assert notice.provider_message_id == provider.messages[notice.idempotency_key]["message_id"]
    assert sorted(provider.messages) == sorted(notice.holder.notices.values_list("idempotency_key", flat=True))


RETRY_DELAY = 1


def test_temporary_provider_failure_is_retried_and_sent_once(notice_workers, provider):
    code = code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE)
    notice = _declare(code)
    provider.answer(notice.idempotency_key, [500])
    notice_workers(**_http_worker_env(provider, NOTICE_RETRY_DELAY_SECONDS=RETRY_DELAY))

    wait_for(lambda: _status(notice) == NoticeStatus.SENT, timeout=30, what="the retried notice to be sent")
    notice.refresh_from_db()
    requests = provider.requests_for(notice.idempotency_key)
    assert [request.status for request in requests] == [500, 200]
    assert requests[1].at - requests[0].at >= RETRY_DELAY  # queued again with its countdown, not at once
    assert notice.attempts == 2 and notice.last_error == ""
    assert notice.provider_message_id == provider.messages[notice.idempotency_key]["message_id"]


def test_permanent_provider_failure_is_not_retried(notice_workers, provider):
    code = code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE)
    notice = _declare(code)
    provider.answer(notice.idempotency_key, [400])
    notice_workers(**_http_worker_env(provider, NOTICE_RETRY_DELAY_SECONDS=RETRY_DELAY))

    wait_for(lambda: _status(notice) == NoticeStatus.PERMANENT_FAILURE, timeout=30, what="the permanent failure")
    time.sleep(3 * RETRY_DELAY)  # a retry, had there been one, would have asked again by now
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PERMANENT_FAILURE and notice.attempts == 1
    assert [request.status for request in provider.requests_for(notice.idempotency_key)] == [400]
    assert notice.idempotency_key not in provider.messages


BURST = 1000
HOLDERS = 4


def test_burst_of_a_thousand_declarations_sends_each_notice_exactly_once(notice_workers, file_worker_env, sms_file):
    codes = [code_issue(details=HolderDetailsFactory(sms_consent=True), actor=ONLINE) for _ in range(HOLDERS)]
    notice_workers(count=2, **file_worker_env)

    started = time.monotonic()
    queued_twice = 0
    for n in range(BURST):
        declaration_record(code=codes[n % HOLDERS], number=_declaration_number(), kind=("import", "export")[n % 2])
        if n % 100 == 99:
            # The sweeper runs in the middle of the burst and queues again every notice not yet taken,
            # so the two workers hold tasks for the same notices: only the claim stands between them.
            queued_twice += notices_replay(now=timezone.now() + datetime.timedelta(minutes=16))["requeued"]
    assert queued_twice > 0

    wait_for(_sms_notices_settled, timeout=180, what="every notice to be sent", interval=0.5)
    elapsed = time.monotonic() - started

    declaration_notices = Notice.objects.filter(kind=NoticeKind.DECLARATION_FILED)
    assert declaration_notices.count() == BURST
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}
    # Claimed once each, although many were queued twice.
    assert set(Notice.objects.values_list("attempts", flat=True)) == {1}
    lines = file_messages(sms_file)
    keys = Counter(line["idempotency_key"] for line in lines)
    assert len(lines) == BURST + HOLDERS and max(keys.values()) == 1
    assert set(keys) == set(Notice.objects.values_list("idempotency_key", flat=True))
    assert {line["id"] for line in lines} == set(Notice.objects.values_list("provider_message_id", flat=True))
    print(f"{BURST} declarations recorded and sent in {elapsed:.1f} s; {queued_twice} notices queued twice")
