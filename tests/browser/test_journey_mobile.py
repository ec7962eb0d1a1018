"""New issue by mobile phone (SMS) in a real browser, as a newcomer does it with the demo data: home →
New issue → real-name check → methods → mobile → KMC-style form → code read on the simulated phone →
application with a delivery address → the code. Korean and English, desktop and 375 px phone."""

import pytest
from django.utils import timezone

from issuance.models import CodeEvent, CodeStatus, ConsentKind
from issuance.selectors import code_current_for_holder, holder_find_by_resident_number
from issuance.validity import one_year_from
from personal_data.contact import normalise_phone
from tests.browser.steps import (
    APPLICATION,
    TANAKA,
    application_form,
    apply_and_read_code,
    expect_valid_until,
    home_to_real_name,
    seed,
    verify_by_sms,
)
from verification.models import IdentityCheck, MobileChallenge

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_new_issue_by_sms_end_to_end(open_page, audit, language, viewport):
    seed()
    page = open_page(language=language, viewport=viewport)
    audit.watch(page)

    home_to_real_name(page, audit, language, "new")
    verify_by_sms(page, audit, language, TANAKA)
    application_form(page, audit, language, TANAKA)
    number = apply_and_read_code(page, audit, language)

    holder = holder_find_by_resident_number(TANAKA.rrn)
    code = code_current_for_holder(holder)
    assert code.number == number and code.status == CodeStatus.ACTIVE
    assert code.expires_on == one_year_from(timezone.localdate(code.issued_at))
    expect_valid_until(page, language, code.expires_on)
    assert (holder.english_name, str(holder.nationality)) == (TANAKA.english_name, TANAKA.nationality)
    assert (holder.address, holder.postcode, holder.email) == (
        APPLICATION["address"],
        APPLICATION["postcode"],
        APPLICATION["email"],
    )
    assert holder.mobile == normalise_phone(TANAKA.phone) and holder.language == language
    assert [(d.address, d.postcode) for d in holder.delivery_addresses.all()] == [
        (APPLICATION["delivery_address"], APPLICATION["delivery_postcode"])
    ]
    given = set(holder.consents.filter(withdrawn_at__isnull=True).values_list("kind", flat=True))
    assert given == {ConsentKind.DOCUMENT_VIEWING, ConsentKind.SMS_NOTICES}
    issued = CodeEvent.objects.get(code=code, kind="issued")
    assert (issued.channel, issued.actor_type, issued.method) == ("online", "holder", "mobile")
    check = IdentityCheck.objects.get()
    assert check.method == "mobile" and check.verified_at is not None and check.consumed_at is not None
    assert MobileChallenge.objects.get().confirmed_at is not None

    audit.assert_clean()
