"""Check / Reissue in a real browser (NGUYEN VAN AN, who holds a code): look up the code, change the
address and email (which renews the code for a year), reissue with a reason, report theft (suspended at
once, reissue offered) and take the new code. Each step checks the page and what the database holds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from issuance.models import Code, CodeEvent, CodeStatus, SuspensionReason, TerminationReason
from issuance.selectors import REISSUES_PER_YEAR, code_current_for_holder, holder_find_by_resident_number
from issuance.validity import one_year_from
from tests.browser.steps import (
    CODE_NUMBER,
    NGUYEN,
    choose,
    choose_method,
    code_page,
    enter_code,
    expect_countdown,
    expect_heading,
    home_to_real_name,
    masked_rrn,
    mobile_form_send_sms,
    newest_sms_code,
    real_name_check,
    say,
    seed,
    submit,
    tick,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MY_CODE = reverse("issuance:my_code")
NEW_ADDRESS = "서울특별시 마포구 월드컵북로 400 202호"
NEW_EMAIL = "an.nguyen.new@example.org"


def _current_code() -> Code:
    return code_current_for_holder(holder_find_by_resident_number(NGUYEN.rrn))


def _reissues_left(language: str, left: int) -> str:
    with translation.override(language):
        text = translation.ngettext(
            "You can get %(left)s more new code this year.", "You can get %(left)s more new codes this year.", left
        )
    return text % {"left": left}


@pytest.mark.parametrize(("language", "viewport"), [("en", "desktop"), ("ko", "phone")])
def test_look_up_change_reissue_and_report_theft(open_page, audit, language, viewport):
    seed()
    # The demo code is a few months from expiry, so that changing details visibly renews it.
    old_expiry = timezone.localdate() + datetime.timedelta(days=100)
    Code.objects.filter(pk=_current_code().pk).update(expires_on=old_expiry)
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)

    # Verify by SMS; this time the newcomer opens the simulated phone from the code page's own link.
    home_to_real_name(page, audit, language, "manage")
    real_name_check(page, audit, language, NGUYEN, purpose="manage")
    choose_method(page, audit, language, "mobile")
    mobile_form_send_sms(page, audit, language, NGUYEN)
    code_page(page, audit, language)
    with page.context.expect_page() as opened:
        page.locator("main a[target=_blank]").click()
    phone = opened.value
    audit.watch(phone)
    expect(phone.locator("main h1")).to_contain_text("010-2000-0001")
    audit.check(phone, "simulated phone")
    enter_code(page, newest_sms_code(phone))
    phone.close()
    page.wait_for_url(f"**{MY_CODE}")

    # Look up: the code, its status, validity, the masked registration number.
    first = _current_code()
    expect_heading(page, language, "Your Personal Customs Code")
    expect_countdown(page, audit)
    expect(page.locator("#my-code")).to_have_text(first.number)
    expect(page.locator("#code-status")).to_have_text(say(language, "In use"))
    expect(page.locator("main")).to_contain_text(f"{old_expiry:%Y-%m-%d}")
    expect(page.locator("main")).to_contain_text(masked_rrn(NGUYEN))
    expect(page.locator("main")).not_to_contain_text(NGUYEN.rrn)
    audit.check(page, "my code")
    assert CodeEvent.objects.filter(code=first, kind="looked_up").count() == 1

    # Change the address and the email: back on the code page, valid for a year from today.
    page.locator(f"main a[href='{reverse('issuance:change')}']").click()
    page.wait_for_url(f"**{reverse('issuance:change')}")
    expect_heading(page, language, "Change my details")
    expect_countdown(page, audit)
    expect(page.locator("#id_email")).to_have_value(NGUYEN.email)
    expect(page.locator(".portal-delivery-row")).to_have_count(len(NGUYEN.delivery))
    audit.check(page, "change details")
    page.fill("#id_address", NEW_ADDRESS)
    page.fill("#id_email", NEW_EMAIL)
    submit(page, value="submit")
    page.wait_for_url(f"**{MY_CODE}")
    renewed = one_year_from(timezone.localdate())
    expect(page.locator(".portal-messages")).to_contain_text(
        say(language, "Your details were changed and your code is valid for another year.")
    )
    expect(page.locator("main")).to_contain_text(f"{renewed:%Y-%m-%d}")
    expect(page.locator("main")).to_contain_text(NEW_ADDRESS)
    audit.check(page, "my code after the change")
    first.refresh_from_db()
    holder = first.holder
    holder.refresh_from_db()
    assert first.expires_on == renewed and first.status == CodeStatus.ACTIVE
    assert (holder.address, holder.email) == (NEW_ADDRESS, NEW_EMAIL)
    assert CodeEvent.objects.filter(code=first, kind="changed").count() == 1

    # Reissue with a reason: a new code is shown, the old one is terminated.
    page.locator(f"main a[href='{reverse('issuance:reissue')}']").click()
    page.wait_for_url(f"**{reverse('issuance:reissue')}")
    expect_heading(page, language, "Get a new code")
    expect(page.locator("main")).to_contain_text(_reissues_left(language, REISSUES_PER_YEAR))
    audit.check(page, "reissue")
    choose(page, "reason", "lost")
    submit(page)
    page.wait_for_url(f"**{MY_CODE}")
    second = _current_code()
    assert second.pk != first.pk and CODE_NUMBER.match(second.number)
    expect(page.locator(".portal-messages")).to_contain_text(
        say(language, "Your new code is ready. The old one no longer works.")
    )
    expect(page.locator("#my-code")).to_have_text(second.number)
    expect(page.locator("#code-status")).to_have_text(say(language, "In use"))
    audit.check(page, "my code after the reissue")
    first.refresh_from_db()
    assert (first.status, first.termination_reason, first.replaced_by_id) == (
        CodeStatus.TERMINATED,
        TerminationReason.REPLACED,
        second.pk,
    )
    assert second.status == CodeStatus.ACTIVE

    # Report theft: suspended at once, and a new code is offered straight away.
    page.locator(f"main a[href='{reverse('issuance:theft')}']").click()
    page.wait_for_url(f"**{reverse('issuance:theft')}")
    expect_heading(page, language, "Report that my code was stolen")
    audit.check(page, "report theft")
    tick(page, "id_confirm")
    submit(page)
    page.wait_for_url(f"**{reverse('issuance:reissue')}")
    expect(page.locator(".portal-messages")).to_contain_text(
        say(language, "Your code is suspended: nobody can use it now. Get a new code below if you need one.")
    )
    expect_heading(page, language, "Get a new code")
    expect(page.locator("main")).to_contain_text(_reissues_left(language, REISSUES_PER_YEAR - 1))
    audit.check(page, "reissue offered after the theft report")
    second.refresh_from_db()
    assert (second.status, second.suspension_reason) == (CodeStatus.SUSPENDED, SuspensionReason.THEFT_REPORT)
    assert CodeEvent.objects.filter(code=second, kind="suspended").count() == 1

    # The code page says it is suspended (and offers no second theft report); then the new code.
    page.locator(f"main a[href='{MY_CODE}']").click()
    page.wait_for_url(f"**{MY_CODE}")
    expect(page.locator("#code-status")).to_have_text(say(language, "Suspended"))
    expect(page.locator(f"main a[href='{reverse('issuance:theft')}']")).to_have_count(0)
    audit.check(page, "my code, suspended")
    page.locator(f"main a[href='{reverse('issuance:reissue')}']").click()
    choose(page, "reason", "stolen")
    submit(page)
    page.wait_for_url(f"**{MY_CODE}")
    third = _current_code()
    expect(page.locator("#my-code")).to_have_text(third.number)
    expect(page.locator("#code-status")).to_have_text(say(language, "In use"))
    second.refresh_from_db()
    assert third.status == CodeStatus.ACTIVE and second.status == CodeStatus.TERMINATED
    assert len({first.number, second.number, third.number}) == 3
    audit.assert_clean()
