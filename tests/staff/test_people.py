"""Staff look-up of a person and the actions on their code (issue 5): a purpose is required, identifiers
never travel in URLs, identifiers are masked on the page, every view and change leaves an access record
with the right user, purpose, fields and holder, and reinstating or terminating is a supervisor's."""

import html

import pytest

from audit.models import AccessAction, AccessPurpose, AccessRecord
from issuance.demo import DEMO_PASSPORT_HOLDER, DEMO_PEOPLE, demo_data_seed
from issuance.models import Channel, Code, CodeEvent, CodeStatus, EventKind, SuspensionReason, TerminationReason
from issuance.selectors import code_current_for_holder, holder_find_by_resident_number
from pcc_portal.exceptions import ApplicationError
from staff.counter import code_reinstate_at_counter, code_suspend_ex_officio, code_terminate_ex_officio
from staff.roles import Role
from staff.services import StaffForbidden
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db

SEARCH_URL = "/staff/people/"
PEOPLE = {person.english_name: person for person in DEMO_PEOPLE}
NGUYEN = PEOPLE["NGUYEN VAN AN"]  # active code, issued online
SMITH = PEOPLE["SMITH JOHN"]  # suspended after a theft report


@pytest.fixture(autouse=True)
def _demo(db, client):
    demo_data_seed()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages compared in English (the msgids)


def holder_of(person):
    return holder_find_by_resident_number(person.rrn)


def search(client, purpose=AccessPurpose.COUNTER_REQUEST, **identifier):
    return client.post(SEARCH_URL, {"purpose": purpose, **identifier})


def open_person(client, person, purpose=AccessPurpose.COUNTER_REQUEST):
    """Search by registration number; returns the detail page's URL."""
    response = search(client, purpose, resident_number=person.rrn)
    assert response.status_code == 302, response.content[:300]
    return response.url


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def records(**filters):
    return AccessRecord.objects.filter(**filters).order_by("sequence")


# --- Searching ---------------------------------------------------------------------------------------------


def test_search_by_registration_number_redirects_to_the_record_id_not_the_number(officer_client):
    holder = holder_of(NGUYEN)

    response = search(officer_client, resident_number=NGUYEN.rrn)

    assert response.status_code == 302
    assert response.url == f"/staff/people/{holder.pk}/"
    digits = NGUYEN.rrn.replace("-", "")
    assert digits[:6] not in response.url and digits not in response.url
    assert officer_client.session["staff_purpose"] == {str(holder.pk): AccessPurpose.COUNTER_REQUEST}


def test_search_by_code_finds_the_holder(officer_client):
    holder = holder_of(NGUYEN)
    code = code_current_for_holder(holder)

    response = search(officer_client, AccessPurpose.CORRECTION, code=code.number.lower())

    assert response.url == f"/staff/people/{holder.pk}/"
    assert code.number not in response.url


def test_search_by_passport_needs_the_nationality_and_then_finds_the_holder(officer_client):
    number = DEMO_PASSPORT_HOLDER["passport_number"]

    without = search(officer_client, passport_number=number)
    found = search(officer_client, passport_number=number, nationality=DEMO_PASSPORT_HOLDER["nationality"])

    assert without.status_code == 400
    assert "Choose the nationality of the passport." in page_text(without)
    assert found.status_code == 302
    assert number not in found.url


def test_search_form_is_a_post_so_identifiers_stay_out_of_the_url(officer_client):
    page = officer_client.get(SEARCH_URL)

    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    response = officer_client.get(SEARCH_URL, {"purpose": AccessPurpose.CORRECTION, "resident_number": NGUYEN.rrn})
    assert response.status_code == 200
    assert "staff_purpose" not in officer_client.session


