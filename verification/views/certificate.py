"""The joint/financial certificate method (DOMAIN.md §4): the page that signs in the browser
(static/js/certificate-sign.js), a fresh challenge on request, and the check of what it posts.
Thin: the rules are in verification.certificates."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from pcc_portal.exceptions import ApplicationError
from pcc_portal.journeys import JOURNEY_IDLE_SECONDS
from verification.certificates import certificate_challenge_create, certificate_verify
from verification.forms import CertificateSignatureForm
from verification.services import identity_check_pending
from verification.views.entry import method_context, pending_check_required, restart_page, seconds_until

# Where the browser keeps the certificates a person chose to save (localStorage key).
BROWSER_STORAGE_KEY = "pcc-demo-certificates"


def _page(request, *, check, error: ApplicationError | None = None):
    """The signing page with a fresh challenge; an error from the last attempt is shown on top."""
    try:
        challenge = certificate_challenge_create(check=check)
    except ApplicationError as refused:
        return restart_page(request, refused)
    context = method_context(
        request,
        check,
        challenge=challenge,
        challenge_seconds=seconds_until(challenge.expires_at),
        storage_key=BROWSER_STORAGE_KEY,
        error=error,
    )
    return render(request, "verification/certificate.html", context, status=400 if error else 200)


@require_GET
@pending_check_required
def start(request, check):
    return _page(request, check=check)


@require_POST
def challenge(request):
    """A fresh challenge for a page left open past the last one's 5 minutes (JSON, for the script)."""
    try:
        check = identity_check_pending(session=request.session)
        fresh = certificate_challenge_create(check=check)
    except ApplicationError as error:
        return JsonResponse({"code": error.code, "message": str(error.message)}, status=400)
    request.session.set_expiry(JOURNEY_IDLE_SECONDS)
    return JsonResponse({"id": str(fresh.pk), "nonce": fresh.nonce, "seconds": seconds_until(fresh.expires_at)})


@require_POST
@pending_check_required
def verify(request, check):
    form = CertificateSignatureForm(request.POST)
    form.is_valid()  # what is missing or too long is refused by the service with its own error
    data = form.cleaned_data
    try:
        certificate_verify(
            check=check,
            challenge_id=data.get("challenge_id"),
            certificate_pem=data.get("certificate", ""),
            signature_b64=data.get("signature", ""),
            r_b64=data.get("r", ""),
        )
    except ApplicationError as error:
        return _page(request, check=check, error=error)
    return redirect("verification:done")
