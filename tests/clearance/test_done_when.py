"""Issue 7, "Done when": a forwarder's UNI-PASS client verifies demo holders unchanged, and a
declaration for an opted-in demo holder shows in their usage history and produces one SMS."""

import re
from io import StringIO
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.utils import timezone

from issuance.codes import normalise_code
from issuance.demo import demo_holders_export
from issuance.models import Code
from issuance.selectors import declarations_for_holder
from notifications.gateways.memory import OUTBOX, memory_outbox_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path):
    out = StringIO()
    call_command("seed_demo", "--no-certificates", stdout=out)
    text = out.getvalue()
    key = re.search(r"^\s+(pcc_\S+)$", text, re.MULTILINE).group(1)
    url = re.search(r"^\s+(/ext/rest/persEcmQry/retrievePersEcm\?\S+)$", text, re.MULTILINE).group(1)
    return key, url


def test_printed_unipass_call_verifies_a_demo_holder_as_an_existing_client_parses_it(client, seeded):
    _key, url = seeded
    parts = urlsplit(url)
    response = client.get(parts.path + "?" + parts.query)
    root = ElementTree.fromstring(response.content)
    assert root.find("tCnt").text == "1"
    assert root.find("persEcmQryRtnErrInfoVo") is None


def test_declaration_for_an_opted_in_demo_holder_is_in_the_history_and_sends_one_sms(
    client, seeded, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "memory"
    memory_outbox_clear()
    key, _url = seeded
    holder = next(h for h in demo_holders_export() if h["status"] == "active" and h["sms_consent"] and h["rrn"])
    body = {
        "declaration_number": "12345-26-000777M",
        "type": "import",
        "clearance": "list",
        "pcc": holder["code"],
        "consignee": {"name": holder["name"], "phone": holder["phone"], "postcode": holder["postcode"]},
        "supplier": "Demo Shop",
        "arrival_date": timezone.localdate().isoformat(),
        "items": [
            {
                "description": "Book",
                "hs_code": "4901",
                "quantity": 1,
                "price": "20.00",
                "currency": "USD",
                "origin_country": "GB",
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/declarations", body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}"
        )
    assert response.status_code == 201, response.json()
    code = Code.objects.get(number=normalise_code(holder["code"]))
    assert [d.number for d in declarations_for_holder(code.holder)] == ["12345-26-000777M"]
    assert len(OUTBOX) == 1
    assert holder["code"] not in str(OUTBOX[0])  # masked in the text
    memory_outbox_clear()
