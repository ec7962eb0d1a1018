"""The HTTP SMS gateway (notifications/gateways/http.py) against a real HTTP server on 127.0.0.1 with
scripted answers; nothing in httpx is replaced. The contract (issue 6): POST JSON with a bearer key
and an Idempotency-Key, 10-second timeout; timeouts, network errors, 5xx and 429 are temporary,
other 4xx permanent; error texts carry neither the number nor the body."""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from issuance.codes import mask_code
from notifications.gateways import GatewayPermanentError, GatewayTemporaryError, SmsRefused, get_sms_gateway
from notifications.gateways.http import HttpGateway
from notifications.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from notifications.services import Outcome, notice_deliver

TO = "+821031234567"
BODY = "[PCC] Your Personal Customs Code P26******5678 was issued."
API_KEY = "test-http-gateway-key"


@dataclass
class Answer:
    status: int = 200
    payload: dict | bytes | None = None  # None: {"message_id": "prov-<n>"}
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class ScriptedProvider:
    """Answers each POST with the next scripted Answer (then 200 with a fresh message id)."""

    def __init__(self):
        self.answers: list[Answer] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with provider._lock:
                    provider.received.append(Received("POST", self.path, dict(self.headers.items()), body))
                    answer = provider.answers.pop(0) if provider.answers else Answer()
                    count = len(provider.received)
                time.sleep(answer.delay)
                payload = answer.payload if answer.payload is not None else {"message_id": f"prov-{count}"}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        # A short poll: shutdown() waits for it, once per test.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def script(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    server = ScriptedProvider()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = server.url
    settings.SMS_HTTP_API_KEY = API_KEY
    settings.SMS_HTTP_SENDER = "1577-0000"
    settings.SMS_HTTP_TIMEOUT_SECONDS = 5.0
    yield server
    server.stop()


def _send(idempotency_key="event:1:sms", body=BODY):
    return HttpGateway().send(to=TO, body=body, idempotency_key=idempotency_key)


def test_settings_choose_the_http_gateway(settings):
    settings.SMS_BACKEND = "http"

    assert isinstance(get_sms_gateway(), HttpGateway)


def test_a_2xx_with_a_message_id_returns_it(provider):
    provider.script(Answer(status=201, payload={"message_id": "prov-abc"}))

    assert _send() == "prov-abc"


def test_the_request_follows_the_contract_headers_and_json(provider):
    _send(idempotency_key="event:42:sms")

    [request] = provider.received
    assert request.path == "/v1/messages"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Idempotency-Key"] == "event:42:sms"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {"to": TO, "body": BODY, "sender": "1577-0000", "message_type": "sms"}


def test_a_body_longer_than_90_euc_kr_bytes_is_sent_as_lms(provider):
    body = "통관고유부호 P26******5678 " + "가" * 40  # over 90 bytes in EUC-KR, under 2,000

    _send(body=body)

    assert provider.received[0].json["message_type"] == "lms"
    assert provider.received[0].json["body"] == body


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, GatewayTemporaryError),
        (502, GatewayTemporaryError),
        (503, GatewayTemporaryError),
        (429, GatewayTemporaryError),  # rate limited: later is fine
        (400, GatewayPermanentError),
        (401, GatewayPermanentError),
        (404, GatewayPermanentError),
        (422, GatewayPermanentError),
    ],
)
def test_5xx_and_429_are_temporary_other_4xx_permanent_naming_neither_number_nor_body(provider, status, error):
    provider.script(Answer(status=status, payload={"error": f"echo {TO} {BODY}"}))

    with pytest.raises(error) as caught:
        _send()

    text = str(caught.value)
    assert str(status) in text
    assert TO not in text and "31234567" not in text
    assert BODY not in text and "echo" not in text  # nor the provider's answer, which may echo them


@pytest.mark.parametrize("payload", [{}, {"message_id": ""}, {"message_id": 7}, b"accepted", b"[]"])
def test_a_2xx_without_a_message_id_is_temporary(provider, payload):
    provider.script(Answer(status=200, payload=payload))

    with pytest.raises(GatewayTemporaryError, match="without a message id"):
        _send()


