"""Staff sign-in through the pages: password, then a TOTP code; lockout after 5 failures (django-axes);
enrolling an authenticator at the first sign-in (issue 5; OWASP ASVS 5.0 §6)."""

import base64
import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.authentication import PENDING_KEY
from staff.roles import Role
from staff.services import staff_account_create, staff_role_remove
from tests.staff.conftest import STAFF_PASSWORD, current_totp, sign_in

WRONG_PASSWORD = "not the password at all"
WRONG_CODE_MESSAGE = "This code is not right or has expired. Enter the code your app shows now."
WRONG_PASSWORD_MESSAGE = "The username or password is not right."


def wrong_totp(user) -> str:
    """A 6-digit code that no step within the tolerance of the user's authenticator accepts (the one
    being enrolled, if none is confirmed yet)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed").first()
    valid = {
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
        for drift in range(-device.tolerance - 1, device.tolerance + 2)
    }
    return next(f"{n:06d}" for n in range(1000000) if n not in valid)


def password_step(client, username: str, password: str = STAFF_PASSWORD):
    return client.post("/staff/login/", {"username": username, "password": password})


def code_step(client, token: str):
    return client.post("/staff/login/code/", {"token": token})


def is_signed_in(client) -> bool:
    session = client.session
    return SESSION_KEY in session and DEVICE_ID_SESSION_KEY in session


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.fixture
def english_client(db):
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def no_throttle(settings):
    """django-otp slows down codes after a wrong one; off where a test goes on to a right code, so
    what it proves is the lockout or the page, not the throttle."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- Password and code ------------------------------------------------------------------------------


def test_right_password_and_code_sign_in_with_a_new_session_id(client, officer):
    client.get("/staff/login/?next=/staff/")  # a session exists before sign-in (it holds `next`)
    before = client.cookies["sessionid"].value

    response = password_step(client, officer.username)
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/code/"
    assert not is_signed_in(client)
    response = code_step(client, current_totp(officer))

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()  # the old id is worthless
    assert is_signed_in(client)
    assert client.session[SESSION_KEY] == str(officer.pk)
    home = client.get("/staff/")
    assert home.status_code == 200
    assert officer.username in home.content.decode()


def test_password_step_alone_does_not_sign_in(client, officer):
    password_step(client, officer.username)

    assert not is_signed_in(client)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_wrong_code_does_not_sign_in_and_says_so_in_english(english_client, officer):
    password_step(english_client, officer.username)

    response = code_step(english_client, wrong_totp(officer))

    assert response.status_code == 400
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert not is_signed_in(english_client)
    assert english_client.get("/staff/").status_code == 302


def test_wrong_code_message_is_in_korean_by_default(client, officer):
    password_step(client, officer.username)

    response = code_step(client, wrong_totp(officer))

    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="ko"' in page
    with translation.override("ko"):
        korean = translation.gettext(WRONG_CODE_MESSAGE)
    assert korean in page
    assert not is_signed_in(client)


def test_code_that_is_not_six_digits_is_refused_with_a_message(english_client, officer):
    password_step(english_client, officer.username)

    response = code_step(english_client, "12ab")

    assert response.status_code == 400
    assert "Enter the 6 digits your authenticator app shows." in response.content.decode()
    assert not is_signed_in(english_client)


def test_wrong_password_does_not_sign_in(english_client, officer):
    response = password_step(english_client, officer.username, WRONG_PASSWORD)

    assert response.status_code == 400
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert PENDING_KEY not in english_client.session
    assert code_step(english_client, current_totp(officer)).status_code == 302  # back to the password step
    assert not is_signed_in(english_client)


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(english_client):
    response = password_step(english_client, "nobody.here", WRONG_PASSWORD)

    assert response.status_code == 400
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()


def test_account_without_staff_role_cannot_sign_in(english_client, django_user_model):
    django_user_model.objects.create_user(username="resident.like", password=STAFF_PASSWORD)

    response = password_step(english_client, "resident.like")

    assert response.status_code == 400
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert PENDING_KEY not in english_client.session
    assert not is_signed_in(english_client)


def test_account_whose_role_was_removed_cannot_sign_in(client, officer):
    staff_role_remove(user=officer)

    response = password_step(client, officer.username)

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_code_step_without_password_step_redirects_to_sign_in(client, officer):
    response = code_step(client, current_totp(officer))

    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
    assert not is_signed_in(client)
    assert client.get("/staff/login/code/")["Location"] == "/staff/login/"


