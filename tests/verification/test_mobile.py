"""The mobile-phone method (KMC/PASS, DOMAIN.md §4; seed 001 Q4, Q6): the subscriber must match and be
the person of the real-name check; a 6-digit code by SMS, valid 3 minutes, extendable once, 5 wrong
tries then locked, stored hashed, single use; or a push to the PASS app. Services and real pages."""

import datetime
import hashlib
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issuance.demo import _registry_person_ensure
from pcc_portal.exceptions import ApplicationError
from personal_data.contact import normalise_phone, phone_digits
from personal_data.identity import parse_resident_number
from personal_data.services import data_key_create
from tests.issuance.test_database_guards import _race
from tests.verification.phone_support import (
    KARIMOV,
    NGUYEN,
    PARK,
    TANAKA,
    check_for,
    facts,
    latest_code,
    other_code,
    real_name_passed,
    sms_messages,
    start_form,
)
from verification.mobile import (
    mobile_challenge_confirm,
    mobile_challenge_extend,
    mobile_challenge_start,
    mobile_pass_status,
)
from verification.models import (
    IdentityCheck,
    MobileChallenge,
    PushRequest,
    PushStatus,
    SimulatedPhoneMessage,
    SimulatedTelecomSubscriber,
)
from verification.services import identity_proof_consume
from verification.simple import push_request_decide
from verification.views.mobile import SESSION_CHALLENGE

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def sms_challenge(demo, django_capture_on_commit_callbacks):
    """TANAKA YUKI passed the real-name check and asked for a code by SMS."""
    check = check_for(TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))
    return challenge


def _error(callable_, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        callable_(**kwargs)
    return caught.value


def _expire(challenge: MobileChallenge) -> None:
    MobileChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


# --- Services: the code ----------------------------------------------------------------------------


def test_right_sms_code_verifies_the_check_with_the_phone(sms_challenge):
    check = mobile_challenge_confirm(challenge=sms_challenge, code=latest_code(TANAKA))

    check.refresh_from_db()
    assert check.verified_at is not None
    assert check.method == "mobile"
    assert check.phone == normalise_phone(TANAKA.phone)
    assert MobileChallenge.objects.get(pk=sms_challenge.pk).confirmed_at is not None


def test_code_is_six_digits_valid_three_minutes(sms_challenge):
    assert re.fullmatch(r"[0-9]{6}", latest_code(TANAKA))
    lifetime = sms_challenge.expires_at - sms_challenge.created_at
    assert datetime.timedelta(minutes=2, seconds=59) < lifetime <= datetime.timedelta(minutes=3)


def test_code_is_stored_only_as_a_keyed_hash(sms_challenge):
    code = latest_code(TANAKA)
    stored = MobileChallenge.objects.get(pk=sms_challenge.pk).code_hash

    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert code not in stored
    assert stored != hashlib.sha256(code.encode()).hexdigest()  # keyed: not guessable from 10^6 hashes


def test_sms_is_sent_only_after_the_transaction_commits(demo, django_capture_on_commit_callbacks):
    check = check_for(TANAKA)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))
        assert sms_messages(TANAKA) == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(sms_messages(TANAKA)) == 1


def test_sms_body_carries_no_personal_data_and_fits_one_sms(sms_challenge):
    (body,) = sms_messages(TANAKA)
    assert len(body.encode("euc-kr")) <= 90  # DOMAIN.md §8: one SMS is 90 bytes in EUC-KR
    rrn = parse_resident_number(TANAKA.rrn)

    for secret in (TANAKA.name, "TANAKA", "YUKI", rrn.digits, rrn.digits[:6], f"{rrn.birth_date:%Y%m%d}"):
        assert secret not in body
    assert phone_digits(normalise_phone(TANAKA.phone))[3:] not in re.sub(r"\D", "", body)


def test_code_never_appears_in_logs(demo, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    check = check_for(TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))
    code = latest_code(TANAKA)
    with pytest.raises(ApplicationError):
        mobile_challenge_confirm(challenge=challenge, code=other_code(code))
    mobile_challenge_confirm(challenge=challenge, code=code)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged
    assert "2000-0006" not in logged and "20000006" not in logged


def test_expired_code_is_refused(sms_challenge):
    _expire(sms_challenge)

    error = _error(mobile_challenge_confirm, challenge=sms_challenge, code=latest_code(TANAKA))

    assert error.code == "PCC_MOBILE_CODE_EXPIRED"
    assert IdentityCheck.objects.get(pk=sms_challenge.identity_check_id).verified_at is None


