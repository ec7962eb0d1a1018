"""The code's lifecycle as plain services (DOMAIN.md §2, §3, §5, §7)."""

import datetime
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from issuance import validity
from issuance.codes import validate_code
from issuance.models import (
    ActorType,
    Channel,
    Code,
    CodeEvent,
    CodeStatus,
    ConsentKind,
    CustomsOffice,
    EventKind,
    VerificationMethod,
)
from issuance.selectors import reissues_this_year
from issuance.services import (
    Actor,
    DeliveryAddressInput,
    code_import_legacy,
    code_issue,
    code_look_up,
    code_reinstate,
    code_reissue,
    code_renew,
    code_suspend,
    code_terminate,
    holder_change_details,
    holder_set_sms_consent,
)
from pcc_portal.exceptions import ApplicationError, validation_error_codes
from tests.factories import ONLINE, HolderDetailsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter():
    return Actor(
        channel=Channel.COUNTER,
        actor_type=ActorType.STAFF,
        method=VerificationMethod.PASSPORT,
        office=CustomsOffice.objects.get(code="incheon"),
    )


def _set_expiry(code: Code, days_from_today: int) -> Code:
    Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=days_from_today))
    code.refresh_from_db()
    return code


def _error_code(excinfo) -> str:
    return excinfo.value.code


def test_issue_creates_an_active_code_valid_one_year_with_an_event(issued_code):
    today = timezone.localdate()
    validate_code(issued_code.number)
    assert issued_code.number.startswith(f"P{today:%y}")
    assert issued_code.status == CodeStatus.ACTIVE
    assert issued_code.expires_on == validity.one_year_from(today)
    event = CodeEvent.objects.get(code=issued_code)
    assert (event.kind, event.channel, event.method) == (EventKind.ISSUED, "online", "mobile")


def test_issue_records_consents_with_their_text_version(issued_code):
    consents = {c.kind: c for c in issued_code.holder.consents.all()}
    assert set(consents) == {ConsentKind.DOCUMENT_VIEWING, ConsentKind.SMS_NOTICES}
    assert all(c.text_version == "2025-11-21" and c.withdrawn_at is None for c in consents.values())


def test_issue_refused_without_the_mandatory_consent(details):
    with pytest.raises(ApplicationError) as excinfo:
        code_issue(details=replace(details, document_viewing_consent=False), actor=ONLINE)
    assert _error_code(excinfo) == "PCC_CONSENT_REQUIRED"
    assert excinfo.value.messages()["ko"] != excinfo.value.messages()["en"]
    assert not Code.objects.exists()


def test_second_issue_for_the_same_person_is_refused(issued_code, details):
    with pytest.raises(ApplicationError) as excinfo:
        code_issue(details=replace(details, email="other@example.org"), actor=ONLINE)
    assert _error_code(excinfo) == "PCC_ALREADY_HOLDS_CODE"
    assert Code.objects.count() == 1


def test_former_holder_gets_a_new_number_after_termination(issued_code, details):
    code_terminate(code=issued_code, reason="voluntary", actor=ONLINE)
    again = code_issue(details=details, actor=ONLINE)
    assert again.holder_id == issued_code.holder_id and again.number != issued_code.number


def test_invalid_input_is_refused_with_a_stable_code_and_nothing_saved(details):
    with pytest.raises(ValidationError) as excinfo:
        code_issue(details=replace(details, postcode="1234"), actor=ONLINE)
    assert validation_error_codes(excinfo.value) == ["PCC_POSTCODE_FORMAT"]
    assert not Code.objects.exists()


@pytest.mark.parametrize(("resident_number", "nationality"), [("900101-5123456", "KR"), ("900101-1123456", "VN")])
def test_nationality_must_agree_with_the_registration_number(details, resident_number, nationality):
    with pytest.raises(ApplicationError) as excinfo:
        code_issue(details=replace(details, resident_number=resident_number, nationality=nationality), actor=ONLINE)
    assert _error_code(excinfo) == "PCC_NATIONALITY_MISMATCH"


def test_unknown_nationality_code_is_refused(details):
    with pytest.raises(ValidationError) as excinfo:
        code_issue(details=replace(details, nationality="XX"), actor=ONLINE)
    assert "nationality" in excinfo.value.error_dict