def _age_password_step(client, seconds: float) -> None:
    session = client.session
    pending = session[PENDING_KEY]
    pending["at"] -= seconds
    session[PENDING_KEY] = pending
    session.save()


def test_password_step_expires_after_five_minutes(client, officer):
    password_step(client, officer.username)
    _age_password_step(client, 5 * 60 + 1)

    response = code_step(client, current_totp(officer))

    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
    assert not is_signed_in(client)


def test_password_step_still_valid_just_under_five_minutes(client, officer):
    password_step(client, officer.username)
    _age_password_step(client, 5 * 60 - 10)

    response = code_step(client, current_totp(officer))

    assert response["Location"] == "/staff/"
    assert is_signed_in(client)


def test_code_cannot_be_used_twice(client, officer):
    code = current_totp(officer)
    password_step(client, officer.username)
    assert code_step(client, code).status_code == 302
    client.post("/staff/logout/")
    assert not is_signed_in(client)

    password_step(client, officer.username)
    response = code_step(client, code)

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_signing_out_ends_the_session(client, officer):
    sign_in(client, officer)

    response = client.post("/staff/logout/")

    assert response["Location"] == "/staff/login/"
    assert not is_signed_in(client)
    assert client.get("/staff/").status_code == 302


def test_next_is_followed_after_sign_in(client, officer):
    response = client.get("/staff/password/")
    assert response["Location"] == "/staff/login/?next=/staff/password/"
    client.get(response["Location"])

    password_step(client, officer.username)
    response = code_step(client, current_totp(officer))

    assert response["Location"] == "/staff/password/"


@pytest.mark.parametrize("target", ["https://evil.example/staff/", "//evil.example/", "http://testserver.evil/"])
def test_off_site_next_is_ignored(client, officer, target):
    client.get("/staff/login/", {"next": target})

    password_step(client, officer.username)
    response = code_step(client, current_totp(officer))

    assert response["Location"] == "/staff/"
    assert is_signed_in(client)


# --- Lockout (django-axes: 5 failures per username, 30 minutes) --------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, officer):
    for _ in range(4):
        assert password_step(client, officer.username, WRONG_PASSWORD).status_code == 400
    assert password_step(client, officer.username, WRONG_PASSWORD).status_code == 429  # the 5th locks

    response = password_step(client, officer.username)

    assert response.status_code == 429
    assert "staff/locked_out.html" in template_names(response)
    assert PENDING_KEY not in client.session
    assert not is_signed_in(client)


def test_four_wrong_passwords_do_not_lock(client, officer):
    for _ in range(4):
        password_step(client, officer.username, WRONG_PASSWORD)

    sign_in(client, officer)

    assert is_signed_in(client)


def test_wrong_codes_count_towards_the_lockout(client, officer, no_throttle):
    assert password_step(client, officer.username).status_code == 302
    for _ in range(4):
        assert code_step(client, wrong_totp(officer)).status_code == 400
    assert code_step(client, wrong_totp(officer)).status_code == 429

    response = code_step(client, current_totp(officer))  # a right code, after the lock

    assert response.status_code == 429
    assert not is_signed_in(client)
    assert password_step(client, officer.username).status_code == 429


def test_successful_sign_in_resets_the_failure_count(client, officer):
    for _ in range(4):
        password_step(client, officer.username, WRONG_PASSWORD)
    sign_in(client, officer)
    client.post("/staff/logout/")

    for _ in range(4):
        assert password_step(client, officer.username, WRONG_PASSWORD).status_code == 400
    response = password_step(client, officer.username)

    assert response.status_code == 302  # 8 failures in all, but never 5 since the last sign-in


def test_locking_one_username_does_not_lock_another(client, officer, supervisor):
    for _ in range(5):
        password_step(client, officer.username, WRONG_PASSWORD)
    assert password_step(client, officer.username).status_code == 429

    sign_in(client, supervisor)  # same browser, same IP address

    assert is_signed_in(client)


def _age_failures(username: str, minutes: int) -> None:
    AccessAttempt.objects.filter(username=username).update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=minutes)
    )


def test_lockout_lifts_after_the_cool_off(client, officer, settings):
    assert datetime.timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    for _ in range(5):
        password_step(client, officer.username, WRONG_PASSWORD)
    _age_failures(officer.username, 29)
    assert password_step(client, officer.username).status_code == 429  # still locked before 30 minutes

    _age_failures(officer.username, 31)
    sign_in(client, officer)

    assert is_signed_in(client)


