"""Staff sessions end after 15 minutes idle and 12 hours in all (issue 5; OWASP ASVS 5.0 §7.3).

Written here because no maintained Django library does both clocks for one kind of user only; the
residents' journeys keep their own 10-minute proof (verification.services).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from staff.authentication import SESSION_SEEN_KEY, SESSION_STARTED_KEY


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED_KEY, 0)
            seen = request.session.get(SESSION_SEEN_KEY, 0)
            idle = now - seen > settings.STAFF_SESSION_IDLE_SECONDS
            too_long = now - started > settings.STAFF_SESSION_ABSOLUTE_SECONDS
            if idle or too_long:
                logout(request)
                messages.info(request, _signed_out_message(too_long=too_long))
                return redirect_to_login(request.get_full_path())
            request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


def _signed_out_message(*, too_long: bool) -> str:
    if too_long:
        hours = settings.STAFF_SESSION_ABSOLUTE_SECONDS // 3600
        return _("You were signed out because a staff session lasts at most %(hours)d hours. Please sign in again.") % {
            "hours": hours
        }
    return _("You were signed out after a time without activity. Please sign in again.")
