"""SMS gateways: one interface (`base.SmsGateway`), implementations chosen by `settings.SMS_BACKEND`.

"simulated_phone" delivers to the inboxes of the demo phones that the development-only simulated phone
(/dev/phone/) shows; "console" prints (development); "file" writes JSON lines to SMS_FILE_PATH
(black-box tests); "memory" keeps them in the process (unit tests); "http" calls a JSON SMS API.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.gateways.base import (
    GatewayPermanentError,
    GatewayTemporaryError,
    SmsGateway,
    SmsRefused,
    sms_message_check,
)

SMS_BACKENDS = {
    "simulated_phone": "notifications.gateways.simulated_phone.SimulatedPhoneGateway",
    "console": "notifications.gateways.console.ConsoleGateway",
    "file": "notifications.gateways.file.FileGateway",
    "memory": "notifications.gateways.memory.MemoryGateway",
    "http": "notifications.gateways.http.HttpGateway",
}

__all__ = [
    "SMS_BACKENDS",
    "GatewayPermanentError",
    "GatewayTemporaryError",
    "SmsGateway",
    "SmsRefused",
    "get_sms_gateway",
    "sms_message_check",
]


def get_sms_gateway() -> SmsGateway:
    backend = settings.SMS_BACKEND
    try:
        path = SMS_BACKENDS[backend]
    except (KeyError, TypeError):
        known = ", ".join(sorted(SMS_BACKENDS))
        raise ImproperlyConfigured(f"SMS_BACKEND {backend!r} is not a known SMS backend (known: {known}).") from None
    return import_string(path)()