def test_axes_reset_username_unlocks(client, officer):
    for _ in range(5):
        password_step(client, officer.username, WRONG_PASSWORD)
    assert password_step(client, officer.username).status_code == 429

    call_command("axes_reset_username", officer.username, stdout=None)
    sign_in(client, officer)

    assert is_signed_in(client)


# --- Enrolment of an authenticator at the first sign-in ------------------------------------------------


@pytest.fixture
def newcomer(db, seoul):
    """A staff account that has never signed in: no authenticator yet."""
    return staff_account_create(
        username="officer.new", password=STAFF_PASSWORD, role=Role.COUNTER_OFFICER, office=seoul
    )


def _enrolment_secret(response) -> str:
    match = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7=]+)</code>', response.content.decode())
    assert match, "the enrolment page shows the key in base32"
    return match.group(1)


def _code_from_secret(secret: str) -> str:
    return f"{totp(base64.b32decode(secret)):06d}"


def test_first_sign_in_goes_to_enrolment_with_a_qr_code_and_the_secret(client, newcomer):
    response = password_step(client, newcomer.username)
    assert response["Location"] == "/staff/login/enrol/"
    assert client.get("/staff/login/code/")["Location"] == "/staff/login/enrol/"

    response = client.get("/staff/login/enrol/")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<img [^>]*src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert base64.b32decode(_enrolment_secret(response)) == device.bin_key
    assert response["Cache-Control"].startswith("max-age=0")  # the secret is never cached


def test_code_from_the_shown_secret_confirms_the_authenticator_and_signs_in(client, newcomer):
    password_step(client, newcomer.username)
    secret = _enrolment_secret(client.get("/staff/login/enrol/"))

    response = client.post("/staff/login/enrol/", {"token": _code_from_secret(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert is_signed_in(client)
    assert client.get("/staff/").status_code == 200


def test_wrong_enrolment_code_does_not_confirm_or_sign_in(english_client, newcomer):
    password_step(english_client, newcomer.username)
    english_client.get("/staff/login/enrol/")

    response = english_client.post("/staff/login/enrol/", {"token": wrong_totp(newcomer)})

    assert response.status_code == 400
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert not TOTPDevice.objects.get(user=newcomer).confirmed
    assert not is_signed_in(english_client)


def test_reloading_the_enrolment_page_keeps_the_same_secret(client, newcomer):
    password_step(client, newcomer.username)
    first = _enrolment_secret(client.get("/staff/login/enrol/"))

    second = _enrolment_secret(client.get("/staff/login/enrol/"))

    assert first == second
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_secret_is_never_shown_again_once_confirmed(client, newcomer):
    password_step(client, newcomer.username)
    secret = _enrolment_secret(client.get("/staff/login/enrol/"))
    client.post("/staff/login/enrol/", {"token": _code_from_secret(secret)})
    client.post("/staff/logout/")

    response = password_step(client, newcomer.username)
    assert response["Location"] == "/staff/login/code/"
    response = client.get("/staff/login/enrol/")

    assert response.status_code == 302
    assert response["Location"] == "/staff/login/code/"
    assert secret not in response.content.decode()


def test_enrolment_page_without_password_step_redirects_to_sign_in(client, newcomer):
    response = client.get("/staff/login/enrol/")

    assert response["Location"] == "/staff/login/"
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_wrong_enrolment_codes_lock_the_account(client, newcomer, no_throttle):
    password_step(client, newcomer.username)
    secret = _enrolment_secret(client.get("/staff/login/enrol/"))
    for _ in range(5):
        client.post("/staff/login/enrol/", {"token": wrong_totp(newcomer)})

    response = client.post("/staff/login/enrol/", {"token": _code_from_secret(secret)})

    assert response.status_code == 429
    assert not TOTPDevice.objects.get(user=newcomer).confirmed
    assert not is_signed_in(client)


# --- Per-address limit ---------------------------------------------------------------------------------


def test_busy_office_behind_one_address_is_not_limited(client, officer):
    for number in range(60):  # e.g. 30 staff signing in twice in an hour, from the office's one address
        assert password_step(client, f"someone.{number}", WRONG_PASSWORD).status_code == 400

    assert password_step(client, officer.username).status_code == 302


def test_many_usernames_from_one_address_are_limited(client, officer):
    import staff.views.auth

    limit = int(staff.views.auth.LOGIN_RATE_PER_ADDRESS.split("/")[0])
    for number in range(limit):
        password_step(client, f"someone.{number}", WRONG_PASSWORD)

    response = password_step(client, officer.username)

    assert response.status_code == 429
    assert PENDING_KEY not in client.session
