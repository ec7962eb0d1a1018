"""SMS gateways: one interface (`base.SmsGateway`), implementations chosen by `settings.SMS_BACKEND`.

Only "simulated_phone" exists so far: it delivers to the inboxes of the demo phones that the
development-only simulated phone (/dev/phone/) shows. The console, file, memory and http backends come
with the notifications issue; they are added to `SMS_BACKENDS` and nothing else changes.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.gateways.base import SmsGateway, SmsRefused, sms_message_check

SMS_BACKENDS = {
    "simulated_phone": "notifications.gateways.simulated_phone.SimulatedPhoneGateway",
}

__all__ = ["SMS_BACKENDS", "SmsGateway", "SmsRefused", "get_sms_gateway", "sms_message_check"]


def get_sms_gateway() -> SmsGateway:
    backend = settings.SMS_BACKEND
    try:
        path = SMS_BACKENDS[backend]
    except (KeyError, TypeError):
        known = ", ".join(sorted(SMS_BACKENDS))
        raise ImproperlyConfigured(f"SMS_BACKEND {backend!r} is not a known SMS backend (known: {known}).") from None
    return import_string(path)()
