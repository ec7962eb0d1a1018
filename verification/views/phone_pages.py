"""What the pages of the phone-based methods (mobile, simple certification) share: their rate limits,
the waiting page of a push and its status for polling, and the link to the development-only simulated
phone."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pcc_portal.exceptions import ApplicationError
from pcc_portal.forms import PortalForm
from verification.models import PushStatus
from verification.selectors import push_request_status
from verification.simple import push_outcome_error
from verification.views.entry import method_context, seconds_until

# Per client IP (issue 4 "rate limits … per IP"); the lock after 5 wrong codes limits per person.
START_RATE = "20/h"
CONFIRM_RATE = "30/h"


def dev_phone_url(subscriber_id) -> str | None:
    """Where a developer reads the SMS or answers the push; never offered when DEBUG is off."""
    if not settings.DEBUG:
        return None
    return reverse("dev_phone:phone", kwargs={"subscriber_id": subscriber_id})


def minutes_seconds(seconds: int) -> str:
    """ "2:05": how the KMC page shows the time left (seed 001 Q6 ⑥)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def push_wait_page(
    request, *, check, push, read_status, session_key: str, provider_label, status_url: str, restart_url: str
):
    """The page that waits for a push (PASS or simple certification) to be approved.

    GET shows it; POST (the "I approved it, continue" button, or push-wait.js once the status changes)
    calls `read_status()`, the method's service, which verifies the check when the push is approved.
    It polls only while the request is pending, so a refused or expired request's page does not submit
    itself again and again."""
    # A form without fields: the no-JavaScript continue button, and where errors show.
    form = PortalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            status = read_status()
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if status == PushStatus.APPROVED:
                request.session.pop(session_key, None)
                return redirect("verification:done")
            form.add_error(None, push_outcome_error(status).message)
    context = method_context(
        request,
        check,
        form=form,
        provider_label=provider_label,
        seconds_left=seconds_until(push.expires_at),
        expires_at=push.expires_at,
        polling=push_request_status(push) == PushStatus.PENDING,
        status_url=status_url,
        restart_url=restart_url,
        dev_phone_url=dev_phone_url(push.subscriber_id),
    )
    return render(request, "verification/push_wait.html", context, status=400 if form.errors else 200)


def push_status_response(push) -> JsonResponse:
    """What the waiting page polls (static/js/push-wait.js): a read only; the continue button (POST)
    is what verifies. Without the session's push, 404."""
    if push is None:
        return JsonResponse({"status": "unknown"}, status=404)
    return JsonResponse({"status": push_request_status(push)})