def test_a_redirect_is_not_followed(provider):
    provider.script(Answer(status=302, payload=b"", headers={"Location": "http://127.0.0.1:9/elsewhere"}))

    with pytest.raises(GatewayTemporaryError, match="302"):
        _send()

    assert len(provider.received) == 1


def test_a_slow_provider_times_out_at_the_configured_timeout(provider, settings):
    settings.SMS_HTTP_TIMEOUT_SECONDS = 0.5
    provider.script(Answer(delay=3.0))

    started = time.monotonic()
    with pytest.raises(GatewayTemporaryError, match="timed out"):
        _send()

    assert time.monotonic() - started < 2.0
    assert len(provider.received) == 1


def test_a_refused_connection_is_temporary(settings):
    with socket.socket() as placeholder:  # a port nobody listens on once closed
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{port}/v1/messages"

    with pytest.raises(GatewayTemporaryError, match="unreachable"):
        _send()


def test_without_a_url_the_gateway_refuses_to_run(settings):
    settings.SMS_HTTP_URL = ""

    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_URL"):
        _send()


def test_the_message_is_checked_before_anything_is_sent(provider):
    with pytest.raises(SmsRefused):
        _send(body="Your code is P261234567890")
    with pytest.raises(SmsRefused):
        HttpGateway().send(to="010-3123-4567", body=BODY, idempotency_key="event:1:sms")

    assert provider.received == []


# --- End to end through notifications.services.notice_deliver ---------------------------------------


@pytest.fixture
def sms_notice(issued_code):
    """The `code_issued` SMS notice written with the code (the factory's holder gave the SMS consent);
    the test's transaction never commits, so it is still `created` for the test to deliver."""
    return Notice.objects.get(holder=issued_code.holder, kind=NoticeKind.CODE_ISSUED, channel=NoticeChannel.SMS)


def test_an_issued_code_is_sent_once_through_the_provider(provider, sms_notice, issued_code):
    outcome = notice_deliver(notice_id=sms_notice.pk)

    assert outcome == Outcome.SENT
    [request] = provider.received
    assert request.headers["Idempotency-Key"] == sms_notice.idempotency_key
    assert request.json["to"] == issued_code.holder.mobile
    assert mask_code(issued_code.number) in request.json["body"]
    assert issued_code.number not in request.json["body"]
    sms_notice.refresh_from_db()
    assert sms_notice.status == NoticeStatus.SENT
    assert sms_notice.provider == "http"
    assert sms_notice.provider_message_id == "prov-1"
    assert sms_notice.message_type == request.json["message_type"]
    # Delivered: a second run of the task finds nothing to claim and sends nothing.
    assert notice_deliver(notice_id=sms_notice.pk) == Outcome.SKIPPED
    assert len(provider.received) == 1


def test_a_500_leaves_a_temporary_failure_to_retry_with_the_same_key(provider, sms_notice):
    provider.script(Answer(status=500))

    assert notice_deliver(notice_id=sms_notice.pk) == Outcome.RETRY

    sms_notice.refresh_from_db()
    assert sms_notice.status == NoticeStatus.TEMPORARY_FAILURE
    assert "500" in sms_notice.last_error
    assert sms_notice.provider_message_id == ""

    assert notice_deliver(notice_id=sms_notice.pk) == Outcome.SENT
    sms_notice.refresh_from_db()
    assert sms_notice.status == NoticeStatus.SENT and sms_notice.attempts == 2
    assert [r.headers["Idempotency-Key"] for r in provider.received] == [sms_notice.idempotency_key] * 2


def test_a_400_is_a_permanent_failure_never_retried(provider, sms_notice):
    provider.script(Answer(status=400))

    assert notice_deliver(notice_id=sms_notice.pk) == Outcome.FAILED

    sms_notice.refresh_from_db()
    assert sms_notice.status == NoticeStatus.PERMANENT_FAILURE
    assert "400" in sms_notice.last_error
    assert notice_deliver(notice_id=sms_notice.pk) == Outcome.SKIPPED
    assert len(provider.received) == 1
