"""Per-client request limits (issue 7): counted in the cache (Redis in production, shared by every
web process) with django-ratelimit's fixed windows, keyed by the client's id, never by the key."""

from django.conf import settings
from django_ratelimit.core import get_usage

from clearance.models import ApiClient

GROUP = "clearance.api"


def client_rate(client: ApiClient) -> str:
    return client.rate_limit or settings.API_RATE_LIMIT


def rate_limit_wait(request, client: ApiClient) -> int | None:
    """Counts this request; returns the seconds to wait when the client is over its limit, else None."""
    usage = get_usage(
        request, group=GROUP, key=lambda _group, _request: str(client.pk), rate=client_rate(client), increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))
