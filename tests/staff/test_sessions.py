"""Staff sessions end after 15 minutes without activity and after 12 hours in all, active or not
(issue 5; OWASP ASVS 5.0 §7.3; staff/middleware.py)."""

import time
from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

import staff.middleware
from staff.authentication import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tests.staff.conftest import sign_in

IDLE_MESSAGE = "You were signed out after a time without activity. Please sign in again."
ABSOLUTE_MESSAGE = "You were signed out because a staff session lasts at most 12 hours. Please sign in again."


@pytest.fixture
def signed_in(db, officer):
    return sign_in(Client(headers={"accept-language": "en"}), officer)


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by the test (only the middleware's: TOTP and axes keep real time)."""
    now = SimpleNamespace(value=time.time())
    monkeypatch.setattr(staff.middleware, "time", SimpleNamespace(time=lambda: now.value))
    return now


def _move_session_clocks(client, *, started: float = 0, seen: float = 0) -> None:
    session = client.session
    session[SESSION_STARTED_KEY] -= started
    session[SESSION_SEEN_KEY] -= seen
    session.save()


def _signed_out_with(client, response, message: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/"
    assert SESSION_KEY not in client.session
    login_page = client.get(response["Location"])
    assert message in login_page.content.decode()
    assert client.get("/staff/").status_code == 302


def test_sign_in_starts_both_clocks(signed_in):
    session = signed_in.session
    assert abs(session[SESSION_STARTED_KEY] - time.time()) < 60
    assert abs(session[SESSION_SEEN_KEY] - time.time()) < 60


def test_idle_more_than_fifteen_minutes_signs_out(signed_in):
    _move_session_clocks(signed_in, started=15 * 60 + 1, seen=15 * 60 + 1)

    response = signed_in.get("/staff/")

    _signed_out_with(signed_in, response, IDLE_MESSAGE)


def test_idle_just_under_fifteen_minutes_keeps_the_session(signed_in):
    _move_session_clocks(signed_in, started=14 * 60, seen=14 * 60)

    response = signed_in.get("/staff/")

    assert response.status_code == 200
    assert abs(signed_in.session[SESSION_SEEN_KEY] - time.time()) < 60  # activity restarts the idle clock


def test_activity_every_fourteen_minutes_keeps_the_session_past_fifteen(signed_in, clock):
    for _ in range(5):  # 70 minutes in all
        clock.value += 14 * 60
        assert signed_in.get("/staff/").status_code == 200


def test_twelve_hours_signs_out_even_when_active(signed_in, clock):
    started = signed_in.session[SESSION_STARTED_KEY]
    while clock.value + 14 * 60 - started <= 12 * 60 * 60:
        clock.value += 14 * 60
        assert signed_in.get("/staff/").status_code == 200

    clock.value += 14 * 60
    response = signed_in.get("/staff/")

    _signed_out_with(signed_in, response, ABSOLUTE_MESSAGE)


def test_twelve_hours_from_sign_in_signs_out_even_with_a_recent_request(signed_in):
    _move_session_clocks(signed_in, started=12 * 60 * 60 + 1, seen=60)

    response = signed_in.get("/staff/")

    _signed_out_with(signed_in, response, ABSOLUTE_MESSAGE)


def test_session_limits_are_the_issue_values(settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 15 * 60
    assert settings.STAFF_SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
