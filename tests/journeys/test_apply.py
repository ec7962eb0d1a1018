"""New issue online (issue 4, journey 1): verification → application form → code shown."""

import pytest

from issuance.models import Code, CodeEvent, Holder
from personal_data.blind_index import blind_index_of

pytestmark = pytest.mark.django_db

APPLY = "/apply/"


def _form(**overrides) -> dict:
    data = {
        "english_name": "TANAKA YUKI",
        "nationality": "JP",
        "address": "서울특별시 종로구 세종대로 175 101호",
        "postcode": "03172",
        "telephone": "",
        "email": "yuki@example.org",
        "mobile_ownership": "own_name",
        "mobile": "010-2000-0006",
        "mobile_code": "",
        "document_viewing_consent": "on",
        "sms_consent": "on",
        "delivery-TOTAL_FORMS": "1",
        "delivery-INITIAL_FORMS": "0",
        "delivery-MIN_NUM_FORMS": "0",
        "delivery-MAX_NUM_FORMS": "20",
        "delivery-0-address": "부산광역시 해운대구 해운대해변로 264",
        "delivery-0-postcode": "48099",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_verified_person_applies_and_sees_the_new_code(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    page = client.get(APPLY)
    assert page.status_code == 200 and "980923-6******" in page.content.decode()
    response = client.post(APPLY, _form())
    assert response.status_code == 302 and response["Location"] == "/apply/done/"
    done = client.get("/apply/done/").content.decode()
    holder = Holder.objects.get(resident_number_index=blind_index_of("resident_number", "980923-6678901"))
    code = Code.objects.get(holder=holder)
    assert code.number in done
    assert holder.delivery_addresses.get().postcode == "48099"
    event = CodeEvent.objects.get(code=code, kind="issued")
    assert (event.channel, event.method, event.actor_type) == ("online", "mobile", "holder")


def test_missing_mandatory_consent_is_explained_and_nothing_is_issued(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    response = client.post(APPLY, _form(document_viewing_consent=""))
    assert response.status_code == 400
    assert "This consent is required to apply." in response.content.decode()
    assert 'value="yuki@example.org"' in response.content.decode()  # nothing typed is lost
    assert not Holder.objects.filter(resident_number_index=blind_index_of("resident_number", "980923-6678901"))


def test_bad_postcode_and_phone_get_clear_messages(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    response = client.post(APPLY, _form(postcode="123-456", mobile="02-123-4567"))
    text = response.content.decode()
    assert response.status_code == 400
    assert "5 digits since August 2015" in text
    assert "not a mobile phone number" in text


def test_another_mobile_number_must_be_confirmed_by_code(client, demo, verify, django_capture_on_commit_callbacks):
    verify(demo["TANAKA YUKI"], purpose="new", method="certificate", phone=None)
    response = client.post(APPLY, _form())
    assert response.status_code == 400
    assert "Send code" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(APPLY, _form(action="send_code"))
    from verification.models import SimulatedPhoneMessage

    body = SimulatedPhoneMessage.objects.order_by("-received_at").first().body
    code = "".join(ch for ch in body if ch.isdigit())[:6]
    assert client.post(APPLY, _form(mobile_code="000000" if code != "000000" else "111111")).status_code == 400
    response = client.post(APPLY, _form(mobile_code=code))
    assert response.status_code == 302


def test_someone_who_holds_a_code_is_taken_to_look_up(client, demo, verify):
    verify(demo["NGUYEN VAN AN"], purpose="new")
    response = client.get(APPLY)
    assert response.status_code == 302 and response["Location"] == "/my-code/"
    assert "P26" in client.get("/my-code/").content.decode()


def test_duplicate_application_in_two_tabs_issues_one_code(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    client.get(APPLY)
    assert client.post(APPLY, _form()).status_code == 302
    second = client.post(APPLY, _form())  # the other tab submits the same form
    assert second.status_code in (302, 400)
    holder = Holder.objects.get(resident_number_index=blind_index_of("resident_number", "980923-6678901"))
    assert Code.objects.filter(holder=holder).count() == 1


def test_apply_without_verification_asks_to_start_again(client, demo):
    response = client.get(APPLY)
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()


def test_delivery_address_rows_are_added_without_javascript(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    response = client.post(APPLY, _form(action="add_address"))
    assert response.status_code == 200
    assert 'name="delivery-1-address"' in response.content.decode()
    assert 'value="부산광역시 해운대구 해운대해변로 264"' in response.content.decode()


def test_application_page_speaks_korean_by_default(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    page = client.get(APPLY, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<html lang="ko">' in page and "개인통관고유부호" in page


def test_journey_pages_end_after_ten_minutes_idle(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="new")
    response = client.get(APPLY)
    assert client.session.get_expiry_age() == 600
    assert 'data-session-seconds="600"' in response.content.decode()
