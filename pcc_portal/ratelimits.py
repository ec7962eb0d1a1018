"""Rate limits of the online journeys (issue 4, "Security"): per IP and per person, counted in the
cache (Redis in production). Keys never hold personal data: a person is their blind index."""

from django.shortcuts import render

from personal_data.blind_index import blind_index_of


def person_key(group, request) -> str:
    """The person a request is about, by the blind index of the registration number it carries."""
    value = request.POST.get("resident_number", "")
    digits = "".join(ch for ch in value if ch.isdigit())
    return blind_index_of("resident_number", digits).hex() if len(digits) == 13 else "none"


# The limits count per hour (e.g. "10/h"), and django-ratelimit's windows are fixed, so a person may
# have to wait up to an hour; the page says "later" rather than promising a time it cannot keep.
RETRY_AFTER_SECONDS = 3600


def too_many_requests(request):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
