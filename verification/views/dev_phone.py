"""The development-only simulated phone (DOMAIN.md §4): each demo phone's SMS inbox and the push
requests waiting in its apps, with Approve and Refuse.

Absent (404) unless DEBUG is on when the request arrives: checked in the view, not in the URLconf, so
a deployment with DEBUG off never exposes it whatever was imported at start-up.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from pcc_portal.exceptions import ApplicationError
from personal_data.contact import format_phone_national
from verification.models import PushRequest, SimulatedTelecomSubscriber
from verification.selectors import phone_message_list, push_request_pending_list, telecom_subscriber_list
from verification.simple import push_request_decide

DECISIONS = {"approve": True, "refuse": False}


def debug_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@debug_only
@require_GET
def index(request):
    # Fictional demo numbers, shown only in development; links carry the subscriber's id, not the number.
    phones = [
        {
            "id": subscriber.pk,
            "telecom": subscriber.get_telecom_display(),
            "number": format_phone_national(subscriber.phone),
        }
        for subscriber in telecom_subscriber_list()
    ]
    return render(request, "verification/dev_phone_index.html", {"phones": phones})


@debug_only
@require_GET
def phone(request, subscriber_id):
    subscriber = get_object_or_404(SimulatedTelecomSubscriber.objects.select_related("data_key"), pk=subscriber_id)
    context = {
        "subscriber": subscriber,
        "telecom": subscriber.get_telecom_display(),
        "number": format_phone_national(subscriber.phone),
        "sms_messages": phone_message_list(subscriber=subscriber),
        "pushes": push_request_pending_list(subscriber=subscriber),
    }
    return render(request, "verification/dev_phone.html", context)


@debug_only
@require_POST
def push_decide(request, subscriber_id, push_id):
    push = get_object_or_404(PushRequest, pk=push_id, subscriber_id=subscriber_id)
    decision = request.POST.get("decision")
    if decision not in DECISIONS:
        return HttpResponseBadRequest()
    try:
        push_request_decide(push=push, approve=DECISIONS[decision])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved.") if DECISIONS[decision] else _("Refused."))
    return redirect("dev_phone:phone", subscriber_id=subscriber_id)
