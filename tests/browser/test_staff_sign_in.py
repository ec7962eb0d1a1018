"""Staff sign-in in real Chromium: a newcomer enrols an authenticator from the key the page shows and
reaches staff home; a returning officer types a code; 5 wrong passwords lock the account. Every page
is checked with axe-core."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from issuance.demo import customs_offices_ensure
from issuance.models import CustomsOffice
from staff.roles import Role
from staff.services import staff_account_create, staff_demo_totp_device
from tests.browser.conftest import assert_accessible
from tests.staff.conftest import STAFF_PASSWORD, current_totp
from tests.staff.test_sign_in import wrong_totp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _officer(username: str, *, enrolled: bool):
    customs_offices_ensure()  # a transactional test may start from an emptied table
    user = staff_account_create(
        username=username,
        password=STAFF_PASSWORD,
        role=Role.COUNTER_OFFICER,
        office=CustomsOffice.objects.get(code="seoul"),
    )
    if enrolled:
        staff_demo_totp_device(user)
    return user


def _password_step(page, username: str, password: str = STAFF_PASSWORD) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button.primary").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_newcomer_enrols_from_the_shown_key_and_reaches_staff_home(open_page, language):
    _officer("officer.browser", enrolled=False)
    page = open_page(language=language)

    page.goto("/staff/login/")
    assert_accessible(page)
    _password_step(page, "officer.browser")

    assert page.url.endswith("/staff/login/enrol/")
    qr = page.locator("img.staff-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert qr.get_attribute("alt")
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("input[name=token]").fill(f"{totp(base64.b32decode(secret)):06d}")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()

    assert page.url.endswith("/staff/")
    expect(page.locator(".staff-whoami")).to_contain_text("officer.browser")
    assert_accessible(page)


def test_wrong_password_page_is_accessible(open_page):
    _officer("officer.typo", enrolled=True)
    page = open_page(language="en")

    page.goto("/staff/login/")
    _password_step(page, "officer.typo", "not the password at all")

    expect(page.get_by_text("The username or password is not right.")).to_be_visible()
    assert_accessible(page)


def test_returning_officer_types_the_code_and_signs_in(open_page):
    user = _officer("officer.returning", enrolled=True)
    page = open_page(language="ko")

    page.goto("/staff/login/")
    _password_step(page, "officer.returning")

    assert page.url.endswith("/staff/login/code/")
    assert_accessible(page)
    page.locator("input[name=token]").fill(wrong_totp(user))
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/login/code/")  # a wrong code: still on the code page
    assert page.locator("input[name=token][aria-invalid=true]").count() == 1
    assert_accessible(page)

    page.wait_for_timeout(1100)  # django-otp refuses any code for 1 s after a wrong one
    page.locator("input[name=token]").fill(current_totp(user))
    page.locator("main form button.primary").click()
    page.wait_for_load_state()

    assert page.url.endswith("/staff/")
    expect(page.locator(".staff-whoami")).to_contain_text("officer.returning")


def test_five_wrong_passwords_show_the_lockout_page(open_page):
    _officer("officer.locked", enrolled=True)
    page = open_page(language="en")
    page.goto("/staff/login/")
    for _ in range(5):
        _password_step(page, "officer.locked", "not the password at all")

    expect(page.locator("h1")).to_have_text("Account locked")
    assert_accessible(page)

    page.get_by_role("link", name="Back to sign-in").click()
    page.wait_for_load_state()
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        _password_step(page, "officer.locked")  # the right password, too late

    assert answer.value.status == 429
    expect(page.locator("h1")).to_have_text("Account locked")
