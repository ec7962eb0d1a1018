"""HTTP SMS gateway: a generic JSON SMS API with an API key (issue 6; GOV.UK Notify's provider clients,
`app/clients/sms/`).

The contract: POST `SMS_HTTP_URL` with {"to", "body", "sender", "message_type"}, headers
`Authorization: Bearer <SMS_HTTP_API_KEY>` and `Idempotency-Key` (the provider sends once per key, so a
retried task does not send twice). A 2xx with {"message_id"} is success. A timeout, a network error, a
5xx or a 429 may succeed later (GatewayTemporaryError, the task retries); any other 4xx will not
(GatewayPermanentError). Error texts name the status only, never the number, the body or the answer.
"""

import logging

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.gateways.base import GatewayPermanentError, GatewayTemporaryError, sms_message_check
from notifications.messages import message_type_for

logger = logging.getLogger(__name__)


class HttpGateway:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sms_message_check(to=to, body=body)
        # Read at call time, not at import: settings are the one source, and tests override them.
        url = settings.SMS_HTTP_URL
        if not url:
            raise ImproperlyConfigured("SMS_BACKEND is 'http' but SMS_HTTP_URL is not set.")
        payload = {
            "to": to,
            "body": body,
            "sender": settings.SMS_HTTP_SENDER,
            "message_type": message_type_for(body),
        }
        headers = {
            "Authorization": f"Bearer {settings.SMS_HTTP_API_KEY}",
            "Idempotency-Key": idempotency_key,
        }
        # httpx applies the timeout to each phase (connect, write, each read, pool); the provider
        # answers in one small read, so this bounds the call near SMS_HTTP_TIMEOUT_SECONDS (issue 6: 10 s).
        # No redirects: a provider API that redirects is misconfigured, and the body must not follow it.
        timeout = httpx.Timeout(settings.SMS_HTTP_TIMEOUT_SECONDS)
        try:
            response = httpx.post(url, json=payload, headers=headers, timeout=timeout, follow_redirects=False)
        except httpx.TimeoutException:
            raise GatewayTemporaryError("SMS provider timed out") from None
        except httpx.TransportError as error:  # refused, reset, DNS, TLS: the provider may be back later
            raise GatewayTemporaryError(f"SMS provider unreachable ({type(error).__name__})") from None
        return _message_id(response, idempotency_key)


def _message_id(response: httpx.Response, idempotency_key: str) -> str:
    status = response.status_code
    if response.is_success:
        try:
            message_id = response.json().get("message_id")
        except (ValueError, AttributeError):
            message_id = None
        if isinstance(message_id, str) and message_id.strip():
            return message_id
        # Accepted without an id: the receipt could not be matched. Trying again with the same
        # Idempotency-Key is safe (the provider answers the first message's id, it does not resend).
        logger.warning("SMS provider answered %s without a message id for %s", status, idempotency_key)
        raise GatewayTemporaryError(f"SMS provider answered {status} without a message id")
    if status == 429 or status >= 500:
        logger.warning("SMS provider answered %s for %s; will retry", status, idempotency_key)
        raise GatewayTemporaryError(f"SMS provider answered {status}")
    if 400 <= status < 500:
        logger.warning("SMS provider refused %s with %s", idempotency_key, status)
        raise GatewayPermanentError(f"SMS provider refused the message ({status})")
    # 1xx/3xx: not the contract's answers; a configuration to fix (SMS_HTTP_URL), so keep retrying
    # for the ~4 hours of retries rather than drop the notice.
    logger.warning("SMS provider answered an unexpected %s for %s", status, idempotency_key)
    raise GatewayTemporaryError(f"SMS provider answered an unexpected {status}")
