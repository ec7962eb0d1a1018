"""Simple certification (간편인증, DOMAIN.md §4, issue 4): a push to the provider's app, approved or
refused there, expiring after 5 minutes; the waiting page polls a session-bound JSON status and also
continues without JavaScript."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pcc_portal.exceptions import ApplicationError
from personal_data.contact import normalise_phone
from personal_data.identity import parse_resident_number
from tests.verification.phone_support import KARIMOV, NGUYEN, TANAKA, check_for, facts, real_name_passed
from verification.mobile import mobile_challenge_start
from verification.models import IdentityCheck, PushRequest, PushStatus
from verification.services import identity_proof_consume
from verification.simple import push_request_decide, simple_request_start, simple_request_status
from verification.views.simple import SESSION_REQUEST

pytestmark = pytest.mark.usefixtures("fresh_cache")


def _typed(person, **overrides) -> dict:
    return {
        "provider": "kakao",
        "name": person.subscriber_name or person.name,
        "birth_date": parse_resident_number(person.rrn).birth_date,
        "phone": person.phone,
        **overrides,
    }


def _error(callable_, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        callable_(**kwargs)
    return caught.value


# --- Services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["kakao", "naver", "toss", "pass", "payco"])
def test_approved_request_verifies_the_check_as_simple(demo, provider):
    check = check_for(TANAKA)
    push = simple_request_start(check=check, **_typed(TANAKA, provider=provider))

    before = simple_request_status(request_id=push.pk, check=check)
    push_request_decide(push=push, approve=True)
    after = simple_request_status(request_id=push.pk, check=check)

    assert (before, after) == (PushStatus.PENDING, PushStatus.APPROVED)
    check.refresh_from_db()
    assert check.method == "simple" and check.verified_at is not None
    assert check.phone == normalise_phone(TANAKA.phone)


def test_refused_request_does_not_verify(demo):
    check = check_for(TANAKA)
    push = simple_request_start(check=check, **_typed(TANAKA))
    push_request_decide(push=push, approve=False)

    assert simple_request_status(request_id=push.pk, check=check) == PushStatus.REFUSED
    check.refresh_from_db()
    assert check.verified_at is None


def test_request_expires_after_five_minutes(demo):
    check = check_for(TANAKA)
    push = simple_request_start(check=check, **_typed(TANAKA))
    lifetime = push.expires_at - timezone.now()
    PushRequest.objects.filter(pk=push.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    status = simple_request_status(request_id=push.pk, check=check)
    late = _error(push_request_decide, push=push, approve=True)

    assert datetime.timedelta(minutes=4, seconds=59) < lifetime <= datetime.timedelta(minutes=5)
    assert status == PushStatus.EXPIRED
    assert late.code == "PCC_PUSH_EXPIRED"
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.EXPIRED


def test_a_request_is_answered_only_once(demo):
    push = simple_request_start(check=check_for(TANAKA), **_typed(TANAKA))
    push_request_decide(push=push, approve=False)

    assert _error(push_request_decide, push=push, approve=True).code == "PCC_PUSH_ALREADY_DECIDED"
    assert PushRequest.objects.get(pk=push.pk).status == PushStatus.REFUSED


def test_a_new_request_replaces_the_pending_one(demo):
    check = check_for(TANAKA)
    first = simple_request_start(check=check, **_typed(TANAKA))
    simple_request_start(check=check, **_typed(TANAKA, provider="toss"))

    assert PushRequest.objects.get(pk=first.pk).status == PushStatus.EXPIRED
    assert _error(push_request_decide, push=first, approve=True).code == "PCC_PUSH_EXPIRED"


def test_account_name_other_than_the_arc_name_is_refused(demo):
    check = check_for(KARIMOV)

    error = _error(simple_request_start, check=check, **_typed(KARIMOV))

    assert error.code == "PCC_SIMPLE_NAME_NOT_ARC_NAME"
    assert not PushRequest.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "TANAKA YUKO"}, "PCC_SIMPLE_DETAILS_MISMATCH"),
        ({"birth_date": datetime.date(1998, 9, 24)}, "PCC_SIMPLE_DETAILS_MISMATCH"),
        ({"phone": "010-9876-5432"}, "PCC_SIMPLE_ACCOUNT_NOT_FOUND"),
        ({"provider": "cyworld"}, "PCC_SIMPLE_PROVIDER_UNKNOWN"),
        ({"phone": "02-123-4567"}, "PCC_SIMPLE_ACCOUNT_NOT_FOUND"),
    ],
)
def test_details_that_do_not_match_the_account_are_refused(demo, change, code):
    assert _error(simple_request_start, check=check_for(TANAKA), **_typed(TANAKA, **change)).code == code


def test_another_persons_account_is_refused(demo):
    assert (
        _error(simple_request_start, check=check_for(NGUYEN), **_typed(TANAKA)).code == "PCC_SIMPLE_NAME_NOT_ARC_NAME"
    )


def test_a_mobile_pass_push_cannot_verify_as_simple(demo):
    check = check_for(TANAKA)
    challenge = mobile_challenge_start(check=check, channel="pass", **facts(TANAKA))
    push_request_decide(push=challenge.push, approve=True)

    error = _error(simple_request_status, request_id=challenge.push_id, check=check)

    assert error.code == "PCC_SIMPLE_REQUEST_UNKNOWN"
    check.refresh_from_db()
    assert check.verified_at is None


def test_a_request_of_another_check_is_unknown(demo):
    push = simple_request_start(check=check_for(TANAKA), **_typed(TANAKA))
    push_request_decide(push=push, approve=True)

    error = _error(simple_request_status, request_id=push.pk, check=check_for(NGUYEN))

    assert error.code == "PCC_SIMPLE_REQUEST_UNKNOWN"


# --- Pages ---------------------------------------------------------------------------------------


def _form(person, **overrides) -> dict:
    return {
        "provider": "kakao",
        "name": person.name,
        "birth_date": f"{parse_resident_number(person.rrn).birth_date:%Y%m%d}",
        "phone": person.phone,
        **overrides,
    }


def _started(client, person=TANAKA, **overrides):
    real_name_passed(client, person)
    return client.post(reverse("verification:simple-start"), _form(person, **overrides))


def test_start_page_lists_the_providers_and_prefills_the_name(demo, client):
    real_name_passed(client, TANAKA)

    response = client.get(reverse("verification:simple-start"), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    for provider in ("kakao", "naver", "toss", "pass", "payco"):
        assert f'type="radio" name="provider" value="{provider}"' in html
    assert f'value="{TANAKA.name}"' in html


def test_simple_journey_polls_then_continues(demo, client):
    started = _started(client)
    waiting = client.get(reverse("verification:simple-wait"))
    pending = client.get(reverse("verification:simple-status"))
    push_request_decide(push=PushRequest.objects.get(), approve=True)
    approved = client.get(reverse("verification:simple-status"))
    continued = client.post(reverse("verification:simple-wait"))

    assert started.status_code == 302 and started["Location"] == reverse("verification:simple-wait")
    assert waiting.status_code == 200
    assert pending.json() == {"status": "pending"} and approved.json() == {"status": "approved"}
    assert continued.status_code == 302 and continued["Location"] == reverse("verification:done")
    assert IdentityCheck.objects.get().method == "simple"
    assert SESSION_REQUEST not in client.session


def test_polling_is_a_read_only_the_continue_post_verifies(demo, client):
    _started(client)
    push_request_decide(push=PushRequest.objects.get(), approve=True)

    client.get(reverse("verification:simple-status"))

    assert IdentityCheck.objects.get().verified_at is None


def test_waiting_page_uses_a_static_script_and_keeps_ids_out_of_urls(demo, client):
    _started(client)

    html = client.get(reverse("verification:simple-wait"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'src="/static/js/push-wait.js"' in html
    assert 'data-push-status-url="/verify/simple/status/"' in html
    assert "<script>" not in html and "style=" not in html
    assert "I approved it, continue" in html
    push = PushRequest.objects.get()
    assert str(push.pk) not in html and "2000-0006" not in html


def test_continue_without_javascript_before_approving_explains_with_400(demo, client):
    _started(client)

    response = client.post(reverse("verification:simple-wait"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "not been approved yet" in response.content.decode()
    assert IdentityCheck.objects.get().verified_at is None


def test_refused_request_shows_what_to_do_with_400(demo, client):
    _started(client)
    push_request_decide(push=PushRequest.objects.get(), approve=False)

    status = client.get(reverse("verification:simple-status"))
    response = client.post(reverse("verification:simple-wait"), HTTP_ACCEPT_LANGUAGE="en")

    assert status.json() == {"status": "refused"}
    assert response.status_code == 400 and "refused" in response.content.decode()
    # A decided request stops the polling, so the page cannot submit itself again and again.
    assert "data-push-status-url" not in response.content.decode()


def test_continuing_too_early_keeps_polling(demo, client):
    _started(client)

    response = client.post(reverse("verification:simple-wait"))

    assert 'data-push-status-url="/verify/simple/status/"' in response.content.decode()


def test_expired_request_shows_status_expired(demo, client):
    _started(client)
    PushRequest.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    status = client.get(reverse("verification:simple-status"))
    response = client.post(reverse("verification:simple-wait"), HTTP_ACCEPT_LANGUAGE="en")

    assert status.json() == {"status": "expired"}
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_status_is_bound_to_the_session(demo, client):
    _started(client)

    other = Client().get(reverse("verification:simple-status"))

    assert other.status_code == 404 and other.json() == {"status": "unknown"}
    assert client.post(reverse("verification:simple-status")).status_code == 405


def test_mismatch_is_shown_on_the_form_with_400(demo, client):
    response = _started(client, KARIMOV, name=KARIMOV.name)

    assert response.status_code == 400
    assert "portal-error-summary" in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [{"provider": "x"}, {"birth_date": "98-09-23"}, {"phone": "hello"}, {"name": ""}, {"birth_date": "20991231"}],
)
def test_bad_input_is_a_400_never_a_500(demo, client, bad):
    assert _started(client, **bad).status_code == 400


def test_an_empty_post_is_validated_not_taken_for_a_first_visit(demo, client):
    real_name_passed(client, TANAKA)

    response = client.post(reverse("verification:simple-start"))

    assert response.status_code == 400 and "provider" in response.context["form"].errors
    assert not PushRequest.objects.exists()


def test_start_is_rate_limited_per_ip(demo, client):
    real_name_passed(client, TANAKA)
    for _ in range(20):
        client.post(reverse("verification:simple-start"), _form(TANAKA, phone="bad"))

    response = client.post(reverse("verification:simple-start"), _form(TANAKA))

    assert response.status_code == 429
    assert not PushRequest.objects.exists()


def test_proof_is_consumed_once(demo, client):
    _started(client)
    push_request_decide(push=PushRequest.objects.get(), approve=True)
    client.post(reverse("verification:simple-wait"))

    first = identity_proof_consume(session=client.session, purpose="new")
    with pytest.raises(ApplicationError) as second:
        identity_proof_consume(session=client.session, purpose="new")
    replay = client.post(reverse("verification:simple-wait"))

    assert first.method == "simple"
    assert second.value.code == "PCC_VERIFICATION_REQUIRED"
    assert replay.status_code == 400


def test_pages_without_a_real_name_check_ask_to_start_again(demo, client):
    for name in ("verification:simple-start", "verification:simple-wait"):
        response = client.get(reverse(name))
        assert response.status_code == 400
    assert client.get(reverse("verification:simple-status")).status_code == 404


def test_push_wait_script_polls_every_two_seconds_and_submits_the_continue_form():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "js" / "push-wait.js").read_text()

    assert re.search(r"intervalMs\s*=\s*2000", script)
    assert "data-push-status-url" in script and "form.submit()" in script
