"""Counter issuance (issue 5, DOMAIN.md §7): the paper application typed by an officer, the real-name
check for registration cards, passport records refused online, the printed bilingual confirmation,
and an access record for every issuance and every print."""

import html
import re
from unittest import mock

import pytest
from django.utils import timezone

from audit.models import AccessAction, AccessPurpose, AccessRecord
from issuance.demo import DEMO_PEOPLE, demo_data_seed
from issuance.models import Channel, Code, CodeEvent, EventKind, Holder, IdentityDocument, VerificationMethod
from issuance.selectors import holder_find_by_passport, holder_find_by_resident_number
from issuance.services import HolderDetails, code_look_up
from pcc_portal.exceptions import ApplicationError
from staff.counter import code_issue_at_counter
from staff.roles import Role
from staff.services import StaffForbidden
from tests.factories import ONLINE
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db

ISSUE_URL = "/staff/counter/issue/"
TANAKA = next(person for person in DEMO_PEOPLE if person.english_name == "TANAKA YUKI")
PASSPORT = "X98765432"
REGISTRY_NAME_MISMATCH = "The name does not match the registration number."


@pytest.fixture(autouse=True)
def _demo(db, client):
    demo_data_seed()  # the simulated registry's people; TANAKA YUKI has no code yet
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages compared in English (the msgids)


