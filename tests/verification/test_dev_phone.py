"""The development-only simulated phone (/dev/phone/, DOMAIN.md §4): absent unless DEBUG is on at
request time; shows each demo phone's SMS (newest first) and pending pushes with Approve / Refuse."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from issuance.demo import DEMO_PEOPLE
from tests.verification.phone_support import TANAKA, check_for, facts
from verification.mobile import mobile_challenge_start
from verification.models import PushRequest, PushStatus, SimulatedPhoneMessage, SimulatedTelecomSubscriber
from verification.selectors import telecom_subscriber_find_by_phone
from verification.simple import simple_request_start

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def tanaka_phone(demo):
    return telecom_subscriber_find_by_phone(phone=TANAKA.phone)


def _phone_url(subscriber) -> str:
    return reverse("dev_phone:phone", kwargs={"subscriber_id": subscriber.pk})


def _push_for_tanaka() -> PushRequest:
    return simple_request_start(
        check=check_for(TANAKA),
        provider="naver",
        name=TANAKA.name,
        birth_date=facts(TANAKA)["birth_date"],
        phone=TANAKA.phone,
    )


def _decide_url(push) -> str:
    return reverse("dev_phone:push-decide", kwargs={"subscriber_id": push.subscriber_id, "push_id": push.pk})


def test_dev_phone_is_absent_when_debug_is_off(tanaka_phone, client, settings):
    settings.DEBUG = False
    push = _push_for_tanaka()

    assert client.get(reverse("dev_phone:index")).status_code == 404
    assert client.get(_phone_url(tanaka_phone)).status_code == 404
    assert client.post(_decide_url(push), {"decision": "approve"}).status_code == 404
    assert client.post(reverse("dev_phone:index")).status_code == 404  # 404 before the method check
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.PENDING


def test_index_lists_the_demo_phones_linked_by_id_not_by_number(demo, debug, client):
    html = client.get(reverse("dev_phone:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    links = re.findall(r'href="/dev/phone/([^"]+)"', html)
    subscribers = SimulatedTelecomSubscriber.objects.select_related("data_key")
    assert sorted(links) == sorted(f"{subscriber.pk}/" for subscriber in subscribers)
    assert all(re.fullmatch(r"[0-9a-f-]{36}/", link) for link in links)
    for person in DEMO_PEOPLE:
        assert person.phone in html  # shown in national format: fictional demo numbers, development only


def test_phone_page_shows_its_messages_newest_first(tanaka_phone, debug, client):
    SimulatedPhoneMessage.objects.create(subscriber=tanaka_phone, body="first message")
    SimulatedPhoneMessage.objects.create(subscriber=tanaka_phone, body="second message")

    html = client.get(_phone_url(tanaka_phone), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert html.index("second message") < html.index("first message")
    assert "010-2000-0006" in html


def test_phone_page_shows_the_sms_code_the_portal_sent(tanaka_phone, debug, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mobile_challenge_start(check=check_for(TANAKA), channel="sms", **facts(TANAKA))

    html = client.get(_phone_url(tanaka_phone)).content.decode()

    assert SimulatedPhoneMessage.objects.get().body in html


def test_approve_button_approves_a_pending_push(tanaka_phone, debug, client):
    push = _push_for_tanaka()

    page = client.get(_phone_url(tanaka_phone), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(_decide_url(push), {"decision": "approve"})

    assert _decide_url(push) in page and 'value="approve"' in page and 'value="refuse"' in page
    assert response.status_code == 302 and response["Location"] == _phone_url(tanaka_phone)
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.APPROVED
    assert _decide_url(push) not in client.get(_phone_url(tanaka_phone)).content.decode()


def test_refuse_button_refuses(tanaka_phone, debug, client):
    push = _push_for_tanaka()

    client.post(_decide_url(push), {"decision": "refuse"})

    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.REFUSED


def test_an_expired_push_cannot_be_approved_and_the_phone_says_so(tanaka_phone, debug, client):
    push = _push_for_tanaka()
    PushRequest.objects.filter(pk=push.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = client.post(_decide_url(push), {"decision": "approve"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "expired" in response.content.decode()
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.EXPIRED


def test_decisions_are_posted_and_checked(tanaka_phone, debug, client):
    push = _push_for_tanaka()
    other = telecom_subscriber_find_by_phone(phone="010-2000-0001")

    assert client.get(_decide_url(push)).status_code == 405
    assert client.post(_decide_url(push), {"decision": "maybe"}).status_code == 400
    wrong_phone = reverse("dev_phone:push-decide", kwargs={"subscriber_id": other.pk, "push_id": push.pk})
    assert client.post(wrong_phone, {"decision": "approve"}).status_code == 404
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.PENDING


def test_unknown_phone_is_404(demo, debug, client):
    assert (
        client.get(
            reverse("dev_phone:phone", kwargs={"subscriber_id": "00000000-0000-0000-0000-000000000000"})
        ).status_code
        == 404
    )


def test_with_the_file_gateway_the_phone_shows_the_notices_in_the_file_too(
    tanaka_phone, debug, client, settings, tmp_path
):
    from notifications.gateways.file import FileGateway

    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    SimulatedPhoneMessage.objects.create(subscriber=tanaka_phone, body="from the simulated network")
    gateway = FileGateway()
    gateway.send(to=tanaka_phone.phone, body="[PCC] from the file gateway", idempotency_key="k1")
    gateway.send(to="+821099998888", body="[PCC] for another phone", idempotency_key="k2")

    html = client.get(_phone_url(tanaka_phone), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert html.index("from the file gateway") < html.index("from the simulated network")  # newest first
    assert "for another phone" not in html