def test_extend_gives_three_minutes_from_now_once_then_is_refused(sms_challenge):
    MobileChallenge.objects.filter(pk=sms_challenge.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=10)
    )

    extended = mobile_challenge_extend(challenge=sms_challenge)
    second = _error(mobile_challenge_extend, challenge=sms_challenge)

    assert extended.extended
    assert extended.expires_at > timezone.now() + datetime.timedelta(minutes=2, seconds=55)
    assert second.code == "PCC_MOBILE_ALREADY_EXTENDED"
    mobile_challenge_confirm(challenge=sms_challenge, code=latest_code(TANAKA))  # the code still works


def test_an_expired_code_cannot_be_extended(sms_challenge):
    _expire(sms_challenge)

    assert _error(mobile_challenge_extend, challenge=sms_challenge).code == "PCC_MOBILE_CODE_EXPIRED"


def test_wrong_code_tells_the_tries_left_and_the_fifth_locks(sms_challenge):
    code = latest_code(TANAKA)
    wrong = other_code(code)

    tries_left = [
        _error(mobile_challenge_confirm, challenge=sms_challenge, code=wrong).extra["tries_left"] for _ in range(4)
    ]
    fifth = _error(mobile_challenge_confirm, challenge=sms_challenge, code=wrong)
    right_after = _error(mobile_challenge_confirm, challenge=sms_challenge, code=code)

    assert tries_left == [4, 3, 2, 1]
    assert fifth.code == "PCC_MOBILE_LOCKED"
    assert right_after.code == "PCC_MOBILE_LOCKED"
    challenge = MobileChallenge.objects.get(pk=sms_challenge.pk)
    assert challenge.failed_attempts == 5 and challenge.locked_at is not None
    assert IdentityCheck.objects.get(pk=sms_challenge.identity_check_id).verified_at is None


def test_a_new_code_does_not_reset_the_wrong_tries_and_a_locked_check_gets_no_new_code(
    sms_challenge, django_capture_on_commit_callbacks
):
    check = IdentityCheck.objects.get(pk=sms_challenge.identity_check_id)
    for _ in range(3):
        _error(mobile_challenge_confirm, challenge=sms_challenge, code=other_code(latest_code(TANAKA)))
    with django_capture_on_commit_callbacks(execute=True):
        again = mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))

    wrong = _error(mobile_challenge_confirm, challenge=again, code=other_code(latest_code(TANAKA)))
    _error(mobile_challenge_confirm, challenge=again, code=other_code(latest_code(TANAKA)))
    refused = _error(mobile_challenge_start, check=check, channel="sms", **facts(TANAKA))

    assert wrong.extra["tries_left"] == 1
    assert refused.code == "PCC_MOBILE_LOCKED"


def test_code_is_single_use(sms_challenge):
    code = latest_code(TANAKA)
    mobile_challenge_confirm(challenge=sms_challenge, code=code)

    assert _error(mobile_challenge_confirm, challenge=sms_challenge, code=code).code == "PCC_MOBILE_CODE_USED"


def test_only_the_latest_code_works(sms_challenge, django_capture_on_commit_callbacks):
    first_code = latest_code(TANAKA)
    check = IdentityCheck.objects.get(pk=sms_challenge.identity_check_id)
    with django_capture_on_commit_callbacks(execute=True):
        mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))

    assert _error(mobile_challenge_confirm, challenge=sms_challenge, code=first_code).code == "PCC_MOBILE_CODE_EXPIRED"


# --- Services: the subscriber ---------------------------------------------------------------------


def test_subscriber_name_other_than_the_arc_name_is_refused(demo):
    check = check_for(KARIMOV)  # the ARC says KARIMOV ALISHER; the line is registered to RAHIMOV BOBUR

    as_registered = _error(mobile_challenge_start, check=check, channel="sms", **facts(KARIMOV))
    as_on_card = _error(mobile_challenge_start, check=check, channel="sms", **{**facts(KARIMOV), "name": KARIMOV.name})

    assert as_registered.code == "PCC_MOBILE_NAME_NOT_ARC_NAME"
    assert as_on_card.code == "PCC_MOBILE_NAME_NOT_ARC_NAME"
    assert "alien registration card" in str(as_registered.message)
    assert not MobileChallenge.objects.exists() and not SimulatedPhoneMessage.objects.exists()