def test_more_than_twenty_delivery_addresses_are_refused(details):
    addresses = tuple(DeliveryAddressInput(address=f"서울 {i}", postcode="04524") for i in range(21))
    with pytest.raises(ApplicationError) as excinfo:
        code_issue(details=replace(details, delivery_addresses=addresses), actor=ONLINE)
    assert _error_code(excinfo) == "PCC_TOO_MANY_DELIVERY_ADDRESSES"
    ok = code_issue(details=replace(details, delivery_addresses=addresses[:20]), actor=ONLINE)
    assert ok.holder.delivery_addresses.count() == 20


def test_passport_code_is_issued_at_the_counter_and_cannot_be_looked_up_online(counter):
    details = HolderDetailsFactory(
        resident_number=None,
        passport_number="m 1234-5678",
        birth_date=datetime.date(1991, 8, 19),
        nationality="gb",
    )
    code = code_issue(details=details, actor=counter)
    assert code.office.code == "incheon" and code.channel == "counter"
    assert code.holder.passport_number == "M12345678" and code.holder.nationality == "GB"
    with pytest.raises(ApplicationError) as excinfo:
        code_look_up(code=code, actor=ONLINE)
    assert _error_code(excinfo) == "PCC_LOOKUP_NOT_ONLINE"
    code_look_up(code=code, actor=counter)
    assert code.events.filter(kind=EventKind.LOOKED_UP).count() == 1


def test_changing_details_extends_validity_one_year_from_today(issued_code, details):
    code = _set_expiry(issued_code, 100)
    changed = holder_change_details(code=code, details=replace(details, email="new@example.org"), actor=ONLINE)
    assert changed.expires_on == validity.one_year_from(timezone.localdate())
    assert changed.holder.email == "new@example.org"
    assert changed.events.filter(kind=EventKind.CHANGED).exists()


def test_renewal_opens_thirty_days_before_expiry(issued_code):
    code = _set_expiry(issued_code, 31)
    with pytest.raises(ApplicationError) as excinfo:
        code_renew(code=code, actor=ONLINE)
    assert _error_code(excinfo) == "PCC_RENEWAL_NOT_OPEN"
    code = _set_expiry(issued_code, 30)
    assert code_renew(code=code, actor=ONLINE).expires_on == validity.one_year_from(timezone.localdate())


def test_expired_code_renews_within_thirty_days_and_not_after(issued_code):
    code = _set_expiry(issued_code, -30)
    Code.objects.filter(pk=code.pk).update(status=CodeStatus.EXPIRED)
    renewed = code_renew(code=code, actor=ONLINE)
    assert renewed.status == CodeStatus.ACTIVE
    code = _set_expiry(renewed, -31)
    with pytest.raises(ApplicationError) as excinfo:
        code_renew(code=code, actor=ONLINE)
    assert _error_code(excinfo) == "PCC_RENEWAL_CLOSED"


def test_reissue_terminates_the_old_code_as_replaced(issued_code):
    new = code_reissue(code=issued_code, reason="lost", actor=ONLINE)
    issued_code.refresh_from_db()
    assert issued_code.status == CodeStatus.TERMINATED and issued_code.termination_reason == "replaced"
    assert issued_code.replaced_by == new and new.status == CodeStatus.ACTIVE
    assert new.events.get(kind=EventKind.REISSUED).detail["reissues_remaining"] == 4


def test_reissue_refused_after_five_in_a_year(issued_code):
    code = issued_code
    for _ in range(5):
        code = code_reissue(code=code, reason="other", actor=ONLINE)
    assert reissues_this_year(holder=code.holder) == 5
    with pytest.raises(ApplicationError) as excinfo:
        code_reissue(code=code, reason="other", actor=ONLINE)
    assert _error_code(excinfo) == "PCC_REISSUE_LIMIT_REACHED"
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE


def test_reissue_needs_a_known_reason(issued_code):
    with pytest.raises(ApplicationError) as excinfo:
        code_reissue(code=issued_code, reason="bored", actor=ONLINE)
    assert _error_code(excinfo) == "PCC_REISSUE_REASON"


def test_theft_report_suspends_at_once_and_reissue_follows(issued_code):
    suspended = code_suspend(code=issued_code, reason="theft_report", actor=ONLINE)
    assert suspended.status == CodeStatus.SUSPENDED and not suspended.is_in_use
    with pytest.raises(ApplicationError) as excinfo:
        code_suspend(code=suspended, reason="theft_report", actor=ONLINE)
    assert _error_code(excinfo) == "PCC_ALREADY_SUSPENDED"
    assert code_reissue(code=suspended, reason="stolen", actor=ONLINE).is_in_use