def test_a_search_without_a_purpose_is_refused(officer_client):
    response = officer_client.post(SEARCH_URL, {"resident_number": NGUYEN.rrn})

    assert response.status_code == 400
    assert "Choose why you are opening this person's record." in page_text(response)


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ({}, "Enter a code, a registration number, or a passport number."),
        ({"code": "P26", "resident_number": ""}, "A personal customs code is the letter P followed by 12 digits"),
        ({"resident_number": "123"}, "Enter the 13-digit resident or alien registration number"),
        ({"passport_number": "$$"}, "A passport number has 5 to 20 letters"),
        ({"code": "P261234567895", "resident_number": NGUYEN.rrn}, "Search by one identifier at a time."),
        ({"purpose": "curiosity", "resident_number": NGUYEN.rrn}, "Select a valid choice."),
    ],
)
def test_bad_search_input_gives_400_with_a_message(officer_client, identifier, message):
    data = {"purpose": AccessPurpose.COUNTER_REQUEST, **identifier}

    response = officer_client.post(SEARCH_URL, data)

    assert response.status_code == 400
    assert message in page_text(response)


def test_nobody_found_is_said_clearly_without_an_error(officer_client):
    response = search(officer_client, resident_number="990101-5000001")

    assert response.status_code == 200
    assert "No one was found" in page_text(response)
    assert not AccessRecord.objects.exists()


def test_nobody_found_is_said_in_korean_too(officer_client):
    officer_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"

    response = search(officer_client, code="P261234567895")

    assert response.status_code == 200
    assert '<html lang="ko">' in response.content.decode()
    assert 'id="not-found"' in response.content.decode()


# --- The person's page -------------------------------------------------------------------------------------


def test_the_detail_page_needs_a_purpose_chosen_in_this_session(officer_client):
    holder = holder_of(NGUYEN)

    response = officer_client.get(f"/staff/people/{holder.pk}/")

    assert response.status_code == 302
    assert response.url == SEARCH_URL
    assert not AccessRecord.objects.exists()


def test_a_purpose_opens_only_the_person_it_was_chosen_for(officer_client):
    open_person(officer_client, NGUYEN)
    other = holder_of(SMITH)

    response = officer_client.get(f"/staff/people/{other.pk}/")

    assert response.status_code == 302 and response.url == SEARCH_URL


def test_the_detail_page_masks_identifiers_and_contact_details(officer_client):
    url = open_person(officer_client, NGUYEN)

    response = officer_client.get(url)

    assert response.status_code == 200
    page = page_text(response)
    digits = NGUYEN.rrn.replace("-", "")
    assert NGUYEN.rrn not in page and digits not in page
    assert "900101-5******" in page
    assert NGUYEN.email not in page and "an***@example.com" in page
    assert "2000-0001" not in page and "010-****-0001" in page
    assert NGUYEN.address not in page
    assert NGUYEN.name in page  # the name and English name are shown
    assert code_current_for_holder(holder_of(NGUYEN)).number in page  # told to the person at the counter
    assert "Issued" in page  # the history


def test_the_detail_page_of_a_passport_holder_masks_the_passport_number(officer_client):
    response = search(
        officer_client,
        passport_number=DEMO_PASSPORT_HOLDER["passport_number"],
        nationality=DEMO_PASSPORT_HOLDER["nationality"],
    )

    page = page_text(officer_client.get(response.url))

    assert DEMO_PASSPORT_HOLDER["passport_number"] not in page
    assert "GB12*****" in page
    assert "no real-name check; online look-up refused" in page


def test_viewing_the_detail_page_writes_a_view_access_record(officer_client, officer):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN, AccessPurpose.MISUSE_INVESTIGATION)

    officer_client.get(url)

    record = records(action=AccessAction.VIEW).get()
    assert record.actor_user == officer
    assert record.purpose == AccessPurpose.MISUSE_INVESTIGATION
    assert (record.record_type, record.record_id, record.holder_id) == ("holder", str(holder.pk), holder.pk)
    assert {"name", "resident_number", "email", "mobile", "code", "events"} <= set(record.fields)
    assert "passport_number" not in record.fields
    assert record.actor_office == "seoul"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_auditors_and_administrators_cannot_look_people_up(client, make_staff, role):
    sign_in(client, make_staff(role))
    holder = holder_of(NGUYEN)

    assert client.get(SEARCH_URL).status_code == 403
    assert search(client, resident_number=NGUYEN.rrn).status_code == 403
    assert client.get(f"/staff/people/{holder.pk}/").status_code == 403
    assert not AccessRecord.objects.exists()


