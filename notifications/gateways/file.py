"""File SMS gateway: one JSON object a line at `SMS_FILE_PATH`, for black-box tests and demos.

Several worker processes may write at once: an exclusive lock on the file serialises them, and a
message whose idempotency key is already in the file is not written again (the gateway side of
"exactly once")."""

import fcntl
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.gateways.base import sms_message_check


def file_messages(path: Path | str | None = None) -> list[dict]:
    """Every message in the file, in the order written (tests and the simulated phone read it)."""
    path = Path(path or settings.SMS_FILE_PATH)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class FileGateway:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sms_message_check(to=to, body=body)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                for line in handle:
                    if line.strip():
                        written = json.loads(line)
                        if written["idempotency_key"] == idempotency_key:
                            return written["id"]
                message = {
                    "id": f"file-{uuid.uuid4()}",
                    "to": to,
                    "body": body,
                    "idempotency_key": idempotency_key,
                    "at": timezone.now().isoformat(),
                }
                handle.seek(0, 2)
                handle.write(json.dumps(message, ensure_ascii=False) + "\n")
                handle.flush()
                return message["id"]
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
