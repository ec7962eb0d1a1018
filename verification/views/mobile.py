"""The mobile-phone method's pages (KMC/PASS, seed 001 Q6 ③–⑥): the form, the code page, the PASS wait.

The challenge's id lives in the session, never in a URL; every page also requires the session's
pending identity check, so a challenge of another session cannot be reached.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from pcc_portal.exceptions import ApplicationError
from verification.mobile import (
    MAX_WRONG_TRIES,
    mobile_challenge_confirm,
    mobile_challenge_extend,
    mobile_challenge_start,
    mobile_pass_status,
    mobile_tries_left,
)
from verification.models import MobileChallenge, MobileChannel
from verification.phone_forms import MobileCodeForm, MobileStartForm
from verification.selectors import mobile_challenge_for_check
from verification.services import identity_check_current
from verification.views.entry import method_context, pending_check_required, seconds_until
from verification.views.phone_pages import (
    CONFIRM_RATE,
    START_RATE,
    dev_phone_url,
    minutes_seconds,
    push_status_response,
    push_wait_page,
)

SESSION_CHALLENGE = "mobile_challenge_id"


def _session_challenge(request, check, channel: str) -> MobileChallenge | None:
    challenge = mobile_challenge_for_check(challenge_id=request.session.get(SESSION_CHALLENGE), check=check)
    return challenge if challenge is not None and challenge.channel == channel else None


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=START_RATE, method="POST", block=False, group="mobile-start-ip")
@pending_check_required
def start(request, check):
    source = request.POST if request.method == "POST" else request.GET
    channel = source.get("channel") if source.get("channel") in MobileChannel.values else MobileChannel.SMS
    form = MobileStartForm(
        request.POST if request.method == "POST" else None, initial={"channel": channel, "name": check.name}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            challenge = mobile_challenge_start(
                check=check,
                telecom=data["telecom"],
                channel=data["channel"],
                name=data["name"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                is_foreigner=form.is_foreigner,
                phone=data["phone"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_CHALLENGE] = str(challenge.pk)
            if challenge.channel == MobileChannel.PASS_APP:
                return redirect("verification:mobile-pass")
            return redirect("verification:mobile-code")
    context = method_context(request, check, form=form, channel=channel, tabs=MobileChannel.choices)
    return render(request, "verification/mobile_start.html", context, status=400 if form.errors else 200)


def _code_page(request, *, check, challenge, form, status=200, page_error=None):
    tries_left = mobile_tries_left(challenge=challenge)
    seconds_left = seconds_until(challenge.expires_at)
    context = method_context(
        request,
        check,
        form=form,
        page_error=page_error,
        seconds_left=seconds_left,
        time_left=minutes_seconds(seconds_left),
        expires_at=challenge.expires_at,
        extended=challenge.extended,
        tries_left=tries_left,
        max_tries=MAX_WRONG_TRIES,
        locked=tries_left == 0,
        dev_phone_url=dev_phone_url(challenge.subscriber_id),
    )
    return render(request, "verification/mobile_code.html", context, status=status)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=CONFIRM_RATE, method="POST", block=False, group="mobile-code-ip")
@pending_check_required
def code(request, check):
    challenge = _session_challenge(request, check, MobileChannel.SMS)
    if challenge is None:
        return redirect("verification:mobile-start")
    form = MobileCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            mobile_challenge_confirm(challenge=challenge, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error(None, error.message)
            challenge.refresh_from_db()
        else:
            request.session.pop(SESSION_CHALLENGE, None)
            return redirect("verification:done")
    return _code_page(request, check=check, challenge=challenge, form=form, status=400 if form.errors else 200)


@require_POST
@pending_check_required
def extend(request, check):
    challenge = _session_challenge(request, check, MobileChannel.SMS)
    if challenge is None:
        return redirect("verification:mobile-start")
    try:
        mobile_challenge_extend(challenge=challenge)
    except ApplicationError as error:
        # An unbound form cannot take add_error(); the page shows the error above it instead.
        return _code_page(
            request, check=check, challenge=challenge, form=MobileCodeForm(), status=400, page_error=error
        )
    messages.success(request, _("The time has been extended by 3 minutes."))
    return redirect("verification:mobile-code")


@require_http_methods(["GET", "POST"])
@pending_check_required
def pass_wait(request, check):
    challenge = _session_challenge(request, check, MobileChannel.PASS_APP)
    push = challenge.push if challenge is not None else None
    if push is None:
        return redirect("verification:mobile-start")
    return push_wait_page(
        request,
        check=check,
        push=push,
        read_status=lambda: mobile_pass_status(challenge=challenge),
        session_key=SESSION_CHALLENGE,
        provider_label="PASS",
        status_url=reverse("verification:mobile-pass-status"),
        restart_url=f"{reverse('verification:mobile-start')}?channel={MobileChannel.PASS_APP}",
    )


@never_cache
@require_GET
def pass_status(request):
    """The status the waiting page polls: a read only; the continue button (POST) acts on it."""
    check = identity_check_current(request.session)
    challenge = _session_challenge(request, check, MobileChannel.PASS_APP) if check is not None else None
    return push_status_response(challenge.push if challenge is not None else None)
