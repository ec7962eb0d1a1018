"""Staff sign-in: password, then a TOTP code (issue 5; OWASP ASVS 5.0 §6).

Step one checks the password through django-axes (5 failures lock the username). The account is not
signed in until step two: the session only remembers, for 5 minutes, who passed step one. A wrong
TOTP code counts as a failed login for the lockout too. Signing in cycles the session id (Django's
`login`) and starts the staff session clocks (staff/middleware.py).
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django_otp import login as otp_login

from staff.services import staff_profile_of

PENDING_KEY = "staff_pending_login"
PENDING_SECONDS = 5 * 60
SESSION_STARTED_KEY = "staff_session_started"
SESSION_SEEN_KEY = "staff_session_seen"
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def staff_is_locked_out(request, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def staff_password_check(request, *, username: str, password: str):
    """The staff account whose password this is, remembered as half signed-in; else None (and the
    failure is counted). Accounts without a staff role cannot sign in here."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        return None
    if staff_profile_of(user) is None:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        return None
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
    return user


def staff_pending_user(request):
    """Who passed the password step in this session within the last 5 minutes, if anyone."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user if staff_profile_of(user) is not None else None


def staff_second_factor_failed(request, user) -> None:
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def staff_sign_in(request, *, user, device) -> None:
    """Both factors passed: sign in with a new session id and mark the session OTP-verified."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=_BACKEND)
    otp_login(request, device)
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now
