"""In-memory SMS gateway for unit tests: messages stay in this process, one per idempotency key."""

import itertools
import threading

from notifications.gateways.base import sms_message_check

OUTBOX: list[dict] = []
_lock = threading.Lock()
_ids = itertools.count(1)


class MemoryGateway:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sms_message_check(to=to, body=body)
        with _lock:
            for message in OUTBOX:
                if message["idempotency_key"] == idempotency_key:
                    return message["id"]
            message = {"id": f"memory-{next(_ids)}", "to": to, "body": body, "idempotency_key": idempotency_key}
            OUTBOX.append(message)
            return message["id"]


def memory_outbox_clear() -> None:
    with _lock:
        OUTBOX.clear()