def test_wrong_telecom_finds_no_subscriber_and_says_what_an_mvno_is(demo):
    check = check_for(NGUYEN)  # SKT

    error = _error(mobile_challenge_start, check=check, channel="sms", **{**facts(NGUYEN), "telecom": "KT"})

    assert error.code == "PCC_MOBILE_SUBSCRIBER_NOT_FOUND"
    assert "MVNO" in str(error.message)


def test_unknown_number_gets_the_same_answer_as_a_wrong_telecom(demo):
    check = check_for(NGUYEN)

    error = _error(mobile_challenge_start, check=check, channel="sms", **{**facts(NGUYEN), "phone": "010-9876-5432"})

    assert error.code == "PCC_MOBILE_SUBSCRIBER_NOT_FOUND"


@pytest.mark.parametrize(
    "change",
    [
        {"birth_date": datetime.date(1990, 1, 2)},
        {"sex": "F"},
        {"is_foreigner": False},
        {"name": "NGUYEN VAN BINH"},
    ],
)
def test_details_that_differ_from_the_subscriber_record_are_refused(demo, change):
    check = check_for(NGUYEN)

    error = _error(mobile_challenge_start, check=check, channel="sms", **{**facts(NGUYEN), **change})

    assert error.code == "PCC_MOBILE_DETAILS_MISMATCH"


def test_name_is_compared_without_spaces_and_case(demo):
    check = check_for(NGUYEN)

    challenge = mobile_challenge_start(check=check, channel="pass", **{**facts(NGUYEN), "name": "nguyenvan an"})

    assert challenge.pk


def test_a_line_of_someone_with_the_same_name_but_another_birth_date_is_refused(demo):
    SimulatedTelecomSubscriber.objects.create(
        data_key=data_key_create(),
        telecom="KT",
        phone=normalise_phone("010-7000-0001"),
        subscriber_name=NGUYEN.name,
        birth_date=datetime.date(1991, 5, 5),
        sex="M",
        is_foreigner=True,
    )
    check = check_for(NGUYEN)
    typed = {**facts(NGUYEN), "telecom": "KT", "phone": "010-7000-0001", "birth_date": datetime.date(1991, 5, 5)}

    assert _error(mobile_challenge_start, check=check, channel="sms", **typed).code == "PCC_MOBILE_NOT_OWN_PHONE"


def test_another_persons_phone_is_refused(demo):
    check = check_for(NGUYEN)

    error = _error(mobile_challenge_start, check=check, channel="sms", **facts(TANAKA))

    assert error.code == "PCC_MOBILE_NAME_NOT_ARC_NAME"


def test_theft_protected_person_is_stopped_at_the_real_name_step(demo, client):
    with pytest.raises(ApplicationError) as caught:
        check_for(PARK)
    response = client.post(
        reverse("verification:real_name", args=["new"]), {"name": PARK.name, "resident_number": PARK.rrn}
    )
    mobile = client.get(reverse("verification:mobile-start"))

    assert caught.value.code == "PCC_REALNAME_THEFT_PROTECTED"
    assert response.status_code == 400
    assert "02-708-1000" in response.content.decode()
    assert mobile.status_code == 400
    assert "verification/restart.html" in [t.name for t in mobile.templates]


def test_a_verified_check_cannot_start_another_challenge(sms_challenge):
    mobile_challenge_confirm(challenge=sms_challenge, code=latest_code(TANAKA))
    check = IdentityCheck.objects.get(pk=sms_challenge.identity_check_id)

    assert (
        _error(mobile_challenge_start, check=check, channel="sms", **facts(TANAKA)).code == "PCC_VERIFICATION_REQUIRED"
    )


def test_unknown_telecom_or_channel_is_refused(demo):
    check = check_for(NGUYEN)

    telecom = _error(mobile_challenge_start, check=check, channel="sms", **{**facts(NGUYEN), "telecom": "XX"})
    channel = _error(mobile_challenge_start, check=check, channel="fax", **facts(NGUYEN))

    assert (telecom.code, channel.code) == ("PCC_MOBILE_TELECOM_UNKNOWN", "PCC_MOBILE_CHANNEL_UNKNOWN")


# --- Services: PASS app ----------------------------------------------------------------------------


