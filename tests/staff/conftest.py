"""Staff accounts for tests, signed in the real way: password, then a TOTP code (staff/views/auth.py)."""

import pytest
from django_otp.oath import totp

from issuance.models import CustomsOffice
from staff.roles import Role
from staff.services import staff_account_create, staff_demo_totp_device

STAFF_PASSWORD = "correct horse battery staple 2026"


def current_totp(user) -> str:
    device = staff_demo_totp_device(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client, user, *, password: str = STAFF_PASSWORD):
    """Both factors through the pages; returns the client, signed in and OTP-verified."""
    response = client.post("/staff/login/", {"username": user.get_username(), "password": password})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/staff/login/code/", {"token": current_totp(user)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def seoul(db):
    return CustomsOffice.objects.get(code="seoul")


@pytest.fixture
def incheon(db):
    return CustomsOffice.objects.get(code="incheon")


@pytest.fixture
def make_staff(db):
    """make_staff(role, office=None, username=None) -> user with an enrolled authenticator."""
    counter = {"n": 0}

    def make(role: str, office=None, username: str | None = None):
        counter["n"] += 1
        user = staff_account_create(
            username=username or f"{role}.{counter['n']}", password=STAFF_PASSWORD, role=role, office=office
        )
        staff_demo_totp_device(user)
        return user

    return make


@pytest.fixture
def officer(make_staff, seoul):
    return make_staff(Role.COUNTER_OFFICER, seoul, "officer.test.seoul")


@pytest.fixture
def supervisor(make_staff, seoul):
    return make_staff(Role.SUPERVISOR, seoul, "supervisor.test.seoul")


@pytest.fixture
def administrator(make_staff):
    return make_staff(Role.ADMINISTRATOR, None, "admin.test")


@pytest.fixture
def auditor(make_staff):
    return make_staff(Role.AUDITOR, None, "auditor.test")


@pytest.fixture
def officer_client(client, officer):
    return sign_in(client, officer)


@pytest.fixture
def supervisor_client(client, supervisor):
    return sign_in(client, supervisor)


@pytest.fixture
def administrator_client(client, administrator):
    return sign_in(client, administrator)


@pytest.fixture
def auditor_client(client, auditor):
    return sign_in(client, auditor)
