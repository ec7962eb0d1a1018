"""The JSON API v1: verifications and declarations (issue 7)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clearance import matching
from clearance.declarations import VERIFICATION_FAILED
from clearance.models import CodeCheck
from clearance.services import api_client_create
from issuance.models import Declaration
from issuance.selectors import declarations_for_holder
from issuance.services import holder_set_sms_consent
from notifications.models import Notice

pytestmark = pytest.mark.django_db


def post(client, url, body, key):
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.fixture
def verification(issued_code, details):
    return {"pcc": issued_code.number, "name": details.name, "phone": details.mobile, "postcode": details.postcode}


def test_match_answers_true_with_no_reasons_and_both_languages(client, api_key, verification):
    response = post(client, "/api/v1/verifications", verification, api_key)
    assert response.status_code == 200
    body = response.json()
    assert body["match"] is True and body["reasons"] == []
    assert set(body["message"]) == {"ko", "en"} and body["message"]["ko"] != body["message"]["en"]


def test_mismatch_lists_every_reason(client, api_key, verification):
    body = post(client, "/api/v1/verifications", verification | {"name": "X", "postcode": "06050"}, api_key).json()
    assert body["match"] is False
    assert body["reasons"] == [matching.NAME_MISMATCH, matching.POSTCODE_MISMATCH]


def test_missing_key_is_401_and_a_bad_key_too_in_the_one_error_shape(client, verification):
    response = client.post("/api/v1/verifications", verification, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == matching.API_KEY_MISSING
    assert response["WWW-Authenticate"] == "Api-Key"
    response = post(client, "/api/v1/verifications", verification, "pcc_wrong")
    assert response.status_code == 401 and response.json()["code"] == matching.API_KEY_INVALID
    assert set(response.json()["message"]) == {"ko", "en"}


def test_missing_field_is_400_naming_the_field(client, api_key, verification):
    del verification["name"]
    response = post(client, "/api/v1/verifications", verification, api_key)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "PCC_VALIDATION"
    assert body["fields"]["name"][0]["code"] == "required"


def test_malformed_json_is_400_not_500(client, api_key):
    response = client.post(
        "/api/v1/verifications", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {api_key}"
    )
    assert response.status_code == 400 and response.json()["code"] == "PCC_REQUEST_MALFORMED"


def test_client_without_scope_gets_403(client, verification):
    _client, key = api_client_create(name="Bulk only", scopes=["bulk"])
    response = post(client, "/api/v1/verifications", verification, key)
    assert response.status_code == 403 and response.json()["code"] == matching.SCOPE_MISSING


def test_rate_limit_is_429_with_retry_after(client, forwarder, api_key, verification):
    forwarder.rate_limit = "2/m"
    forwarder.save()
    assert post(client, "/api/v1/verifications", verification, api_key).status_code == 200
    assert post(client, "/api/v1/verifications", verification, api_key).status_code == 200
    response = post(client, "/api/v1/verifications", verification, api_key)
    assert response.status_code == 429
    assert response.json()["code"] == matching.RATE_LIMITED
    assert int(response["Retry-After"]) >= 1


def test_checks_are_sealed_into_the_access_records(client, api_key, verification, issued_code, forwarder):
    from audit.models import AccessRecord
    from audit.services import access_log_verify
    from clearance.services import code_checks_seal

    post(client, "/api/v1/verifications", verification, api_key)
    post(client, "/api/v1/verifications", verification | {"pcc": "P1"}, api_key)  # touches no holder
    assert code_checks_seal() == 2
    record = AccessRecord.objects.get(actor_type="api_client")
    assert (record.actor_username, record.holder_id, record.record_id) == (
        "Forwarder Kim",
        issued_code.holder_id,
        str(issued_code.pk),
    )
    assert record.purpose == "code_verification" and "name" in record.fields
    assert not CodeCheck.objects.filter(sealed=False).exists()
    assert code_checks_seal() == 0
    assert access_log_verify().intact


# --- Declarations ---------------------------------------------------------------------------------


def declaration(issued_code, details, **changes):
    body = {
        "declaration_number": "12345-26-000001M",
        "type": "import",
        "clearance": "list",
        "pcc": issued_code.number,
        "consignee": {"name": details.name, "phone": details.mobile, "postcode": details.postcode},
        "supplier": "Example Store Inc.",
        "arrival_date": timezone.localdate().isoformat(),
        "items": [
            {
                "description": "T-shirt",
                "hs_code": "6109",
                "quantity": 1,
                "price": "35.00",
                "currency": "USD",
                "origin_country": "US",
            }
        ],
    }
    return body | changes


def test_declaration_is_recorded_once_per_number(client, api_key, issued_code, details):
    body = declaration(issued_code, details)
    first = post(client, "/api/v1/declarations", body, api_key)
    assert first.status_code == 201, first.json()
    again = post(client, "/api/v1/declarations", body | {"declaration_number": "1234526000001M"}, api_key)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Declaration.objects.count() == 1
    recorded = Declaration.objects.get()
    assert recorded.code == issued_code and recorded.items.count() == 1 and recorded.supplier == "Example Store Inc."
    assert first.json()["pcc"].startswith("P26******")
    assert first.json()["list_clearance"]["applies"] is True


def test_same_number_with_another_code_is_409(client, api_key, issued_code, details, online):
    from issuance.services import code_issue
    from tests.factories import HolderDetailsFactory

    post(client, "/api/v1/declarations", declaration(issued_code, details), api_key)
    other_details = HolderDetailsFactory()
    other = code_issue(details=other_details, actor=online)
    body = declaration(other, other_details)
    response = post(client, "/api/v1/declarations", body, api_key)
    assert response.status_code == 409 and response.json()["code"] == "PCC_DECLARATION_NUMBER_TAKEN"


def test_failed_verification_is_422_and_records_nothing(client, api_key, issued_code, details):
    body = declaration(issued_code, details, consignee={"name": "Someone Else", "phone": details.mobile})
    response = post(client, "/api/v1/declarations", body, api_key)
    assert response.status_code == 422
    assert response.json()["code"] == VERIFICATION_FAILED
    assert response.json()["reasons"] == [matching.POSTCODE_MISSING]
    body["consignee"]["postcode"] = details.postcode
    response = post(client, "/api/v1/declarations", body, api_key)
    assert response.json()["reasons"] == [matching.NAME_MISMATCH]
    assert not Declaration.objects.exists() and not Notice.objects.filter(kind="declaration_filed").exists()
    assert CodeCheck.objects.filter(channel="declaration").count() == 2  # the calls are still logged


def test_notice_is_queued_only_for_a_holder_who_opted_in(client, api_key, issued_code, details, online):
    post(client, "/api/v1/declarations", declaration(issued_code, details), api_key)
    assert Notice.objects.filter(kind="declaration_filed").count() == 1
    holder_set_sms_consent(code=issued_code, given=False, actor=online)
    body = declaration(issued_code, details, declaration_number="12345-26-000002M")
    assert post(client, "/api/v1/declarations", body, api_key).status_code == 201
    assert Notice.objects.filter(kind="declaration_filed").count() == 1


def test_seed_004_dress_of_usd_205_from_the_us_goes_to_general_with_tax(client, api_key, issued_code, details):
    item = {"description": "Dress", "hs_code": "6204", "quantity": 1, "price": "205.00", "currency": "USD"}
    body = declaration(
        issued_code,
        details,
        items=[item | {"origin_country": "US"}],
        tax={"exchange_rate": "1400", "duty_rate": "13"},
    )
    result = post(client, "/api/v1/declarations", body, api_key).json()
    assert result["list_clearance"]["applies"] is False
    assert [r["code"] for r in result["list_clearance"]["reasons"]] == ["PCC_LIST_OVER_LIMIT"]
    tax = result["tax_estimate"]
    assert (tax["taxable_value_krw"], tax["duty_krw"], tax["vat_krw"], tax["total_tax_krw"]) == (
        287000,
        37310,
        32431,
        69741,
    )


def test_seed_004_vitamins_are_excluded_from_list_clearance(client, api_key, issued_code, details):
    item = {"description": "Vitamins", "hs_code": "2106.90", "quantity": 1, "price": "50.00", "currency": "USD"}
    body = declaration(issued_code, details, items=[item | {"origin_country": "US"}])
    result = post(client, "/api/v1/declarations", body, api_key).json()
    assert result["list_clearance"]["applies"] is False
    assert [r["code"] for r in result["list_clearance"]["reasons"]] == ["PCC_LIST_EXCLUDED_CATEGORY"]


def test_same_day_same_supplier_shipments_are_aggregated(client, api_key, issued_code, details):
    item = {"description": "Shoes", "hs_code": "6403", "quantity": 1, "currency": "USD", "origin_country": "JP"}
    first = declaration(issued_code, details, items=[item | {"price": "100.00"}])
    second = declaration(
        issued_code,
        details,
        declaration_number="12345-26-000002M",
        supplier="EXAMPLE STORE  INC.",
        items=[item | {"price": "60.00"}],
    )
    assert post(client, "/api/v1/declarations", first, api_key).json()["list_clearance"]["applies"] is True
    result = post(client, "/api/v1/declarations", second, api_key).json()["list_clearance"]
    assert result["applies"] is False and Decimal(result["aggregated_usd"]) == Decimal("160")
    assert [r["code"] for r in result["reasons"]] == ["PCC_LIST_AGGREGATED_OVER_LIMIT"]
    other_day = declaration(
        issued_code,
        details,
        declaration_number="12345-26-000003M",
        arrival_date=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        items=[item | {"price": "60.00"}],
    )
    assert post(client, "/api/v1/declarations", other_day, api_key).json()["list_clearance"]["applies"] is True


def test_declaration_needs_the_declare_scope(client, issued_code, details):
    _verifier, key = api_client_create(name="Verify only", scopes=["verify"])
    assert post(client, "/api/v1/declarations", declaration(issued_code, details), key).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"declaration_number": "12-34"}, "declaration_number"),
        ({"type": "transit"}, "type"),
        ({"items": []}, "items"),
        ({"arrival_date": "2020-01-01"}, "arrival_date"),
        (
            {"items": [{"description": "x", "hs_code": "61", "quantity": 0, "price": "-1", "currency": "usd1"}]},
            "items.0.hs_code",
        ),
    ],
)
def test_bad_declaration_fields_are_400_naming_the_field(client, api_key, issued_code, details, change, field):
    response = post(client, "/api/v1/declarations", declaration(issued_code, details, **change), api_key)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Declaration.objects.exists()


def test_mixed_currencies_are_refused(client, api_key, issued_code, details):
    base = {"description": "x", "hs_code": "6109", "quantity": 1, "price": "1.00", "origin_country": "US"}
    body = declaration(issued_code, details, items=[base | {"currency": "USD"}, base | {"currency": "EUR"}])
    response = post(client, "/api/v1/declarations", body, api_key)
    assert response.status_code == 400 and response.json()["fields"]["items"][0]["code"] == "PCC_CURRENCY_MIXED"


def test_declaration_shows_in_the_holders_usage_history(client, api_key, issued_code, details):
    post(client, "/api/v1/declarations", declaration(issued_code, details), api_key)
    (recorded,) = declarations_for_holder(issued_code.holder)
    assert (recorded.number, recorded.goods_summary, recorded.supplier) == (
        "12345-26-000001M",
        "T-shirt",
        "Example Store Inc.",
    )