def test_pass_push_approved_verifies_the_check(demo):
    check = check_for(TANAKA)
    challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))
    push = challenge.push

    pending = mobile_pass_status(challenge=challenge)
    push_request_decide(push=push, approve=True)
    approved = mobile_pass_status(challenge=challenge)

    assert (pending, approved) == (PushStatus.PENDING, PushStatus.APPROVED)
    assert push.provider == "pass" and challenge.code_hash == ""
    assert not SimulatedPhoneMessage.objects.exists()  # PASS sends no code
    check.refresh_from_db()
    assert check.method == "mobile" and check.verified_at is not None
    assert check.phone == normalise_phone(TANAKA.phone)


def test_pass_push_refused_does_not_verify(demo):
    check = check_for(TANAKA)
    challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))
    push_request_decide(push=challenge.push, approve=False)

    assert mobile_pass_status(challenge=challenge) == PushStatus.REFUSED
    check.refresh_from_db()
    assert check.verified_at is None


def test_pass_push_expires_after_three_minutes(demo):
    check = check_for(TANAKA)
    challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))
    PushRequest.objects.filter(pk=challenge.push_id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert mobile_pass_status(challenge=challenge) == PushStatus.EXPIRED
    assert PushRequest.objects.get(pk=challenge.push_id).status == PushStatus.EXPIRED
    assert challenge.expires_at - challenge.created_at <= datetime.timedelta(minutes=3)


def test_a_pass_challenge_is_linked_to_its_own_push_and_an_sms_challenge_has_none(
    demo, django_capture_on_commit_callbacks
):
    check = check_for(TANAKA)
    pass_challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))
    with django_capture_on_commit_callbacks(execute=True):
        sms_challenge = mobile_challenge_start(check=check, channel="sms", **facts(TANAKA))

    push = PushRequest.objects.get()
    assert push.mobile_challenge == pass_challenge and push.provider == "pass"
    assert push.status == PushStatus.EXPIRED  # the new start lapsed it
    assert sms_challenge.push is None


def test_a_pass_challenge_takes_no_code(demo):
    check = check_for(TANAKA)
    challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))

    assert _error(mobile_challenge_confirm, challenge=challenge, code="123456").code == "PCC_MOBILE_NO_CODE"


# --- Concurrency (PostgreSQL row locks) -----------------------------------------------------------


def _tanaka_in_the_registry_with_a_phone_line() -> None:
    # Only what the race needs, not the whole demo: demo_data_seed() also needs the customs offices of
    # a data migration, which a flushing transactional test elsewhere in a full run may have removed.
    _registry_person_ensure(TANAKA)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_confirms_of_the_right_code_verify_exactly_once():
    _tanaka_in_the_registry_with_a_phone_line()
    challenge = mobile_challenge_start(check=check_for(TANAKA), channel="sms", **facts(TANAKA))
    code = latest_code(TANAKA)

    results = _race(lambda: mobile_challenge_confirm(challenge=challenge, code=code), 8)

    assert sum(isinstance(r, IdentityCheck) for r in results) == 1, results
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"PCC_MOBILE_CODE_USED"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_codes_never_count_more_than_five_tries():
    _tanaka_in_the_registry_with_a_phone_line()
    challenge = mobile_challenge_start(check=check_for(TANAKA), channel="sms", **facts(TANAKA))
    wrong = other_code(latest_code(TANAKA))

    results = _race(lambda: mobile_challenge_confirm(challenge=challenge, code=wrong), 10)

    codes = sorted(r.code for r in results)
    assert codes == ["PCC_MOBILE_CODE_WRONG"] * 4 + ["PCC_MOBILE_LOCKED"] * 6, results
    assert MobileChallenge.objects.get(pk=challenge.pk).failed_attempts == 5


# --- Pages ---------------------------------------------------------------------------------------


def _start_page(client, person, **overrides):
    return client.post(reverse("verification:mobile-start"), start_form(client, person, **overrides))