def card_form(**changes) -> dict:
    data = {
        "action": "submit",
        "document": IdentityDocument.RESIDENT_NUMBER,
        "name": TANAKA.name,
        "resident_number": TANAKA.rrn,
        "nationality": TANAKA.nationality,
        "english_name": TANAKA.english_name,
        "address": TANAKA.address,
        "postcode": TANAKA.postcode,
        "telephone": "",
        "mobile_ownership": "own_name",
        "mobile": TANAKA.phone,
        "email": TANAKA.email,
        "language": "en",
        "sms_consent": "on",
        "document_viewing_consent": "on",
        "paper_form_received": "on",
        "delivery-TOTAL_FORMS": "1",
        "delivery-INITIAL_FORMS": "0",
        "delivery-0-address": "서울특별시 강남구 테헤란로 152",
        "delivery-0-postcode": "06236",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def passport_form(**changes) -> dict:
    values = {
        "document": IdentityDocument.PASSPORT,
        "name": "LOPEZ ANA",
        "english_name": "LOPEZ ANA",
        "resident_number": None,
        "passport_number": PASSPORT,
        "nationality": "ES",
        "birth_date": "19950412",
        "email": "ana.lopez@example.com",
        "mobile": "010-3999-1234",
    }
    return card_form(**{**values, **changes})


def passport_details(**changes) -> HolderDetails:
    values = {
        "name": "LOPEZ ANA",
        "english_name": "LOPEZ ANA",
        "nationality": "ES",
        "passport_number": PASSPORT,
        "birth_date": timezone.datetime(1995, 4, 12).date(),
        "address": "서울특별시 중구 세종대로 110",
        "postcode": "04524",
        "email": "ana.lopez@example.com",
        "mobile_ownership": "none",
    }
    values.update(changes)
    return HolderDetails(**values)


def issue_event(code: Code) -> CodeEvent:
    return CodeEvent.objects.get(code=code, kind=EventKind.ISSUED)


# --- Registration card: the real-name check ---------------------------------------------------------


def test_counter_issue_with_registration_card_records_counter_office_officer_and_paper_form(
    officer_client, officer, seoul
):
    response = officer_client.post(ISSUE_URL, card_form())

    assert response.status_code == 302
    holder = holder_find_by_resident_number(TANAKA.rrn)
    code = Code.objects.get(holder=holder)
    assert response.url == f"/staff/counter/codes/{code.pk}/confirmation/"
    assert TANAKA.rrn[:6] not in response.url and code.number not in response.url
    assert (code.channel, code.office) == (Channel.COUNTER, seoul)
    event = issue_event(code)
    assert (event.channel, event.office, event.actor_user) == (Channel.COUNTER, seoul, officer)
    assert event.method == VerificationMethod.ALIEN_REGISTRATION_CARD
    assert event.detail == {"paper_form_received": True}
    assert holder.identity_document == IdentityDocument.RESIDENT_NUMBER
    assert [d.postcode for d in holder.delivery_addresses.all()] == ["06236"]


def test_counter_issue_writes_a_change_access_record_with_the_fields_entered(officer_client, officer):
    officer_client.post(ISSUE_URL, card_form())

    holder = holder_find_by_resident_number(TANAKA.rrn)
    record = AccessRecord.objects.get(holder=holder, action=AccessAction.CHANGE)
    assert record.actor_user == officer
    assert record.purpose == AccessPurpose.COUNTER_REQUEST
    assert (record.record_type, record.record_id) == ("holder", str(holder.pk))
    assert {"name", "resident_number", "english_name", "email", "mobile", "delivery_addresses"} <= set(record.fields)
    assert "passport_number" not in record.fields and "telephone" not in record.fields
    assert record.actor_office == "seoul"


def test_counter_issue_refuses_a_name_the_registry_does_not_match_with_its_message(officer_client):
    response = officer_client.post(ISSUE_URL, card_form(name="TANAKA YUKO"))

    assert response.status_code == 400
    assert REGISTRY_NAME_MISMATCH in response.content.decode()
    assert holder_find_by_resident_number(TANAKA.rrn) is None
    assert not AccessRecord.objects.filter(action=AccessAction.CHANGE).exists()


def test_counter_issue_ignores_spaces_in_the_name_like_the_registry(officer_client):
    response = officer_client.post(ISSUE_URL, card_form(name="TANAKAYUKI"))

    assert response.status_code == 302


def test_identity_theft_protection_blocks_online_checks_but_not_an_officer_holding_the_card(officer_client):
    park = next(person for person in DEMO_PEOPLE if person.identity_theft_protection)
    form = card_form(
        name=park.name,
        resident_number=park.rrn,
        nationality=park.nationality,
        english_name=park.english_name,
        mobile=park.phone,
        email=park.email,
    )

    response = officer_client.post(ISSUE_URL, form)

    assert response.status_code == 302
    assert holder_find_by_resident_number(park.rrn) is not None
    from verification.providers import real_name_registry

    with pytest.raises(ApplicationError) as refused:
        real_name_registry().check(name=park.name, resident_number=park.rrn.replace("-", ""))
    assert refused.value.code == "PCC_REALNAME_THEFT_PROTECTED"


def test_counter_issue_refuses_an_unknown_registration_number(officer_client):
    response = officer_client.post(ISSUE_URL, card_form(resident_number="990101-6000001"))

    assert response.status_code == 400
    assert "No one with this registration number was found." in response.content.decode()


def test_counter_issue_refuses_a_nationality_other_than_the_registrys(officer_client):
    response = officer_client.post(ISSUE_URL, card_form(nationality="VN"))

    assert response.status_code == 400
    assert "does not match the registry" in response.content.decode()
    assert holder_find_by_resident_number(TANAKA.rrn) is None


def test_counter_issue_uses_the_configured_registry_adapter(officer_client):
    with mock.patch("staff.counter.real_name_registry") as registry:
        registry.return_value.check.side_effect = ApplicationError("PCC_REALNAME_UNKNOWN", "Registry says no.")
        response = officer_client.post(ISSUE_URL, card_form())

    assert response.status_code == 400
    assert "Registry says no." in response.content.decode()
    registry.return_value.check.assert_called_once_with(
        name=TANAKA.name, resident_number=TANAKA.rrn.replace("-", ""), in_person=True
    )


# --- Passport: no real-name check, refused online -------------------------------------------------------


def test_counter_issue_with_passport_makes_no_real_name_check_and_flags_the_record(officer_client, officer):
    with mock.patch("staff.counter.real_name_registry") as registry:
        response = officer_client.post(ISSUE_URL, passport_form())

    assert response.status_code == 302
    registry.assert_not_called()
    holder = holder_find_by_passport(passport_number=PASSPORT, nationality="ES")
    assert holder.identity_document == IdentityDocument.PASSPORT
    assert holder.resident_number is None
    assert str(holder.birth_date) == "1995-04-12"
    code = Code.objects.get(holder=holder)
    assert issue_event(code).method == VerificationMethod.PASSPORT
    record = AccessRecord.objects.get(holder=holder, action=AccessAction.CHANGE)
    assert "passport_number" in record.fields and "resident_number" not in record.fields


def test_code_issued_by_passport_at_the_counter_cannot_be_looked_up_online(officer_client):
    officer_client.post(ISSUE_URL, passport_form())
    code = Code.objects.get(holder=holder_find_by_passport(passport_number=PASSPORT, nationality="ES"))

    with pytest.raises(ApplicationError) as refused:
        code_look_up(code=code, actor=ONLINE)

    assert refused.value.code == "PCC_LOOKUP_NOT_ONLINE"


def test_counter_issue_by_passport_needs_the_date_of_birth_and_the_number(officer_client):
    response = officer_client.post(ISSUE_URL, passport_form(birth_date="", passport_number=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert "The date of birth is required with a passport." in page
    assert "Enter the passport number." in page
    assert not Holder.objects.filter(nationality="ES").exists()


# --- Bad input: 400 with messages, never 500 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"document": ""}, "Choose the identity document the applicant showed."),
        ({"document": "driving_licence"}, "Select a valid choice."),
        ({"resident_number": "12345"}, "Enter the 13-digit resident or alien registration number"),
        ({"resident_number": ""}, "Enter the registration number from the card."),
        ({"postcode": "1234"}, "postcode"),
        ({"email": "not-an-email"}, "email"),
        ({"paper_form_received": None}, "Receive the signed paper application before issuing a code"),
        ({"document_viewing_consent": None}, "The applicant's consent to the viewing of documents is required"),
        ({"mobile": ""}, "Enter your mobile number, or choose that you have none in your name."),
        ({"english_name": "田中"}, "Enter the English name in Latin letters"),
        ({"delivery-0-postcode": "x"}, "postcode"),
        ({"delivery-TOTAL_FORMS": "abc"}, "ManagementForm data is missing or has been tampered with"),
    ],
)
def test_bad_counter_input_gives_400_with_a_message(officer_client, changes, message):
    response = officer_client.post(ISSUE_URL, card_form(**changes))

    assert response.status_code == 400
    assert message.lower() in html.unescape(response.content.decode()).lower()
    assert not Code.objects.filter(channel=Channel.COUNTER, office__code="seoul").exists()


def test_empty_counter_form_gives_400_with_an_error_summary(officer_client):
    response = officer_client.post(ISSUE_URL, {"action": "submit"})

    assert response.status_code == 400
    assert 'class="portal-error-summary"' in response.content.decode()


def test_add_address_shows_one_more_row_without_flagging_unfinished_fields(officer_client):
    data = card_form(action="add_address", email="")
    response = officer_client.post(ISSUE_URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="delivery-1-address"' in page
    assert "portal-error-summary" not in page


def test_counter_issue_refuses_a_person_who_already_holds_a_code(officer_client):
    nguyen = next(person for person in DEMO_PEOPLE if person.english_name == "NGUYEN VAN AN")
    data = card_form(name=nguyen.name, resident_number=nguyen.rrn, nationality=nguyen.nationality)

    response = officer_client.post(ISSUE_URL, data)

    assert response.status_code == 400
    assert "already have a Personal Customs Code" in response.content.decode()


# --- Who may issue -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_auditors_and_administrators_get_403_on_counter_pages(client, make_staff, role, officer):
    code = code_issue_at_counter(
        officer_user=officer,
        details=passport_details(),
        document=IdentityDocument.PASSPORT,
        paper_form_received=True,
        ip_address=None,
    )
    sign_in(client, make_staff(role))

    assert client.get(ISSUE_URL).status_code == 403
    assert client.post(ISSUE_URL, passport_form(passport_number="Y1234567")).status_code == 403
    assert client.get(f"/staff/counter/codes/{code.pk}/confirmation/").status_code == 403
    assert not AccessRecord.objects.filter(action=AccessAction.PRINT).exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_the_counter_service_refuses_auditors_and_administrators(make_staff, role):
    with pytest.raises(StaffForbidden):
        code_issue_at_counter(
            officer_user=make_staff(role),
            details=passport_details(),
            document=IdentityDocument.PASSPORT,
            paper_form_received=True,
            ip_address=None,
        )
    assert not Holder.objects.filter(nationality="ES").exists()


def test_the_counter_service_refuses_without_the_paper_form(officer):
    with pytest.raises(ApplicationError) as refused:
        code_issue_at_counter(
            officer_user=officer,
            details=passport_details(),
            document=IdentityDocument.PASSPORT,
            paper_form_received=False,
            ip_address=None,
        )
    assert refused.value.code == "PCC_PAPER_FORM_REQUIRED"


def test_the_counter_service_refuses_a_document_that_does_not_match_the_details(officer):
    with pytest.raises(ApplicationError) as refused:
        code_issue_at_counter(
            officer_user=officer,
            details=passport_details(),
            document=IdentityDocument.RESIDENT_NUMBER,
            paper_form_received=True,
            ip_address=None,
        )
    assert refused.value.code == "PCC_IDENTITY_DOCUMENT_MISMATCH"


def test_signed_out_visitors_are_sent_to_the_staff_sign_in(client):
    response = client.get(ISSUE_URL)

    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")


# --- The printed confirmation ------------------------------------------------------------------------------


def _issue_by_passport(client) -> Code:
    client.post(ISSUE_URL, passport_form())
    return Code.objects.get(holder=holder_find_by_passport(passport_number=PASSPORT, nationality="ES"))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_confirmation_is_in_korean_and_english_whatever_the_page_language(officer_client, language):
    code = _issue_by_passport(officer_client)
    officer_client.cookies["django_language"] = language

    response = officer_client.get(f"/staff/counter/codes/{code.pk}/confirmation/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert '<section class="staff-confirmation-side" lang="ko"' in page
    assert '<section class="staff-confirmation-side" lang="en"' in page
    # One known catalogue entry on each side: the passport note, in Korean and in English.
    assert "여권을 가지고 세관을 방문해 주세요" in page
    assert "Please visit a customs office with your passport." in page
    assert "서울본부세관" in page and "Seoul Main Customs" in page


def test_confirmation_shows_the_full_code_and_a_masked_identity(officer_client):
    code = _issue_by_passport(officer_client)

    page = officer_client.get(f"/staff/counter/codes/{code.pk}/confirmation/").content.decode()

    assert re.search(r'id="confirmation-code">P[0-9]{12}<', page)
    assert code.number in page
    assert PASSPORT not in page
    assert "X987*****" in page
    assert "LOPEZ ANA" not in page
    assert "LO*****NA" in page
    assert timezone.localdate().isoformat() in page
    assert 'href="/static/css/staff-print.css' in page
    assert 'src="/static/js/staff-print.js' in page


def test_confirmation_of_a_registration_card_shows_the_masked_registration_number(officer_client):
    officer_client.post(ISSUE_URL, card_form())
    code = Code.objects.get(holder=holder_find_by_resident_number(TANAKA.rrn))

    page = officer_client.get(f"/staff/counter/codes/{code.pk}/confirmation/").content.decode()

    assert "980923-6******" in page
    assert TANAKA.rrn not in page and TANAKA.rrn.replace("-", "") not in page


def test_viewing_the_confirmation_writes_a_print_access_record(officer_client, officer):
    code = _issue_by_passport(officer_client)

    officer_client.get(f"/staff/counter/codes/{code.pk}/confirmation/")

    record = AccessRecord.objects.get(action=AccessAction.PRINT)
    assert (record.actor_user, record.purpose, record.holder_id) == (
        officer,
        AccessPurpose.COUNTER_REQUEST,
        code.holder_id,
    )
    assert (record.record_type, record.record_id) == ("holder", str(code.holder_id))
    assert {"code", "name", "passport_number"} <= set(record.fields)
    assert "resident_number" not in record.fields


def test_officer_of_incheon_cannot_open_seouls_confirmation(officer_client, client, make_staff, incheon):
    code = _issue_by_passport(officer_client)
    other = make_staff(Role.COUNTER_OFFICER, incheon, "officer.test.incheon")
    officer_client.logout()
    sign_in(client, other)

    response = client.get(f"/staff/counter/codes/{code.pk}/confirmation/")

    assert response.status_code == 403
    assert not AccessRecord.objects.filter(action=AccessAction.PRINT).exists()


def test_supervisor_of_the_same_office_can_open_the_confirmation(officer_client, client, supervisor):
    code = _issue_by_passport(officer_client)
    officer_client.logout()
    sign_in(client, supervisor)

    assert client.get(f"/staff/counter/codes/{code.pk}/confirmation/").status_code == 200


def test_confirmation_of_an_online_code_or_an_unknown_id_is_not_found(officer_client, issued_code):
    assert officer_client.get(f"/staff/counter/codes/{issued_code.pk}/confirmation/").status_code == 404
    assert officer_client.get("/staff/counter/codes/999999/confirmation/").status_code == 404
