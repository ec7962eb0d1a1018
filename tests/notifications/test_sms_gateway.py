"""The project's SMS gateway (notifications/gateways): one interface, chosen by settings.SMS_BACKEND;
the simulated network delivers to the demo phones' inboxes and, like a real one, not to unknown
numbers; bodies never carry a full registration number or code (DOMAIN.md §8)."""

import logging

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from issuance.demo import demo_data_seed
from notifications.gateways import SmsRefused, get_sms_gateway
from notifications.gateways.simulated_phone import SimulatedPhoneGateway
from verification.models import SimulatedPhoneMessage
from verification.selectors import telecom_subscriber_find_by_phone


@pytest.fixture
def demo(db):
    demo_data_seed()


def test_the_default_backend_is_the_simulated_phone():
    assert isinstance(get_sms_gateway(), SimulatedPhoneGateway)


def test_an_unknown_backend_is_refused_naming_the_value(settings):
    settings.SMS_BACKEND = "carrier-pigeon"

    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        get_sms_gateway()


def test_simulated_phone_delivers_to_the_inbox_of_the_number(demo):
    message_id = get_sms_gateway().send(to="+821020000001", body="[PCC portal] hello", idempotency_key="t-1")

    message = SimulatedPhoneMessage.objects.get()
    assert message.subscriber == telecom_subscriber_find_by_phone(phone="010-2000-0001")
    assert message.body == "[PCC portal] hello"
    assert message_id == f"simulated-{message.pk}"


def test_one_idempotency_key_sends_once(demo):
    gateway = get_sms_gateway()

    first = gateway.send(to="+821020000001", body="[PCC portal] once", idempotency_key="t-2")
    cache.clear()  # the key is kept with the message in the database, not in a cache that can be lost
    second = get_sms_gateway().send(to="+821020000001", body="[PCC portal] once", idempotency_key="t-2")

    assert first == second
    message = SimulatedPhoneMessage.objects.get()
    assert message.idempotency_key == "t-2" and first == f"simulated-{message.pk}"


def test_the_database_refuses_a_second_message_with_the_same_idempotency_key(demo):
    get_sms_gateway().send(to="+821020000001", body="[PCC portal] once", idempotency_key="t-8")
    subscriber = SimulatedPhoneMessage.objects.get().subscriber

    with pytest.raises(IntegrityError), transaction.atomic():
        SimulatedPhoneMessage.objects.create(subscriber=subscriber, body="[PCC portal] twice", idempotency_key="t-8")

    assert SimulatedPhoneMessage.objects.count() == 1


def test_an_unknown_number_is_dropped_and_the_log_has_no_number(demo, caplog):
    caplog.set_level(logging.DEBUG)

    message_id = get_sms_gateway().send(to="+821098765432", body="[PCC portal] lost", idempotency_key="t-3")

    assert message_id.startswith("simulated-dropped-")
    assert get_sms_gateway().send(to="+821098765432", body="[PCC portal] lost", idempotency_key="t-3") == message_id
    assert not SimulatedPhoneMessage.objects.exists()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "not delivered" in logged
    for form in ("98765432", "9876-5432", "+821098765432"):
        assert form not in logged
    assert "lost" not in logged  # nor the body


@pytest.mark.parametrize(
    "body",
    [
        "Your number 900101-5123456 is registered",
        "Your number 9001015123456 is registered",
        "Your code is P261234567890",
        "",
        "가" * 1001,  # 2,002 bytes in EUC-KR: longer than an LMS
    ],
)
def test_bodies_with_a_full_registration_number_or_code_or_too_long_are_refused(demo, body):
    with pytest.raises(SmsRefused) as caught:
        get_sms_gateway().send(to="+821020000001", body=body, idempotency_key="t-4")

    assert not SimulatedPhoneMessage.objects.exists()
    if body:
        assert body not in str(caught.value)


def test_a_masked_code_and_a_long_korean_lms_are_accepted(demo):
    gateway = get_sms_gateway()

    gateway.send(to="+821020000001", body="통관고유부호 P26*******890 사용 신고", idempotency_key="t-5")
    gateway.send(to="+821020000001", body="가" * 1000, idempotency_key="t-6")

    assert SimulatedPhoneMessage.objects.count() == 2


@pytest.mark.parametrize("to", ["010-2000-0001", "01020000001", "+82 10 2000 0001", "", None])
def test_the_recipient_must_be_in_e164(demo, to):
    with pytest.raises(SmsRefused):
        get_sms_gateway().send(to=to, body="[PCC portal] hello", idempotency_key="t-7")

    assert not SimulatedPhoneMessage.objects.exists()
