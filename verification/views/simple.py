"""Simple certification's pages (seed 001 "Simple Certification"): the form, then a waiting page that
polls (static/js/push-wait.js) and also offers a continue button that works without JavaScript."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from pcc_portal.exceptions import ApplicationError
from verification.phone_forms import SimpleStartForm
from verification.selectors import simple_request_for_check
from verification.services import identity_check_current
from verification.simple import simple_request_start, simple_request_status
from verification.views.entry import method_context, pending_check_required
from verification.views.phone_pages import START_RATE, push_status_response, push_wait_page

SESSION_REQUEST = "simple_request_id"


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=START_RATE, method="POST", block=False, group="simple-start-ip")
@pending_check_required
def start(request, check):
    form = SimpleStartForm(request.POST if request.method == "POST" else None, initial={"name": check.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            push = simple_request_start(
                check=check,
                provider=data["provider"],
                name=data["name"],
                birth_date=data["birth_date"],
                phone=data["phone"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_REQUEST] = str(push.pk)
            return redirect("verification:simple-wait")
    context = method_context(request, check, form=form)
    return render(request, "verification/simple_start.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@pending_check_required
def wait(request, check):
    push = simple_request_for_check(request_id=request.session.get(SESSION_REQUEST), check=check)
    if push is None:
        return redirect("verification:simple-start")
    return push_wait_page(
        request,
        check=check,
        push=push,
        read_status=lambda: simple_request_status(request_id=push.pk, check=check),
        session_key=SESSION_REQUEST,
        provider_label=push.get_provider_display(),
        status_url=reverse("verification:simple-status"),
        restart_url=reverse("verification:simple-start"),
    )


@never_cache
@require_GET
def status(request):
    """The status the waiting page polls every 2 seconds: a read bound to the session's request; the
    continue button (POST) is what verifies."""
    check = identity_check_current(request.session)
    request_id = request.session.get(SESSION_REQUEST)
    return push_status_response(
        simple_request_for_check(request_id=request_id, check=check) if check is not None else None
    )
