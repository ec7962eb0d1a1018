"""The certificate method in real Chromium: the page's script opens a bundle file with WebCrypto, says
so when the password is wrong, saves the certificate in the browser, lists it next time, and signs."""

import json

import pytest
from django.urls import reverse

from issuance.demo import DEMO_PEOPLE, demo_data_seed
from personal_data.blind_index import blind_index_of
from tests.browser.conftest import assert_accessible
from verification.certificates import certificate_issue_for_person
from verification.models import IdentityCheck, SimulatedRegistryPerson

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"
TANAKA = next(p for p in DEMO_PEOPLE if p.english_name == "TANAKA YUKI")


def _real_name_then_certificate(page, person) -> None:
    page.goto(reverse("verification:real_name", args=["new"]))
    page.fill("#id_name", person.name)
    page.fill("#id_resident_number", person.rrn)
    page.locator("form:not(.portal-language) button[type=submit]").click()
    page.wait_for_url(f"**{reverse('verification:methods')}")
    page.goto(reverse("verification:certificate-start"))


def test_certificate_file_signs_in_the_browser_and_is_remembered_there(open_page, tmp_path):
    demo_data_seed()
    person = SimulatedRegistryPerson.objects.get(resident_number_index=blind_index_of("resident_number", TANAKA.rrn))
    bundle_file = tmp_path / "certificate.json"
    bundle_file.write_text(json.dumps(certificate_issue_for_person(person=person, password=PASSWORD)))
    page = open_page(language="en")

    _real_name_then_certificate(page, TANAKA)
    assert page.locator("#certificate-form").is_visible()
    assert page.locator("#certificate-list-empty").is_visible()
    assert_accessible(page)

    page.locator("label[for=certificate-storage-file]").click()
    page.set_input_files("#certificate-file", str(bundle_file))
    page.locator("#certificate-file-summary", has_text="TANAKA YUKI — valid until").wait_for()
    page.locator("label[for=certificate-remember]").click()
    page.fill("#certificate-password", "not the password")
    page.click("#certificate-sign")
    page.locator("#certificate-message", has_text="The password is not correct").wait_for()
    assert page.url.endswith(reverse("verification:certificate-start"))

    page.fill("#certificate-password", PASSWORD)
    page.click("#certificate-sign")
    page.wait_for_url(lambda url: "/verify/certificate/" not in url)
    assert IdentityCheck.objects.filter(method="certificate", verified_at__isnull=False).count() == 1

    # Next time the certificate is listed in this browser, without the file.
    _real_name_then_certificate(page, TANAKA)
    saved = page.locator("#certificate-list label")
    assert saved.count() == 1 and saved.first.inner_text().startswith("TANAKA YUKI — valid until")
    page.fill("#certificate-password", PASSWORD)
    page.click("#certificate-sign")
    page.wait_for_url(lambda url: "/verify/certificate/" not in url)
    assert IdentityCheck.objects.filter(method="certificate", verified_at__isnull=False).count() == 2
