"""A local stand-in for the HTTP SMS provider (the contract of notifications/gateways/http.py).

It behaves as a real provider does where exactly-once is concerned: a message is taken once per
`Idempotency-Key`, and a later request with the same key is answered with the first message's id
without sending again. It records every request. Tests script its faults per idempotency key: the
status codes of the first answers (500, 400, ...) and a delay before the first answer, long enough to
kill the worker waiting for it.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-provider-key"


@dataclass(frozen=True)
class ProviderRequest:
    idempotency_key: str
    to: str
    body: str
    status: int
    at: float  # time.monotonic() when it arrived


class SmsProvider:
    def __init__(self):
        self.requests: list[ProviderRequest] = []
        self.messages: dict[str, dict] = {}  # idempotency key → the one message taken for it
        self._answers: dict[str, list[int]] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1/messages"

    def answer(self, key: str, statuses: list[int]) -> None:
        """Answer the first requests for `key` with these statuses, in order; then 200."""
        with self._lock:
            self._answers[key] = list(statuses)

    def delay_first_answer(self, key: str, *, seconds: float) -> None:
        """Take the first message for `key`, then wait before answering."""
        with self._lock:
            self._delays[key] = seconds

    def requests_for(self, key: str) -> list[ProviderRequest]:
        with self._lock:
            return [request for request in self.requests if request.idempotency_key == key]

    def _handle(self, headers, payload: dict) -> tuple[int, dict, float]:
        key = headers.get("Idempotency-Key", "")
        with self._lock:
            scripted = self._answers.get(key)
            status = scripted.pop(0) if scripted else 200
            if headers.get("Authorization") != f"Bearer {API_KEY}":
                status = 401
            answer: dict = {"error": "refused"}
            if status == 200:
                message = self.messages.get(key)
                if message is None:
                    message = self.messages[key] = {"message_id": f"prov-{uuid.uuid4().hex}", **payload}
                answer = {"message_id": message["message_id"]}
            self.requests.append(
                ProviderRequest(
                    idempotency_key=key,
                    to=payload.get("to", ""),
                    body=payload.get("body", ""),
                    status=status,
                    at=time.monotonic(),
                )
            )
            delay = self._delays.pop(key, 0.0)
        return status, answer, delay

    def start(self) -> "SmsProvider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    payload = {}
                status, answer, delay = provider._handle(self.headers, payload)
                time.sleep(delay)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the worker waiting for this answer was killed

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, name="sms-provider", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
