"""The SIMULATED network: an SMS lands in the inbox of the demo phone that has the number.

Development and tests only; the development-only simulated phone (/dev/phone/) shows the inbox. Like a
real network, a number no subscriber has is not delivered to, and nobody is told which numbers exist.
"""

import logging
import uuid

from notifications.gateways.base import sms_message_check
from personal_data.blind_index import blind_index_of
from verification.models import SimulatedPhoneMessage, SimulatedTelecomSubscriber

logger = logging.getLogger(__name__)

# Names the message id of an undelivered SMS after its idempotency key, so a repeat answers the same.
_DROPPED_NAMESPACE = uuid.UUID("5b0c2f9e-3f1d-4c55-9a57-1f0e8d6c2b41")


class SimulatedPhoneGateway:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Deliver once per `idempotency_key`: the message row's unique key makes a repeated send
        (a retried task, two workers) find the first message instead of storing a second."""
        sms_message_check(to=to, body=body)
        subscriber = SimulatedTelecomSubscriber.objects.filter(phone_index=blind_index_of("phone", to)).first()
        if subscriber is None:
            # Neither the number nor the body: the log would otherwise hold personal data or the code.
            logger.info("SMS %s not delivered: no simulated subscriber has this number", idempotency_key)
            return f"simulated-dropped-{uuid.uuid5(_DROPPED_NAMESPACE, idempotency_key)}"
        # get_or_create inserts in a savepoint and, when a concurrent send won, reads the winner's row.
        message, created = SimulatedPhoneMessage.objects.get_or_create(
            idempotency_key=idempotency_key, defaults={"subscriber": subscriber, "body": body}
        )
        if created:
            logger.info("SMS %s delivered to simulated subscriber %s", idempotency_key, subscriber.pk)
        return f"simulated-{message.pk}"
