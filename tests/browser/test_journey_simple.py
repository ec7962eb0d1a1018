"""New issue by simple certification in a real browser: the request is approved on the simulated phone
and the waiting page continues by itself (static/js/push-wait.js polls); without JavaScript the
"I approved it, continue" button does the same, and says so when the request is not approved yet."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from issuance.models import CodeEvent, CodeStatus, ConsentKind
from issuance.selectors import code_current_for_holder, holder_find_by_resident_number
from personal_data.contact import normalise_phone
from tests.browser.steps import (
    TANAKA,
    application_form,
    apply_and_read_code,
    birth_date_8,
    choose,
    choose_method,
    error_summary,
    expect_countdown,
    expect_heading,
    home_to_real_name,
    phone_open,
    real_name_check,
    say,
    seed,
    submit,
)
from verification.models import IdentityCheck, PushRequest, PushStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WAIT = reverse("verification:simple-wait")


def _simple_form(page, audit, language, person, *, provider: str) -> None:
    expect_heading(page, language, "Simple certification")
    expect_countdown(page, audit)
    audit.check(page, "simple certification form")
    choose(page, "provider", provider)
    expect(page.locator("#id_name")).to_have_value(person.name)
    page.fill("#id_birth_date", birth_date_8(person))
    page.fill("#id_phone", person.phone)
    submit(page)
    page.wait_for_url(f"**{WAIT}")
    expect_heading(page, language, "Approve the request on your phone")
    expect_countdown(page, audit)


def _approve_on_phone(phone, audit, language) -> None:
    expect(phone.locator(".portal-dev-push")).to_have_count(1)
    phone.locator(".portal-dev-push button[value=approve]").click()
    expect(phone.locator(".portal-message")).to_have_text(say(language, "Approved."))
    expect(phone.locator(".portal-dev-push")).to_have_count(0)
    audit.check(phone, "simulated phone after approving")


def _assert_issued_by_simple(number: str, *, provider: str, delivery: int = 0) -> None:
    holder = holder_find_by_resident_number(TANAKA.rrn)
    code = code_current_for_holder(holder)
    assert code.number == number and code.status == CodeStatus.ACTIVE
    assert holder.mobile == normalise_phone(TANAKA.phone)  # the number the app's account verified
    assert holder.delivery_addresses.count() == delivery
    given = set(holder.consents.filter(withdrawn_at__isnull=True).values_list("kind", flat=True))
    assert given == {ConsentKind.DOCUMENT_VIEWING}  # the optional SMS consent was left unticked
    assert CodeEvent.objects.get(code=code, kind="issued").method == "simple"
    push = PushRequest.objects.get()
    assert (push.provider, push.status) == (provider, PushStatus.APPROVED)
    check = IdentityCheck.objects.get()
    assert check.method == "simple" and check.consumed_at is not None


def _continue_too_early(page, audit, language) -> None:
    """ "I approved it, continue" before approving: the page says what to do; nothing is verified."""
    submit(page)
    expect(error_summary(page)).to_contain_text(
        say(language, "The request has not been approved yet. Open the app on your phone, approve it, then continue.")
    )
    assert page.url.endswith(WAIT)
    audit.check(page, "waiting page with its error")
    assert IdentityCheck.objects.get().verified_at is None


def test_new_issue_by_simple_certification_continues_by_itself(open_page, audit):
    language, provider = "en", "kakao"
    seed()
    page = open_page(language=language, viewport="phone")
    audit.watch(page)
    home_to_real_name(page, audit, language, "new")
    real_name_check(page, audit, language, TANAKA)
    choose_method(page, audit, language, "simple")
    _simple_form(page, audit, language, TANAKA, provider=provider)
    audit.check(page, "waiting for the approval")
    _continue_too_early(page, audit, language)
    expect(page.locator(".portal-push-status [role=status]")).to_be_visible()  # its script still waits

    # The newcomer opens the simulated phone from the waiting page's link (a new tab).
    with page.context.expect_page() as opened:
        page.locator("main a[target=_blank]").click()
    phone = opened.value
    audit.watch(phone)
    expect(phone.locator("main h1")).to_contain_text("010-2000-0006")
    audit.check(phone, "simulated phone with a request")
    _approve_on_phone(phone, audit, language)

    # Nobody touches the portal's tab: its polling notices the approval and continues.
    page.wait_for_url(f"**{reverse('issuance:apply')}", timeout=10_000)
    application_form(page, audit, language, TANAKA, delivery=False, sms_consent=False)
    number = apply_and_read_code(page, audit, language)
    _assert_issued_by_simple(number, provider=provider)
    audit.assert_clean()


def test_new_issue_by_simple_certification_without_javascript(open_page, audit):
    """The same journey with JavaScript off (a context with `java_script_enabled=False`): no polling,
    the continue button does it. axe cannot run in such a page (tests/browser/steps.py Audit.check);
    the same templates are audited by the test above."""
    language, provider = "ko", "naver"
    seed()
    page = open_page(language=language, viewport="desktop", java_script_enabled=False)
    audit.watch(page, javascript=False)
    home_to_real_name(page, audit, language, "new")
    real_name_check(page, audit, language, TANAKA)
    choose_method(page, audit, language, "simple")
    _simple_form(page, audit, language, TANAKA, provider=provider)
    expect(page.locator(".portal-push-status")).to_be_hidden()  # no "waiting…" spinner without the script
    _continue_too_early(page, audit, language)

    phone = phone_open(page.context, audit, TANAKA)
    _approve_on_phone(phone, audit, language)
    phone.close()
    page.wait_for_timeout(2_500)
    assert page.url.endswith(WAIT)  # nothing polls: the page waits for the button

    submit(page)
    page.wait_for_url(f"**{reverse('issuance:apply')}")
    application_form(page, audit, language, TANAKA, delivery=True, sms_consent=False)
    number = apply_and_read_code(page, audit, language)
    _assert_issued_by_simple(number, provider=provider, delivery=1)
    audit.assert_clean()
