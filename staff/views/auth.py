"""Staff sign-in pages: password, then the TOTP code (or enrolling an authenticator the first time),
sign-out and password change. The rules are in staff/authentication.py."""

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from pcc_portal.ratelimits import too_many_requests
from staff.authentication import (
    staff_is_locked_out,
    staff_password_check,
    staff_pending_user,
    staff_second_factor_failed,
    staff_sign_in,
)
from staff.decorators import staff_page
from staff.forms import StaffLoginForm, TotpForm
from staff.services import (
    staff_totp_device,
    staff_totp_enrolment_confirm,
    staff_totp_enrolment_start,
)

NEXT_KEY = "staff_login_next"
# Guessing one account is stopped by the lockout (5 failures); this only bounds trying many usernames
# from one address. A customs office signs in from one address, and staff sign in again after every
# 15 minutes idle, so the limit is set well above what a busy office needs.
LOGIN_RATE_PER_ADDRESS = "300/h"
ENROLMENT_KEY = "staff_totp_enrolment"


def _locked_out(request):
    return render(request, "staff/locked_out.html", status=429)


def _next_url(request) -> str:
    target = request.session.get(NEXT_KEY, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "staff:home"


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=LOGIN_RATE_PER_ADDRESS, method="POST", block=False, group="staff-login-ip")
def login(request):
    if getattr(request, "limited", False):
        return too_many_requests(request)
    if request.method == "GET" and request.GET.get("next"):
        request.session[NEXT_KEY] = request.GET["next"]
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if staff_is_locked_out(request, username):
            return _locked_out(request)
        next_target = request.session.get(NEXT_KEY, "")
        user = staff_password_check(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
        if user is not None:
            request.session[NEXT_KEY] = next_target  # kept across the new session id
            # A first sign-in goes straight to setting up the authenticator app.
            return redirect("staff:login_totp" if staff_totp_device(user) else "staff:login_enrol")
        form.add_error(None, _("The username or password is not right."))
    return render(request, "staff/login.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def login_totp(request):
    user = staff_pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in with your username and password first."))
        return redirect("staff:login")
    if staff_is_locked_out(request, user.get_username()):
        return _locked_out(request)
    device = staff_totp_device(user)
    if device is None:
        return redirect("staff:login_enrol")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            target = _next_url(request)
            staff_sign_in(request, user=user, device=device)
            return redirect(target)
        staff_second_factor_failed(request, user)
        if staff_is_locked_out(request, user.get_username()):
            return _locked_out(request)
        form.add_error("token", _("This code is not right or has expired. Enter the code your app shows now."))
    return render(request, "staff/login_totp.html", {"form": form}, status=400 if form.errors else 200)


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """First sign-in: set up an authenticator app from a QR code, then prove it with a first code."""
    user = staff_pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in with your username and password first."))
        return redirect("staff:login")
    # Wrong codes here count towards the lockout too, so a locked account cannot finish enrolling.
    if staff_is_locked_out(request, user.get_username()):
        return _locked_out(request)
    if staff_totp_device(user) is not None:
        return redirect("staff:login_totp")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(pk=request.session.get(ENROLMENT_KEY), user=user, confirmed=False).first()
    if device is None:
        device = staff_totp_enrolment_start(user)
        request.session[ENROLMENT_KEY] = device.pk
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if staff_totp_enrolment_confirm(device=device, token=form.cleaned_data["token"]):
            request.session.pop(ENROLMENT_KEY, None)
            target = _next_url(request)
            staff_sign_in(request, user=user, device=device)
            messages.success(request, _("Your authenticator app is set up. You will need it every time you sign in."))
            return redirect(target)
        staff_second_factor_failed(request, user)
        if staff_is_locked_out(request, user.get_username()):
            return _locked_out(request)
        form.add_error("token", _("This code is not right or has expired. Enter the code your app shows now."))
    context = {
        "form": form,
        "qr_code": _qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode("ascii"),
    }
    return render(request, "staff/login_enrol.html", context, status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("staff:login")


@staff_page()
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs["class"] = "krds-input"
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password was changed."))
        return redirect("staff:home")
    return render(request, "staff/password_change.html", {"form": form}, status=400 if form.errors else 200)
