"""The administrator's review in a real browser (issue 5, "Done when"): find the event of a code issued
at the counter, see its history, chart it on the dashboard, export it with a reason, and see the access
records of everyone who looked at that person. Every page passes axe-core."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from audit.models import AccessAction, AccessRecord
from issuance.codes import mask_code
from issuance.demo import DEMO_PASSPORT_HOLDER, DEMO_STAFF_PASSWORD
from issuance.models import Code, IdentityDocument
from issuance.selectors import holder_find_by_passport
from tests.browser.steps import Audit, choose, seed, submit
from tests.staff.conftest import current_totp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _sign_in(page, audit: Audit, username: str) -> None:
    page.goto("/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_STAFF_PASSWORD)
    submit(page)
    page.locator("#id_token").fill(current_totp(get_user_model().objects.get(username=username)))
    submit(page)
    expect(page).to_have_url(re.compile(r".*/staff/$"))
    audit.check(page, f"staff home of {username}")


def _officer_looks_up_the_passport_holder(page, audit: Audit) -> None:
    page.goto("/staff/people/")
    choose(page, "purpose", "counter_request")
    page.locator("#id_passport_number").fill(DEMO_PASSPORT_HOLDER["passport_number"])
    page.locator("#id_nationality").select_option(DEMO_PASSPORT_HOLDER["nationality"])
    submit(page)
    expect(page).to_have_url(re.compile(r".*/staff/people/[0-9a-f-]{36}/$"))
    audit.check(page, "person detail")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_administrator_finds_charts_exports_and_sees_who_looked_at_the_person(open_page, audit, language):
    seed()
    holder = holder_find_by_passport(
        passport_number=DEMO_PASSPORT_HOLDER["passport_number"], nationality=DEMO_PASSPORT_HOLDER["nationality"]
    )
    assert holder.identity_document == IdentityDocument.PASSPORT
    code = Code.objects.get(holder=holder)

    officer_page = open_page(language=language)
    audit.watch(officer_page)
    _sign_in(officer_page, audit, "officer.incheon")
    _officer_looks_up_the_passport_holder(officer_page, audit)

    page = open_page(language=language)
    audit.watch(page)
    _sign_in(page, audit, "admin")

    # Find the event: the code search goes by POST, so the code never sits in an address.
    page.goto("/staff/review/events/?channel=counter")
    audit.check(page, "issuance log")
    expect(page.locator("main table")).to_contain_text(mask_code(code.number))
    page.locator("#id_code").fill(code.number)
    page.locator("#id_code").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf".*/staff/review/codes/{code.pk}/$"))
    assert code.number not in page.url
    audit.check(page, "code history")

    # Everyone who looked at that person, from the code's history.
    page.locator(f"main a[href$='?holder={holder.pk}']").click()
    expect(page).to_have_url(re.compile(rf".*/staff/access-records/\?holder={holder.pk}$"))
    audit.check(page, "access records of the holder")
    expect(page.locator("main table")).to_contain_text("officer.incheon")
    expect(page.locator("main table")).to_contain_text("admin")

    # Chart it: the dashboard draws SVG charts with their numbers in tables.
    page.goto("/staff/review/dashboard/")
    audit.check(page, "dashboard")
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    assert page.locator("main table").count() >= 5

    # Export it, with a reason; the download is a CSV without the full code.
    page.goto("/staff/review/events/export/?channel=counter")
    audit.check(page, "export")
    page.locator("#id_reason").fill("Quarterly review of counter issuance")
    with page.expect_download() as download_info:
        submit(page)
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert mask_code(code.number) in content and code.number not in content
    assert AccessRecord.objects.filter(
        actor_username="admin", action=AccessAction.DOWNLOAD, reason="Quarterly review of counter issuance"
    ).exists()
    audit.assert_clean()
