"""The real-name check that opens every online journey (DOMAIN.md §4; seed 001 Q3)."""

import pytest

from verification.models import IdentityCheck

pytestmark = pytest.mark.django_db


def _post(client, name, rrn, purpose="new"):
    return client.post(f"/verify/{purpose}/", {"name": name, "resident_number": rrn})


def test_real_name_check_passes_and_leads_to_the_methods(client, demo):
    response = _post(client, "NGUYEN VAN AN", "900101-5123456")
    assert response.status_code == 302 and response["Location"] == "/verify/methods/"
    check = IdentityCheck.objects.get()
    assert check.verified_at is None and check.purpose == "new"
    assert "900101" not in str(client.session.items())  # the session holds ids, not the number


def test_name_is_compared_without_case_or_spaces(client, demo):
    assert _post(client, "nguyen vanan", "9001015123456").status_code == 302


@pytest.mark.parametrize(
    ("name", "rrn", "message"),
    [
        ("NGUYEN VAN AN", "900101-5999999", "No one with this registration number was found"),
        ("NGUYEN VAN BA", "900101-5123456", "The name does not match the registration number"),
        ("박지훈", "030514-3789012", "02-708-1000"),
        ("NGUYEN VAN AN", "900231-5123456", "must be a real date of birth"),
        ("NGUYEN VAN AN", "12345", "13-digit"),
        ("NGUYEN 2", "900101-5123456", "only letters"),
    ],
)
def test_real_name_failures_say_what_to_do(client, demo, name, rrn, message):
    response = _post(client, name, rrn)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdentityCheck.objects.exists()


def test_unknown_purpose_goes_home(client, demo):
    assert client.get("/verify/elsewhere/")["Location"] == "/"


def test_methods_page_needs_a_passed_real_name_check(client, demo):
    response = client.get("/verify/methods/")
    assert response.status_code == 400 and "Please start again" in response.content.decode()


def test_real_name_checks_are_rate_limited_per_person(client, demo):
    for _ in range(10):
        _post(client, "WRONG NAME", "900101-5123456")
    response = _post(client, "NGUYEN VAN AN", "900101-5123456")
    assert response.status_code == 429 and response["Retry-After"]
    assert "Too many attempts" in response.content.decode()


def test_the_429_page_promises_no_time_and_retry_after_spans_the_hourly_window(client, demo):
    for _ in range(10):
        _post(client, "WRONG NAME", "900101-5123456")
    response = client.post(
        "/verify/new/", {"name": "NGUYEN VAN AN", "resident_number": "900101-5123456"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "3600"  # the limits count per hour
    assert "Please try again later." in html and "minutes" not in html


def test_real_name_checks_are_rate_limited_per_ip(client, demo):
    for n in range(30):
        _post(client, "SOMEONE", f"900101-5{n:06d}")
    assert _post(client, "TANAKA YUKI", "980923-6678901").status_code == 429