def test_an_auditor_cannot_change_anything_even_with_a_purpose_in_the_session(client, auditor):
    sign_in(client, auditor)
    holder = holder_of(NGUYEN)
    session = client.session
    session["staff_purpose"] = {str(holder.pk): AccessPurpose.COUNTER_REQUEST}
    session.save()

    for action, data in [
        ("change", {"action": "submit"}),
        ("reissue", {"reissue-reason": "lost"}),
        ("suspend", {"suspend-grounds": "misuse_suspected"}),
        ("reinstate", {}),
        ("terminate", {"terminate-grounds": "other", "terminate-confirm": "on"}),
    ]:
        assert client.post(f"/staff/people/{holder.pk}/{action}/", data).status_code == 403, action
    assert code_current_for_holder(holder).status == CodeStatus.ACTIVE
    assert not AccessRecord.objects.exists()


# --- Change details ----------------------------------------------------------------------------------------


def test_the_change_form_is_prefilled_and_its_showing_is_recorded(officer_client, officer):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN, AccessPurpose.CORRECTION)

    response = officer_client.get(f"{url}change/")

    assert response.status_code == 200
    assert NGUYEN.email in page_text(response)
    record = records(action=AccessAction.VIEW).get()
    assert (record.actor_user, record.purpose, record.holder_id) == (officer, AccessPurpose.CORRECTION, holder.pk)
    assert {"email", "mobile", "address", "delivery_addresses"} <= set(record.fields)


def _change_data(holder, **changes) -> dict:
    data = {
        "action": "submit",
        "english_name": holder.english_name,
        "address": holder.address,
        "postcode": holder.postcode,
        "telephone": "",
        "email": "new.address@example.com",
        "mobile_ownership": "own_name",
        "mobile": holder.mobile,
        "language": "en",
        "delivery-TOTAL_FORMS": "0",
        "delivery-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_changing_details_goes_through_the_service_as_the_officers_office_and_is_recorded(officer_client, officer):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN, AccessPurpose.CORRECTION)

    response = officer_client.post(f"{url}change/", _change_data(holder))

    assert response.status_code == 302 and response.url == url
    holder.refresh_from_db()
    assert holder.email == "new.address@example.com"
    event = CodeEvent.objects.filter(holder=holder, kind=EventKind.CHANGED).get()
    assert (event.channel, event.office.code, event.actor_user) == (Channel.COUNTER, "seoul", officer)
    record = records(action=AccessAction.CHANGE).get()
    assert (record.actor_user, record.purpose, record.holder_id) == (officer, AccessPurpose.CORRECTION, holder.pk)
    assert "email" in record.fields and "name" not in record.fields


def test_bad_changes_give_400_with_messages(officer_client):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN)

    response = officer_client.post(f"{url}change/", _change_data(holder, email="nope", postcode="1"))

    assert response.status_code == 400
    assert "portal-error-summary" in response.content.decode()
    holder.refresh_from_db()
    assert holder.email == NGUYEN.email
    assert not records(action=AccessAction.CHANGE).exists()


# --- Reissue, suspend --------------------------------------------------------------------------------------


def test_reissue_at_the_counter_issues_a_new_code_and_is_recorded(officer_client, officer):
    holder = holder_of(NGUYEN)
    old = code_current_for_holder(holder)
    url = open_person(officer_client, NGUYEN)

    response = officer_client.post(f"{url}reissue/", {"reissue-reason": "lost"})

    assert response.status_code == 302 and response.url == url
    new = code_current_for_holder(holder)
    assert new.pk != old.pk and new.office.code == "seoul" and new.channel == Channel.COUNTER
    event = CodeEvent.objects.get(code=new, kind=EventKind.REISSUED)
    assert (event.actor_user, event.reason) == (officer, "lost")
    record = records(action=AccessAction.CHANGE).get()
    assert (record.actor_user, record.purpose, record.holder_id) == (officer, AccessPurpose.COUNTER_REQUEST, holder.pk)
    assert "code" in record.fields


