"""New issue by joint certificate in a real browser, from the home page to the code.

tests/browser/test_certificate.py covers the signing page itself (wrong password, saving the
certificate in the browser, signing from the saved copy). This test is the whole journey around it:
methods → "A file" → sign → the application, where the mobile number (which a certificate does not
verify) is confirmed with a code read on the simulated phone → the code, and what the database holds."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from issuance.models import CodeEvent, CodeStatus
from issuance.selectors import code_current_for_holder, holder_find_by_resident_number
from personal_data.blind_index import blind_index_of
from personal_data.contact import normalise_phone
from tests.browser.steps import (
    TANAKA,
    application_form,
    apply_and_read_code,
    choose_method,
    expect_countdown,
    expect_heading,
    home_to_real_name,
    newest_sms_code,
    phone_open,
    real_name_check,
    say,
    seed,
    submit,
)
from verification.certificates import certificate_issue_for_person
from verification.models import IdentityCheck, SimulatedRegistryPerson

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(("language", "viewport"), [("ko", "phone")])
def test_new_issue_by_certificate_file_end_to_end(open_page, audit, tmp_path, language, viewport):
    seed()
    registry_person = SimulatedRegistryPerson.objects.get(
        resident_number_index=blind_index_of("resident_number", TANAKA.rrn)
    )
    bundle = tmp_path / "tanaka-yuki.json"
    bundle.write_text(json.dumps(certificate_issue_for_person(person=registry_person, password=PASSWORD)))
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)

    home_to_real_name(page, audit, language, "new")
    real_name_check(page, audit, language, TANAKA)
    choose_method(page, audit, language, "certificate")
    expect_heading(page, language, "Sign with your joint or financial certificate")
    expect_countdown(page, audit)
    expect(page.locator("#certificate-form")).to_be_visible()  # its script runs and shows the form
    audit.check(page, "certificate page")

    page.locator("label[for=certificate-storage-file]").click()
    expect(page.locator("#certificate-file-panel")).to_be_visible()
    page.set_input_files("#certificate-file", str(bundle))
    expect(page.locator("#certificate-file-summary")).to_contain_text("TANAKA YUKI")
    page.fill("#certificate-password", PASSWORD)
    audit.check(page, "certificate page, file chosen")
    page.click("#certificate-sign")
    page.wait_for_url(f"**{reverse('issuance:apply')}")

    # A certificate proves who the person is, not which phone they have: the number needs a code.
    application_form(page, audit, language, TANAKA, verified_mobile=False)
    expect(page.locator("#id_mobile")).to_have_value("")
    page.fill("#id_mobile", TANAKA.phone)
    submit(page, value="send_code")
    expect(page.locator(".portal-messages")).to_contain_text(
        say(language, "We sent a 6-digit code to your mobile number. It is valid for 3 minutes.")
    )
    audit.check(page, "application form, mobile code sent")
    phone = phone_open(page.context, audit, TANAKA)
    page.fill("#id_mobile_code", newest_sms_code(phone))
    phone.close()
    number = apply_and_read_code(page, audit, language)

    holder = holder_find_by_resident_number(TANAKA.rrn)
    code = code_current_for_holder(holder)
    assert code.number == number and code.status == CodeStatus.ACTIVE
    assert holder.mobile == normalise_phone(TANAKA.phone) and holder.delivery_addresses.count() == 1
    assert CodeEvent.objects.get(code=code, kind="issued").method == "certificate"
    check = IdentityCheck.objects.get()
    assert check.method == "certificate" and check.phone in (None, "") and check.consumed_at is not None
    audit.assert_clean()
