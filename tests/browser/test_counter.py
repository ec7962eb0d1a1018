"""Counter issuance in a real browser (issue 5): the demo officer of Seoul signs in with password and
authenticator code, types a passport applicant's paper form, issues the code and gets the bilingual
confirmation, whose printed form leaves the menus off. Every page passes axe-core."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from issuance.demo import DEMO_STAFF_PASSWORD
from issuance.models import Channel, Code, CodeEvent, EventKind, IdentityDocument, VerificationMethod
from issuance.selectors import holder_find_by_passport
from tests.browser.steps import CODE_NUMBER, Audit, choose, seed, submit, tick
from tests.staff.conftest import current_totp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OFFICER = "officer.seoul"
PASSPORT = "K55512345"
CONFIRMATION_URL = re.compile(r".*/staff/counter/codes/[0-9]+/confirmation/$")


def _sign_in(page, audit: Audit) -> None:
    """Both factors, as the officer does: the password, then the authenticator app's code."""
    page.goto("/staff/login/")
    audit.check(page, "sign-in")
    page.locator("#id_username").fill(OFFICER)
    page.locator("#id_password").fill(DEMO_STAFF_PASSWORD)
    submit(page)
    page.locator("#id_token").fill(current_totp(get_user_model().objects.get(username=OFFICER)))
    submit(page)
    expect(page).to_have_url(re.compile(r".*/staff/$"))


def _fill_passport_applicant(page) -> None:
    choose(page, "document", IdentityDocument.PASSPORT)
    page.locator("#id_name").fill("GARCIA LUIS")
    page.locator("#id_passport_number").fill(PASSPORT)
    page.locator("#id_nationality").select_option("MX")
    page.locator("#id_birth_date").fill("19870305")
    page.locator("#id_english_name").fill("GARCIA LUIS")
    page.locator("#id_address").fill("서울특별시 종로구 사직로 161")
    page.locator("#id_postcode").fill("03045")
    choose(page, "mobile_ownership", "own_name")
    page.locator("#id_mobile").fill("010-4321-8765")
    page.locator("#id_email").fill("luis.garcia@example.com")
    choose(page, "language", "en")
    tick(page, "id_document_viewing_consent")
    tick(page, "id_paper_form_received")


@pytest.mark.parametrize(("language", "viewport"), [("ko", "desktop"), ("en", "phone")])
def test_officer_issues_a_code_to_a_passport_applicant_and_prints_the_confirmation(
    open_page, audit, language, viewport
):
    seed()
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)

    _sign_in(page, audit)
    page.goto("/staff/counter/issue/")
    audit.check(page, "counter form")
    _fill_passport_applicant(page)
    submit(page, value="submit")

    expect(page).to_have_url(CONFIRMATION_URL)
    code_text = page.locator("#confirmation-code").inner_text().strip()
    assert CODE_NUMBER.fullmatch(code_text), code_text
    audit.check(page, "confirmation")
    # Korean and English side by side, whatever the page language.
    expect(page.locator("section.staff-confirmation-side[lang=ko]")).to_be_visible()
    expect(page.locator("section.staff-confirmation-side[lang=en]")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PASSPORT)
    expect(page.locator("main")).to_contain_text("K555*****")
    expect(page.locator("[data-staff-print]")).to_be_visible()  # the script showed the Print button

    nav = page.locator("nav.portal-nav")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.locator(".staff-bar")).to_be_hidden()
    expect(page.locator("[data-staff-print]")).to_be_hidden()
    expect(page.locator("#confirmation-code")).to_be_visible()
    page.emulate_media(media="screen")

    holder = holder_find_by_passport(passport_number=PASSPORT, nationality="MX")
    code = Code.objects.get(holder=holder)
    assert code.number == code_text
    event = CodeEvent.objects.get(code=code, kind=EventKind.ISSUED)
    assert (event.channel, event.office.code, event.actor_user.username) == (Channel.COUNTER, "seoul", OFFICER)
    assert event.method == VerificationMethod.PASSPORT

    # The same person found again by passport number: the URL carries the record's id, not the number.
    page.goto("/staff/people/")
    audit.check(page, "person search")
    choose(page, "purpose", "counter_request")
    page.locator("#id_passport_number").fill(PASSPORT)
    page.locator("#id_nationality").select_option("MX")
    submit(page)
    expect(page).to_have_url(re.compile(rf".*/staff/people/{holder.pk}/$"))
    expect(page.locator("#person-code")).to_have_text(code_text)
    audit.check(page, "person")
    audit.assert_clean()