def test_reissue_without_a_reason_gives_400(officer_client):
    url = open_person(officer_client, NGUYEN)

    response = officer_client.post(f"{url}reissue/", {"reissue-reason": "bored"})

    assert response.status_code == 400
    assert "Select a valid choice." in page_text(response)


def test_an_officer_of_another_office_acts_as_their_own_office(client, make_staff, incheon):
    sign_in(client, make_staff(Role.COUNTER_OFFICER, incheon, "officer.test.incheon"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    holder = holder_of(NGUYEN)
    url = open_person(client, NGUYEN)

    client.post(f"{url}reissue/", {"reissue-reason": "stolen"})

    new = code_current_for_holder(holder)
    assert new.office == incheon
    assert CodeEvent.objects.get(code=new, kind=EventKind.REISSUED).office == incheon


def test_suspension_ex_officio_stores_the_grounds_and_is_recorded(officer_client, officer):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN, AccessPurpose.MISUSE_INVESTIGATION)

    response = officer_client.post(f"{url}suspend/", {"suspend-grounds": "misuse_suspected"})

    assert response.status_code == 302
    code = code_current_for_holder(holder)
    assert (code.status, code.suspension_reason) == (CodeStatus.SUSPENDED, SuspensionReason.EX_OFFICIO)
    event = CodeEvent.objects.get(code=code, kind=EventKind.SUSPENDED)
    assert event.detail == {"grounds": "misuse_suspected"}
    assert (event.actor_user, event.channel, event.office.code) == (officer, Channel.COUNTER, "seoul")
    record = records(action=AccessAction.CHANGE).get()
    assert (record.purpose, record.fields, record.holder_id) == (
        AccessPurpose.MISUSE_INVESTIGATION,
        ["status"],
        holder.pk,
    )
    page = page_text(officer_client.get(url))
    assert "Misuse suspected" in page  # the grounds in the history


def test_suspension_without_grounds_gives_400_and_changes_nothing(officer_client):
    holder = holder_of(NGUYEN)
    url = open_person(officer_client, NGUYEN)

    response = officer_client.post(f"{url}suspend/", {})

    assert response.status_code == 400
    assert "Choose the grounds for this decision." in page_text(response)
    assert code_current_for_holder(holder).status == CodeStatus.ACTIVE


def test_suspending_a_suspended_code_gives_400_with_the_services_message(officer_client):
    url = open_person(officer_client, SMITH)

    response = officer_client.post(f"{url}suspend/", {"suspend-grounds": "other"})

    assert response.status_code == 400
    assert "This code is already suspended." in page_text(response)


# --- Reinstate and terminate: supervisors only -------------------------------------------------------------


def test_officers_cannot_reinstate_or_terminate(officer_client, officer):
    holder = holder_of(SMITH)
    url = open_person(officer_client, SMITH)

    assert officer_client.post(f"{url}reinstate/").status_code == 403
    terminate = {"terminate-grounds": "other", "terminate-confirm": "on"}
    assert officer_client.post(f"{url}terminate/", terminate).status_code == 403
    assert code_current_for_holder(holder).status == CodeStatus.SUSPENDED
    page = page_text(officer_client.get(url))
    assert "Lift the suspension" not in page and "Terminate the code" not in page
    with pytest.raises(StaffForbidden):
        code_reinstate_at_counter(user=officer, holder=holder, purpose=AccessPurpose.COUNTER_REQUEST, ip_address=None)
    with pytest.raises(StaffForbidden):
        code_terminate_ex_officio(
            user=officer,
            holder=holder,
            grounds="other",
            confirmed=True,
            purpose=AccessPurpose.COUNTER_REQUEST,
            ip_address=None,
        )


def test_a_supervisor_reinstates_a_suspended_code(supervisor_client, supervisor):
    holder = holder_of(SMITH)
    url = open_person(supervisor_client, SMITH)

    response = supervisor_client.post(f"{url}reinstate/")

    assert response.status_code == 302
    assert code_current_for_holder(holder).status == CodeStatus.ACTIVE
    event = CodeEvent.objects.filter(holder=holder, kind=EventKind.REINSTATED).get()
    assert event.actor_user == supervisor
    record = records(action=AccessAction.CHANGE).get()
    assert (record.actor_user, record.holder_id, record.fields) == (supervisor, holder.pk, ["status"])


def test_reinstating_a_code_in_use_gives_400_with_the_services_message(supervisor_client):
    url = open_person(supervisor_client, NGUYEN)

    response = supervisor_client.post(f"{url}reinstate/")

    assert response.status_code == 400
    assert "Only a suspended code can be reinstated." in page_text(response)


def test_a_supervisor_terminates_only_with_the_confirmation_and_grounds(supervisor_client, supervisor):
    holder = holder_of(NGUYEN)
    url = open_person(supervisor_client, NGUYEN, AccessPurpose.DATA_SUBJECT_REQUEST)

    unconfirmed = supervisor_client.post(f"{url}terminate/", {"terminate-grounds": "holder_request"})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in page_text(unconfirmed)
    assert code_current_for_holder(holder).status == CodeStatus.ACTIVE

    response = supervisor_client.post(
        f"{url}terminate/", {"terminate-grounds": "holder_request", "terminate-confirm": "on"}
    )

    assert response.status_code == 302
    code = Code.objects.get(holder=holder)
    assert (code.status, code.termination_reason) == (CodeStatus.TERMINATED, TerminationReason.EX_OFFICIO)
    event = CodeEvent.objects.get(code=code, kind=EventKind.TERMINATED)
    assert event.detail == {"grounds": "holder_request"} and event.actor_user == supervisor
    record = records(action=AccessAction.CHANGE).get()
    assert (record.purpose, record.holder_id) == (AccessPurpose.DATA_SUBJECT_REQUEST, holder.pk)


def test_the_services_refuse_unknown_purposes_and_grounds(supervisor):
    holder = holder_of(NGUYEN)

    with pytest.raises(ApplicationError) as no_purpose:
        code_suspend_ex_officio(user=supervisor, holder=holder, grounds="other", purpose="audit", ip_address=None)
    with pytest.raises(ApplicationError) as no_grounds:
        code_suspend_ex_officio(
            user=supervisor, holder=holder, grounds="whim", purpose=AccessPurpose.COUNTER_REQUEST, ip_address=None
        )

    assert no_purpose.value.code == "PCC_STAFF_PURPOSE_REQUIRED"
    assert no_grounds.value.code == "PCC_STAFF_GROUNDS_REQUIRED"
    assert code_current_for_holder(holder).status == CodeStatus.ACTIVE


def test_every_staff_view_of_a_person_leaves_a_record_in_order(supervisor_client, supervisor):
    """Detail page, change form, each action, and the page shown after it: one record each."""
    holder = holder_of(NGUYEN)
    url = open_person(supervisor_client, NGUYEN)

    supervisor_client.get(url)
    supervisor_client.get(f"{url}change/")
    supervisor_client.post(f"{url}suspend/", {"suspend-grounds": "investigation_request"})
    supervisor_client.post(f"{url}reinstate/")

    trail = [(r.action, r.actor_user_id, r.holder_id, r.purpose) for r in records()]
    expected = [AccessAction.VIEW, AccessAction.VIEW, AccessAction.CHANGE, AccessAction.CHANGE]
    assert [action for action, *_rest in trail] == expected
    assert {(user, person, purpose) for _action, user, person, purpose in trail} == {
        (supervisor.pk, holder.pk, AccessPurpose.COUNTER_REQUEST)
    }
