"""Errors under /api/ in the one JSON shape (issue 7, "Errors in one JSON shape everywhere"):
{"code": …, "message": {"ko": …, "en": …}}, field messages in our own Korean, and the errors Django
answers before any API view (unknown address, body too large, unexpected exception), while the HTML
pages keep their HTML error pages."""

import re
from pathlib import Path

import polib
import pytest

import clearance.apis
import pcc_portal.views

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES" / "django.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def our_korean(msgid: str) -> str:
    """The Korean of `msgid` in our catalogue (locale/ko), not DRF's ko_KR one."""
    entry = polib.pofile(str(CATALOGUE)).find(msgid)
    assert entry is not None and entry.msgstr, f"{msgid!r} is not translated in locale/ko: run `make messages`"
    return entry.msgstr


def post(client, body, key, **extra):
    return client.post(
        "/api/v1/verifications", body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}", **extra
    )


def assert_one_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert set(body["message"]) == {"ko", "en"}
    assert HANGUL.search(body["message"]["ko"]) and not HANGUL.search(body["message"]["en"])
    return body


def test_drf_field_message_is_in_our_korean_and_in_english(client, api_key):
    body = post(client, {"pcc": "P261234567895", "phone": "01012345678"}, api_key).json()
    [error] = body["fields"]["name"]
    assert error["code"] == "required"
    assert error["message"]["en"] == "This field is required."
    assert error["message"]["ko"] == our_korean("This field is required.")


def test_drf_field_message_keeps_its_number_in_both_languages(client, api_key):
    too_long = {"pcc": "P261234567895", "name": "A" * 101, "phone": "01012345678"}
    [error] = post(client, too_long, api_key).json()["fields"]["name"]
    assert error["code"] == "max_length"
    assert error["message"]["en"] == "Ensure this field has no more than 100 characters."
    korean = our_korean("Ensure this field has no more than {max_length} characters.")
    assert error["message"]["ko"] == korean.format(max_length=100)


def test_unknown_address_under_api_is_a_json_404(client):
    assert_one_error_shape(client.get("/api/v1/nope"), 404, "PCC_NOT_FOUND")


def test_unknown_page_stays_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_body_over_the_upload_limit_is_a_json_400(client, api_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = post(client, {"pcc": "P261234567895", "name": "A" * 2_000, "phone": "01012345678"}, api_key)
    assert_one_error_shape(response, 400, "PCC_REQUEST_MALFORMED")


def test_unexpected_exception_under_api_is_a_json_500(client, api_key, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(clearance.apis, "code_check", broken)
    client.raise_request_exception = False
    response = post(client, {"pcc": "P261234567895", "name": "KIM", "phone": "01012345678"}, api_key)
    body = assert_one_error_shape(response, 500, "PCC_SERVER_ERROR")
    assert "a bug" not in str(body)


def test_unexpected_exception_on_a_page_stays_the_html_500(client, monkeypatch):
    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setattr(pcc_portal.views, "customs_office_list", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
