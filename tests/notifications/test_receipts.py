"""The SMS provider's delivery receipts (issue 6): a webhook signed with HMAC-SHA-256 over the raw body
moves a sent notice to delivered or failed; nothing unsigned is read, and the body is never logged."""

import json
import logging

import pytest
from django.urls import reverse

from notifications.models import Notice, NoticeChannel, NoticeKind, NoticeStatus
from notifications.services import Outcome, notice_deliver
from notifications.views import receipt_signature

KEY = "test-receipt-signing-key"


@pytest.fixture
def url():
    return reverse("notifications:sms_receipt")


@pytest.fixture
def sent_notice(settings, issued_code):
    """The `code_issued` SMS, sent through the in-memory gateway: status `sent` with a message id."""
    settings.SMS_BACKEND = "memory"
    settings.SMS_RECEIPT_SIGNING_KEY = KEY
    notice = Notice.objects.get(holder=issued_code.holder, kind=NoticeKind.CODE_ISSUED, channel=NoticeChannel.SMS)
    assert notice_deliver(notice_id=notice.pk) == Outcome.SENT
    notice.refresh_from_db()
    return notice


def _post(client, url, body: bytes, signature: str | None):
    headers = {"X-PCC-Signature": signature} if signature is not None else {}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def _signed(client, url, receipt, key=KEY):
    body = receipt if isinstance(receipt, bytes) else json.dumps(receipt).encode()
    return _post(client, url, body, receipt_signature(body, key))


def test_a_signed_delivered_receipt_marks_the_notice_delivered(client, url, sent_notice):
    response = _signed(client, url, {"message_id": sent_notice.provider_message_id, "status": "delivered"})

    assert response.status_code == 200
    assert response.json() == {"status": "recorded"}
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.DELIVERED
    assert sent_notice.delivered_at is not None


@pytest.mark.parametrize(
    ("status", "expected"),
    [("failed", NoticeStatus.PERMANENT_FAILURE), ("temporary-failure", NoticeStatus.TEMPORARY_FAILURE)],
)
def test_a_signed_failure_receipt_marks_the_notice_failed(client, url, sent_notice, status, expected):
    response = _signed(client, url, {"message_id": sent_notice.provider_message_id, "status": status})

    assert response.status_code == 200
    sent_notice.refresh_from_db()
    assert sent_notice.status == expected
    assert sent_notice.failed_at is not None


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        "sha256=" + "0" * 64,
        "not-a-signature",
        "sha256=caf\u00e9",  # not ASCII: refused, not a crash of the comparison
    ],
)
def test_a_missing_or_wrong_signature_is_refused(client, url, sent_notice, signature):
    body = json.dumps({"message_id": sent_notice.provider_message_id, "status": "delivered"}).encode()

    response = _post(client, url, body, signature)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PCC_RECEIPT_SIGNATURE_INVALID"
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SENT


def test_a_signature_made_with_another_key_or_for_another_body_is_refused(client, url, sent_notice):
    receipt = {"message_id": sent_notice.provider_message_id, "status": "delivered"}
    body = json.dumps(receipt).encode()
    tampered = json.dumps({**receipt, "status": "failed"}).encode()

    assert _signed(client, url, receipt, key="another-key").status_code == 403
    assert _post(client, url, tampered, receipt_signature(body, KEY)).status_code == 403
    # The bare hex digest without the "sha256=" prefix is not the header's format either.
    assert _post(client, url, body, receipt_signature(body, KEY).removeprefix("sha256=")).status_code == 403

    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SENT


def test_signed_malformed_json_is_a_400_in_the_error_shape(client, url, sent_notice):
    response = _signed(client, url, b"{not json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "PCC_RECEIPT_NOT_JSON"
    assert set(error["message"]) == {"ko", "en"}
    assert all(error["message"].values())


@pytest.mark.parametrize(
    "receipt",
    [
        {"status": "delivered"},
        {"message_id": "", "status": "delivered"},
        {"message_id": 12, "status": "delivered"},
        {"message_id": "x" * 101, "status": "delivered"},
        {"message_id": "memory-1"},
        {"message_id": "memory-1", "status": "read"},
        {"message_id": "memory-1", "status": ["delivered"]},
        ["memory-1", "delivered"],
        "delivered",
    ],
)
def test_signed_receipts_with_missing_or_wrong_fields_are_a_400(client, url, sent_notice, receipt):
    response = _signed(client, url, receipt)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "PCC_RECEIPT_INVALID"
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SENT


def test_a_receipt_for_an_unknown_message_is_a_404(client, url, sent_notice):
    response = _signed(client, url, {"message_id": "prov-never-sent", "status": "delivered"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PCC_RECEIPT_UNKNOWN_MESSAGE"
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SENT


def test_only_post_is_accepted(client, url, settings):
    settings.SMS_RECEIPT_SIGNING_KEY = KEY

    assert client.get(url).status_code == 405
    assert client.put(url, data=b"{}", content_type="application/json").status_code == 405


def test_without_a_signing_key_no_receipt_is_accepted(client, url, sent_notice, settings):
    receipt = {"message_id": sent_notice.provider_message_id, "status": "delivered"}
    settings.SMS_RECEIPT_SIGNING_KEY = ""

    # Signed with the empty key too: an unset key must not make every empty-key signature valid.
    response = _signed(client, url, receipt, key="")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "PCC_RECEIPTS_NOT_CONFIGURED"
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SENT


def test_the_webhook_needs_no_csrf_token(url, sent_notice):
    from django.test import Client

    response = _signed(
        Client(enforce_csrf_checks=True), url, {"message_id": sent_notice.provider_message_id, "status": "delivered"}
    )

    assert response.status_code == 200


def test_the_receipt_body_is_never_logged(client, url, sent_notice, caplog):
    caplog.set_level(logging.DEBUG)
    phone = sent_notice.holder.mobile  # providers often echo the number in their receipts
    receipt = {"message_id": sent_notice.provider_message_id, "status": "delivered", "to": phone, "note": "MARKER-1"}

    _signed(client, url, receipt)
    _post(client, url, json.dumps({**receipt, "note": "MARKER-2"}).encode(), "sha256=bad")
    _signed(client, url, b'{"to": "' + phone.encode() + b'", "note": "MARKER-3"')

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "MARKER" not in logged
    assert phone not in logged and phone[-8:] not in logged
