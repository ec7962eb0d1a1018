"""Look up, change, SMS consent, renew, reissue, theft report, terminate, usage history (issue 4)."""

import datetime

import pytest
from django.utils import timezone

from issuance.models import Code, CodeEvent, CodeStatus, Declaration
from issuance.selectors import REISSUES_PER_YEAR, code_current_for_holder, holder_find_by_resident_number

pytestmark = pytest.mark.django_db

MY_CODE = "/my-code/"


def _code(person) -> Code:
    return code_current_for_holder(holder_find_by_resident_number(person.rrn))


@pytest.fixture
def nguyen(demo, verify):
    person = demo["NGUYEN VAN AN"]
    verify(person, purpose="manage")
    return person


def test_look_up_shows_the_code_masked_identity_and_records_one_event(client, nguyen):
    code = _code(nguyen)
    page = client.get(MY_CODE).content.decode()
    assert code.number in page and "In use" in page
    assert "900101-5******" in page and "900101-5123456" not in page
    assert "010-****-0001" in page
    client.get(MY_CODE)  # a refresh is not a second look-up
    assert CodeEvent.objects.filter(code=code, kind="looked_up").count() == 1


def test_person_without_a_code_is_told_about_passport_codes(client, demo, verify):
    verify(demo["TANAKA YUKI"], purpose="manage")
    page = client.get(MY_CODE).content.decode()
    assert "No code found" in page and "passport" in page


def test_proof_is_single_use_across_journeys(client, demo, verify):
    verify(demo["NGUYEN VAN AN"], purpose="new")
    assert client.get(MY_CODE).status_code == 400  # a proof for a new issue does not open look-up


def test_expired_journey_asks_to_start_again(client, nguyen):
    client.get(MY_CODE)
    from verification.models import IdentityCheck

    IdentityCheck.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(MY_CODE)
    assert response.status_code == 400 and "Please start again" in response.content.decode()


def test_change_details_renews_for_a_year(client, nguyen):
    code = _code(nguyen)
    Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=100))
    form = client.get("/my-code/change/")
    assert form.status_code == 200 and "an.nguyen@example.com" in form.content.decode()
    response = client.post(
        "/my-code/change/",
        {
            "english_name": "NGUYEN VAN AN",
            "address": "서울특별시 마포구 월드컵북로 400",
            "postcode": "03925",
            "telephone": "",
            "email": "an.new@example.com",
            "mobile_ownership": "own_name",
            "mobile": "010-2000-0001",
            "delivery-TOTAL_FORMS": "0",
            "delivery-INITIAL_FORMS": "0",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.expires_on.year == timezone.localdate().year + 1
    assert code.holder.email == "an.new@example.com" and code.holder.delivery_addresses.count() == 0


def test_sms_consent_is_withdrawn_and_given(client, nguyen):
    holder = holder_find_by_resident_number(nguyen.rrn)
    client.post("/my-code/sms/", {"given": "no"})
    assert not holder.consents.filter(kind="sms_notices", withdrawn_at__isnull=True).exists()
    client.post("/my-code/sms/", {"given": "yes"})
    assert holder.consents.filter(kind="sms_notices", withdrawn_at__isnull=True).exists()


def test_renew_button_appears_in_the_window_and_renews(client, nguyen):
    code = _code(nguyen)
    assert "Renew for one year" not in client.get(MY_CODE).content.decode()
    Code.objects.filter(pk=code.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=10))
    assert "Renew for one year" in client.get(MY_CODE).content.decode()
    client.post("/my-code/renew/")
    code.refresh_from_db()
    assert code.expires_on.year == timezone.localdate().year + 1


def test_renew_outside_the_window_says_when_it_opens(client, nguyen):
    response = client.post("/my-code/renew/", follow=True)
    assert "Renewal opens 30 days before your code expires." in response.content.decode()


def test_reissue_says_how_many_remain_and_stops_at_five(client, nguyen):
    page = client.get("/my-code/reissue/").content.decode()
    assert f"{REISSUES_PER_YEAR} more new codes this year" in page
    old = _code(nguyen)
    assert client.post("/my-code/reissue/", {"reason": "lost"}).status_code == 302
    new = _code(nguyen)
    assert new.number != old.number and new.status == CodeStatus.ACTIVE
    for _ in range(4):
        client.post("/my-code/reissue/", {"reason": "other"})
    refused = client.post("/my-code/reissue/", {"reason": "other"})
    assert refused.status_code == 400 and "at most 5 times a year" in refused.content.decode()


def test_theft_report_suspends_at_once_and_offers_reissue(client, nguyen):
    assert client.post("/my-code/theft/", {}).status_code == 400  # the confirmation is required
    response = client.post("/my-code/theft/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/my-code/reissue/"
    assert _code(nguyen).status == CodeStatus.SUSPENDED


def test_voluntary_termination_has_a_confirmation_step(client, nguyen):
    code = _code(nguyen)
    assert client.post("/my-code/terminate/", {}).status_code == 400
    page = client.post("/my-code/terminate/", {"confirm": "on"})
    assert page.status_code == 200 and "has been terminated" in page.content.decode()
    code.refresh_from_db()
    assert code.status == CodeStatus.TERMINATED and code.termination_reason == "voluntary"


def test_usage_history_lists_declarations_masked_and_not_me_reports_theft(client, nguyen):
    code = _code(nguyen)
    declaration = Declaration.objects.create(
        code=code, number="12345-26-1234567X", kind="import", filed_at=timezone.now(), goods_summary="Shoes"
    )
    page = client.get("/my-code/history/").content.decode()
    assert "1234*********567X" in page and "12345-26-1234567X" not in page
    response = client.post("/my-code/history/", {"declaration": declaration.pk})
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.status == CodeStatus.SUSPENDED
    assert code.events.filter(kind="suspended", detail__declaration=declaration.number).exists()


def test_no_personal_value_appears_in_any_journey_url(client, nguyen):
    for path in ("/my-code/", "/my-code/change/", "/my-code/reissue/", "/my-code/history/"):
        response = client.get(path)
        assert response.status_code == 200
        assert nguyen.rrn.replace("-", "") not in response.request["PATH_INFO"]
