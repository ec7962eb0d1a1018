"""The start of every online journey: the real-name check, then the choice of a method; and what
every journey page shares: the restart page, the pending-check guard and a method page's context."""

from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from pcc_portal.exceptions import ApplicationError
from pcc_portal.journeys import journey_context
from pcc_portal.ratelimits import person_key, too_many_requests
from verification.forms import RealNameForm
from verification.models import CheckPurpose
from verification.services import identity_check_current, identity_check_pending, identity_check_start

STEPS_NEW = [_("Real-name check"), _("Verification"), _("Application"), _("Done")]
STEPS_MANAGE = [_("Real-name check"), _("Verification"), _("Your code")]

# Where a verified proof goes next, by purpose.
NEXT_AFTER_PROOF = {CheckPurpose.NEW_ISSUE: "issuance:apply", CheckPurpose.MANAGE: "issuance:my_code"}


def steps_for(purpose: str) -> list:
    return STEPS_NEW if purpose == CheckPurpose.NEW_ISSUE else STEPS_MANAGE


def restart_page(request, error: ApplicationError):
    """The page of every journey whose identity check or proof is missing, expired or used up."""
    return render(request, "verification/restart.html", journey_context(request, error=error), status=400)


def pending_check_required(view):
    """Call `view(request, check)` with the session's pending identity check; without one, the restart
    page. Under django-ratelimit (block=False, applied outside this), a limited request gets the 429 page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            check = identity_check_pending(session=request.session)
        except ApplicationError as error:
            return restart_page(request, error)
        if getattr(request, "limited", False):
            return too_many_requests(request)
        return view(request, check, *args, **kwargs)

    return wrapped


def method_context(request, check, **extra) -> dict:
    """The context of a verification method's page: step 2 of the check's journey."""
    return journey_context(request, steps=steps_for(check.purpose), step=2, purpose=check.purpose, **extra)


def seconds_until(moment) -> int:
    """Whole seconds from now until `moment` (a code's, challenge's or push's expiry), never negative."""
    return max(0, int((moment - timezone.now()).total_seconds()))


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/h", method="POST", block=False, group="real-name-ip")
@ratelimit(key=person_key, rate="10/h", method="POST", block=False, group="real-name-person")
def real_name(request, purpose: str):
    if purpose not in CheckPurpose.values:
        return redirect("home")
    if getattr(request, "limited", False):
        return too_many_requests(request)
    form = RealNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            identity_check_start(
                session=request.session,
                purpose=purpose,
                name=form.cleaned_data["name"],
                resident_number=form.cleaned_data["resident_number"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("verification:methods")
    context = journey_context(request, steps=steps_for(purpose), step=1, form=form, purpose=purpose)
    return render(request, "verification/real_name.html", context, status=400 if form.errors else 200)


@require_GET
@pending_check_required
def methods(request, check):
    return render(request, "verification/methods.html", method_context(request, check))


@require_GET
def done(request):
    """A method has verified the person: continue the journey the check was started for."""
    check = identity_check_current(request.session)
    if check is None or check.verified_at is None:
        return redirect(reverse("verification:methods"))
    return redirect(NEXT_AFTER_PROOF[check.purpose])
