"""Errors a person can hit, in a real browser: a name that does not match, a name enrolled in
identity-theft protection, a wrong SMS code (tries left), five wrong codes (locked); and the session
countdown that journey pages show. Every error page is audited like the rest of the journey."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.steps import (
    PARK,
    TANAKA,
    choose_method,
    code_page,
    enter_code,
    error_summary,
    expect_countdown,
    home_to_real_name,
    mobile_form_send_sms,
    real_name_check,
    say,
    seed,
    sms_code_from_phone,
    submit,
)
from verification.models import IdentityCheck, MobileChallenge

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NAME_MISMATCH = (
    "The name does not match the registration number. Enter the name exactly as on your card, in capital "
    "letters; spaces are ignored (COI ZHUNA and COIZHUNA are the same)."
)
WRONG_CODE = "The code is not right. Check the 6 digits in the text message and try again."
LOCKED = (
    "The code was entered wrongly 5 times, so mobile verification is locked for this session. "
    "Start again from the real-name check."
)


def _seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _to_code_page(page, audit, language) -> str:
    """Real-name check → mobile → SMS; returns the code that arrived on the simulated phone."""
    real_name_check(page, audit, language, TANAKA)
    choose_method(page, audit, language, "mobile")
    mobile_form_send_sms(page, audit, language, TANAKA)
    code_page(page, audit, language)
    return sms_code_from_phone(page.context, audit, TANAKA)


@pytest.mark.parametrize(("language", "viewport"), [("en", "phone")])
def test_real_name_errors_say_what_to_do_and_the_countdown_ticks(open_page, audit, language, viewport):
    seed()
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)
    home_to_real_name(page, audit, language, "new")

    # The idle countdown is visible and counts down from 10 minutes.
    expect_countdown(page, audit)
    remaining = page.locator(".portal-session-remaining")
    before = remaining.inner_text()
    expect(remaining).not_to_have_text(before, timeout=3_000)
    assert 590 <= _seconds(remaining.inner_text()) < _seconds(before) <= 600

    # A name that is not the one registered with the number.
    page.fill("#id_name", "TANAKA YUKO")
    page.fill("#id_resident_number", TANAKA.rrn)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        submit(page)
    assert posted.value.status == 400
    expect(error_summary(page)).to_contain_text(say(language, NAME_MISMATCH))
    expect(page.locator("#id_name")).to_have_value("TANAKA YUKO")  # what was typed is kept to correct it
    expect_countdown(page, audit)
    audit.check(page, "real-name check, name mismatch")

    # A name enrolled in identity-theft protection: the page says whom to call.
    page.fill("#id_name", PARK.name)
    page.fill("#id_resident_number", PARK.rrn)
    submit(page)
    expect(error_summary(page)).to_contain_text("02-708-1000")
    audit.check(page, "real-name check, identity-theft protection")
    assert page.url.endswith(reverse("verification:real_name", args=["new"]))
    assert not IdentityCheck.objects.exists()

    # Corrected, the check passes.
    real_name_check(page, audit, language, TANAKA)
    assert IdentityCheck.objects.count() == 1
    audit.assert_clean()


@pytest.mark.parametrize(("language", "viewport"), [("ko", "desktop")])
def test_wrong_sms_code_shows_the_tries_left_then_the_right_one_passes(open_page, audit, language, viewport):
    seed()
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)
    home_to_real_name(page, audit, language, "new")
    code = _to_code_page(page, audit, language)

    enter_code(page, _other(code))
    expect(error_summary(page)).to_contain_text(say(language, WRONG_CODE))
    code_page(page, audit, language, tries_left=4)
    assert page.url.endswith(reverse("verification:mobile-code"))
    assert MobileChallenge.objects.get().failed_attempts == 1

    enter_code(page, code)
    page.wait_for_url(f"**{reverse('issuance:apply')}")
    assert IdentityCheck.objects.get().verified_at is not None
    audit.assert_clean()


@pytest.mark.parametrize(("language", "viewport"), [("en", "phone")])
def test_five_wrong_sms_codes_lock_mobile_verification(open_page, audit, language, viewport):
    seed()
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)
    page.goto(reverse("verification:real_name", args=["new"]))
    code = _to_code_page(page, audit, language)

    for tries_left in (4, 3, 2, 1):
        enter_code(page, _other(code))
        code_page(page, audit, language, tries_left=tries_left)
    enter_code(page, _other(code))
    expect(error_summary(page)).to_contain_text(say(language, LOCKED))
    expect(page.locator("#id_code")).to_have_count(0)  # no more code entry in this session
    start_again = page.locator(f"main a[href='{reverse('verification:real_name', args=['new'])}']")
    expect(start_again).to_be_visible()
    audit.check(page, "code page, locked")
    challenge = MobileChallenge.objects.get()
    assert challenge.locked_at is not None and challenge.confirmed_at is None
    assert IdentityCheck.objects.get().verified_at is None
    audit.assert_clean()