def test_only_customs_reinstates_and_an_expired_date_stays_expired(issued_code, counter):
    code = code_suspend(code=issued_code, reason="ex_officio", actor=counter)
    with pytest.raises(ApplicationError) as excinfo:
        code_reinstate(code=code, actor=ONLINE)
    assert _error_code(excinfo) == "PCC_REINSTATE_STAFF_ONLY"
    assert code_reinstate(code=code, actor=counter).status == CodeStatus.ACTIVE
    code = code_suspend(code=_set_expiry(code, -1), reason="ex_officio", actor=counter)
    assert code_reinstate(code=code, actor=counter).status == CodeStatus.EXPIRED


def test_voluntary_termination_is_final(issued_code):
    code = code_terminate(code=issued_code, reason="voluntary", actor=ONLINE)
    assert code.status == CodeStatus.TERMINATED and not code.is_in_use
    for action in (
        lambda: code_terminate(code=code, reason="voluntary", actor=ONLINE),
        lambda: code_reissue(code=code, reason="lost", actor=ONLINE),
        lambda: code_renew(code=code, actor=ONLINE),
        lambda: holder_change_details(code=code, details=HolderDetailsFactory(), actor=ONLINE),
    ):
        with pytest.raises(ApplicationError):
            action()


def test_sms_consent_can_be_withdrawn_and_given_again(issued_code):
    assert holder_set_sms_consent(code=issued_code, given=False, actor=ONLINE) is True
    assert holder_set_sms_consent(code=issued_code, given=False, actor=ONLINE) is False
    assert not issued_code.holder.consents.filter(kind="sms_notices", withdrawn_at__isnull=True).exists()
    assert holder_set_sms_consent(code=issued_code, given=True, actor=ONLINE) is True
    assert issued_code.holder.consents.filter(kind="sms_notices").count() == 2


def test_legacy_code_first_expires_on_the_2027_birthday(details):
    code = code_import_legacy(number="P241234567890", details=details, issued_on=datetime.date(2024, 5, 2))
    birth = code.holder.birth_date
    assert code.is_legacy and code.expires_on == datetime.date(2027, birth.month, birth.day)
    with pytest.raises(ApplicationError) as excinfo:
        code_import_legacy(number="P261234567890", details=HolderDetailsFactory(), issued_on=datetime.date(2026, 1, 2))
    assert _error_code(excinfo) == "PCC_LEGACY_DATE"


def test_validity_dates():
    assert validity.one_year_from(datetime.date(2026, 3, 10)) == datetime.date(2027, 3, 10)
    assert validity.one_year_from(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
    assert validity.legacy_first_expiry(datetime.date(1996, 2, 29)) == datetime.date(2027, 2, 28)
    assert validity.renewal_window(datetime.date(2027, 3, 10)) == (
        datetime.date(2027, 2, 8),
        datetime.date(2027, 4, 9),
    )


def test_admin_shows_codes_and_events_read_only(client, issued_code):
    from staff.roles import Role
    from staff.services import staff_account_create, staff_demo_totp_device
    from tests.staff.conftest import STAFF_PASSWORD, sign_in

    administrator = staff_account_create(username="admin.codes", password=STAFF_PASSWORD, role=Role.ADMINISTRATOR)
    staff_demo_totp_device(administrator)
    admin_client = sign_in(client, administrator)
    response = admin_client.get("/admin/issuance/code/", {"q": issued_code.number})
    assert response.status_code == 200 and issued_code.number in response.content.decode()
    event = issued_code.events.get()
    assert admin_client.get(f"/admin/issuance/codeevent/{event.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/issuance/holder/").status_code == 404  # personal data: not in admin


def test_renewable_only_in_use_or_expired_and_inside_the_window(issued_code):
    from issuance.selectors import code_is_renewable

    today = timezone.localdate()
    assert not code_is_renewable(issued_code, today)  # a year ahead: the window is not open
    assert code_is_renewable(_set_expiry(issued_code, 30), today)
    assert not code_is_renewable(_set_expiry(issued_code, -31), today)
    issued_code = _set_expiry(issued_code, 10)
    code_suspend(code=issued_code, reason="theft_report", actor=ONLINE)
    issued_code.refresh_from_db()
    assert not code_is_renewable(issued_code, today)
