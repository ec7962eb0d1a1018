"""Console SMS gateway for development: the message is printed, nothing is sent. Bodies carry masked
values only (DOMAIN.md §8), the number is printed masked."""

import sys
import uuid

from notifications.gateways.base import sms_message_check
from personal_data.masking import mask_phone


class ConsoleGateway:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sms_message_check(to=to, body=body)
        sys.stdout.write(f"SMS to {mask_phone(to)} [{idempotency_key}]\n{body}\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4()}"