def test_start_page_offers_both_ways_as_links_and_works_without_javascript(demo, client):
    real_name_passed(client, TANAKA)

    sms = client.get(reverse("verification:mobile-start"), HTTP_ACCEPT_LANGUAGE="en")
    pass_tab = client.get(reverse("verification:mobile-start") + "?channel=pass", HTTP_ACCEPT_LANGUAGE="en")

    assert sms.status_code == 200 and pass_tab.status_code == 200
    html = sms.content.decode()
    assert 'href="?channel=sms" aria-current="page"' in html and 'href="?channel=pass"' in html
    assert re.search(r'<input type="hidden" name="channel" value="sms"', html)
    assert re.search(r'<input type="hidden" name="channel" value="pass"', pass_tab.content.decode())
    for telecom in ("SKT", "KT", "LGU", "MVNO"):
        assert f'type="radio" name="telecom" value="{telecom}"' in html
    assert 'name="captcha_1"' in html and "/captcha/image/" in html
    assert f'value="{TANAKA.name}"' in html  # the name is prefilled from the real-name check
    assert "<script>" not in html and "style=" not in html


def test_sms_journey_through_the_pages_reaches_done(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        started = _start_page(client, TANAKA)
    page = client.get(reverse("verification:mobile-code"), HTTP_ACCEPT_LANGUAGE="en")
    confirmed = client.post(reverse("verification:mobile-code"), {"code": latest_code(TANAKA)})
    done = client.get(reverse("verification:done"))

    assert started.status_code == 302 and started["Location"] == reverse("verification:mobile-code")
    assert page.status_code == 200
    assert "5 tries left" in page.content.decode() and "2:5" in page.content.decode()
    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("verification:done")
    assert done["Location"] == reverse("issuance:apply")
    assert SESSION_CHALLENGE not in client.session


def test_no_challenge_id_or_personal_data_in_any_url(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        started = _start_page(client, TANAKA)

    assert started["Location"] == "/verify/mobile/code/"
    challenge = MobileChallenge.objects.get()
    assert client.session[SESSION_CHALLENGE] == str(challenge.pk)


def test_wrong_code_on_the_page_shows_the_tries_left_with_400(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)

    response = client.post(
        reverse("verification:mobile-code"), {"code": other_code(latest_code(TANAKA))}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The code is not right" in html and "4 tries left" in html


def test_five_wrong_codes_on_the_page_lock_and_offer_a_fresh_start(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)
    code = latest_code(TANAKA)
    for _ in range(5):
        client.post(reverse("verification:mobile-code"), {"code": other_code(code)})

    response = client.post(reverse("verification:mobile-code"), {"code": code}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    html = response.content.decode()
    assert "locked" in html and reverse("verification:real_name", args=["new"]) in html
    assert 'name="code"' not in html


def test_extend_button_extends_once_then_explains(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)

    first = client.post(reverse("verification:mobile-extend"))
    page = client.get(reverse("verification:mobile-code"), HTTP_ACCEPT_LANGUAGE="en")
    second = client.post(reverse("verification:mobile-extend"), HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == 302 and first["Location"] == reverse("verification:mobile-code")
    assert "extended by 3 minutes" in page.content.decode()
    assert reverse("verification:mobile-extend") not in page.content.decode()  # the button is gone
    assert second.status_code == 400 and "only once" in second.content.decode()
    assert client.get(reverse("verification:mobile-extend")).status_code == 405


def test_mismatch_is_shown_on_the_form_with_400(demo, client):
    real_name_passed(client, KARIMOV)

    response = _start_page(client, KARIMOV)

    assert response.status_code == 400
    assert "portal-error-summary" in response.content.decode()
    assert not MobileChallenge.objects.exists()


def test_captcha_must_be_typed(demo, client):
    real_name_passed(client, TANAKA)

    response = _start_page(client, TANAKA, captcha_1="WRONG")

    assert response.status_code == 400
    assert not MobileChallenge.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_date": "1998-09-23"},
        {"birth_date": "19980231"},
        {"phone": "02-123-4567"},
        {"phone": "not a number"},
        {"telecom": "XX"},
        {"channel": "fax"},
        {"sex": "X"},
        {"nationality": "martian"},
        {"name": "R2D2"},
    ],
)
def test_bad_input_on_the_start_form_is_a_400_never_a_500(demo, client, bad):
    real_name_passed(client, TANAKA)

    assert _start_page(client, TANAKA, **bad).status_code == 400


def test_bad_code_input_is_a_400(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)

    for bad in ("", "12345", "abcdef", "1234567"):
        assert client.post(reverse("verification:mobile-code"), {"code": bad}).status_code == 400
    assert MobileChallenge.objects.get().failed_attempts == 0  # malformed input costs no try


def test_an_empty_post_is_validated_not_taken_for_a_first_visit(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    empty_start = client.post(reverse("verification:mobile-start"))
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)
    empty_code = client.post(reverse("verification:mobile-code"))

    assert empty_start.status_code == 400 and "telecom" in empty_start.context["form"].errors
    assert empty_code.status_code == 400 and "code" in empty_code.context["form"].errors
    assert MobileChallenge.objects.get().failed_attempts == 0


def test_pages_without_a_real_name_check_ask_to_start_again(demo, client):
    for name in ("verification:mobile-start", "verification:mobile-code", "verification:mobile-pass"):
        response = client.get(reverse(name))
        assert response.status_code == 400
        assert "verification/restart.html" in [t.name for t in response.templates]


def test_code_page_without_a_challenge_goes_to_the_form(demo, client):
    real_name_passed(client, TANAKA)

    assert client.get(reverse("verification:mobile-code"))["Location"] == reverse("verification:mobile-start")


def test_start_is_rate_limited_per_ip_with_a_friendly_429(demo, client):
    real_name_passed(client, TANAKA)
    for _ in range(20):
        assert _start_page(client, TANAKA, captcha_1="WRONG").status_code == 400

    response = _start_page(client, TANAKA)

    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert not MobileChallenge.objects.exists()


def test_code_entry_is_rate_limited_per_ip(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)
    for _ in range(30):
        client.post(reverse("verification:mobile-code"), {"code": "abc"})

    response = client.post(reverse("verification:mobile-code"), {"code": latest_code(TANAKA)})

    assert response.status_code == 429
    assert IdentityCheck.objects.get().verified_at is None


def test_proof_from_a_code_is_consumed_once_across_tabs_and_replays(demo, client, django_capture_on_commit_callbacks):
    real_name_passed(client, TANAKA)
    with django_capture_on_commit_callbacks(execute=True):
        _start_page(client, TANAKA)
    code = latest_code(TANAKA)
    client.post(reverse("verification:mobile-code"), {"code": code})

    replay = client.post(reverse("verification:mobile-code"), {"code": code})
    session = client.session
    first = identity_proof_consume(session=session, purpose="new")
    with pytest.raises(ApplicationError) as second:
        identity_proof_consume(session=client.session, purpose="new")

    assert replay.status_code == 400  # the check is no longer pending: start again, nothing verified twice
    assert first.method == "mobile"
    assert second.value.code == "PCC_VERIFICATION_REQUIRED"


def test_pass_journey_with_the_continue_button_and_no_javascript(demo, client):
    real_name_passed(client, TANAKA)
    started = _start_page(client, TANAKA, channel="pass")
    waiting = client.post(reverse("verification:mobile-pass"), HTTP_ACCEPT_LANGUAGE="en")
    push_request_decide(push=PushRequest.objects.get(), approve=True)
    status = client.get(reverse("verification:mobile-pass-status"))
    approved = client.post(reverse("verification:mobile-pass"))

    assert started["Location"] == reverse("verification:mobile-pass")
    assert waiting.status_code == 400 and "not been approved yet" in waiting.content.decode()
    assert status.json() == {"status": "approved"}
    assert approved.status_code == 302 and approved["Location"] == reverse("verification:done")
    assert IdentityCheck.objects.get().method == "mobile"


def test_pass_waiting_page_polls_with_a_static_script(demo, client):
    real_name_passed(client, TANAKA)
    _start_page(client, TANAKA, channel="pass")

    html = client.get(reverse("verification:mobile-pass")).content.decode()
    status = client.get(reverse("verification:mobile-pass-status"))

    assert 'src="/static/js/push-wait.js"' in html
    assert f'data-push-status-url="{reverse("verification:mobile-pass-status")}"' in html
    assert re.search(r"<script>", html) is None
    assert status.json() == {"status": "pending"}
    assert "no-store" in status["Cache-Control"]


def test_pass_status_of_another_session_is_not_found(demo, client):
    real_name_passed(client, TANAKA)
    _start_page(client, TANAKA, channel="pass")

    assert Client().get(reverse("verification:mobile-pass-status")).status_code == 404


def test_a_tampered_challenge_id_in_the_session_is_not_a_500(demo, client):
    real_name_passed(client, TANAKA)
    session = client.session
    session[SESSION_CHALLENGE] = "not-a-uuid"
    session.save()

    assert client.get(reverse("verification:mobile-code"))["Location"] == reverse("verification:mobile-start")
    assert client.get(reverse("verification:mobile-pass-status")).status_code == 404
