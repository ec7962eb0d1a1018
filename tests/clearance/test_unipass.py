"""The UNI-PASS-compatible endpoint, parsed the way forwarders' existing clients parse it."""

import datetime
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from clearance import matching
from clearance.models import CheckResult, CodeCheck
from clearance.services import api_client_create, api_client_rotate_key, api_client_set_active
from issuance.codes import verhoeff_check_digit
from issuance.models import Code, CodeStatus, Holder, SuspensionReason, TerminationReason
from issuance.services import code_suspend, code_terminate

URL = "/ext/rest/persEcmQry/retrievePersEcm"
pytestmark = pytest.mark.django_db


def ask(client, **params):
    response = client.get(URL, params)
    assert response["Content-Type"] == "application/xml; charset=UTF-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "persEcmQryRtnVo"
    count = int(root.findtext("tCnt"))
    messages = [element.text for element in root.findall("persEcmQryRtnErrInfoVo/errMsgCn")]
    return response.status_code, count, messages


def korean(reason):
    from django.utils import translation

    with translation.override("ko"):
        return str(matching.REASON_MESSAGES[reason])


@pytest.fixture
def params(api_key, issued_code, details):
    return {
        "crkyCn": api_key,
        "persEcm": issued_code.number,
        "pltxNm": details.name,
        "cralTelno": details.mobile.replace("-", ""),
        "custPsno": details.postcode,
    }


def test_matching_details_answer_tcnt_1_without_error_info(client, params):
    assert ask(client, **params) == (200, 1, [])


def test_dashes_in_phone_and_spaces_or_case_in_name_are_tolerated(client, params, details):
    params |= {"cralTelno": details.mobile, "pltxNm": details.name.lower().replace(" ", "")}
    assert ask(client, **params)[1] == 1


def test_english_name_telephone_and_delivery_postcode_match_too(client, params, details):
    params |= {"pltxNm": details.english_name, "cralTelno": "0221002114", "custPsno": "48099"}
    assert ask(client, **params)[1] == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"crkyCn": ""}, matching.API_KEY_MISSING),
        ({"crkyCn": "pcc_not-a-key"}, matching.API_KEY_INVALID),
        ({"persEcm": ""}, matching.CODE_MISSING),
        ({"pltxNm": ""}, matching.NAME_MISSING),
        ({"cralTelno": ""}, matching.PHONE_MISSING),
        ({"custPsno": ""}, matching.POSTCODE_MISSING),
        ({"persEcm": "P2612345"}, matching.CODE_FORMAT),
        ({"pltxNm": "SOMEONE ELSE"}, matching.NAME_MISMATCH),
        ({"cralTelno": "01099998888"}, matching.PHONE_MISMATCH),
        ({"custPsno": "06050"}, matching.POSTCODE_MISMATCH),
    ],
)
def test_each_cause_gets_tcnt_0_and_its_korean_message(client, params, change, reason):
    assert ask(client, **(params | change)) == (200, 0, [korean(reason)])


def test_wrong_check_digit_is_its_own_cause(client, params):
    number = params["persEcm"]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert ask(client, **(params | {"persEcm": wrong}))[2] == [korean(matching.CODE_CHECK_DIGIT)]


@pytest.mark.parametrize("status", ["suspended", "expired", "terminated"])
def test_unknown_and_unusable_codes_get_the_same_not_in_use_answer(client, params, issued_code, online, status):
    not_in_use = (200, 0, [korean(matching.CODE_NOT_IN_USE)])
    assert ask(client, **(params | {"persEcm": "P26999999999" + verhoeff_check_digit("26999999999")})) == not_in_use
    if status == "suspended":
        code_suspend(code=issued_code, reason=SuspensionReason.THEFT_REPORT, actor=online)
    elif status == "expired":
        Code.objects.filter(pk=issued_code.pk).update(status=CodeStatus.EXPIRED)
    else:
        code_terminate(code=issued_code, reason=TerminationReason.VOLUNTARY, actor=online)
    assert ask(client, **params) == not_in_use


def test_several_mismatches_each_get_a_message(client, params):
    _, count, messages = ask(client, **(params | {"pltxNm": "NOBODY", "cralTelno": "01000000000"}))
    assert count == 0
    assert messages == [korean(matching.NAME_MISMATCH), korean(matching.PHONE_MISMATCH)]


def test_holders_on_the_old_rule_are_checked_without_postcode(client, params, issued_code):
    Holder.objects.filter(pk=issued_code.holder_id).update(details_updated_on=datetime.date(2025, 11, 20))
    assert ask(client, **(params | {"custPsno": ""}))[1] == 1
    assert ask(client, **(params | {"custPsno": "06050"}))[1] == 1  # not compared for them


def test_tenth_mismatch_locks_the_code_for_that_client_only(client, params, forwarder):
    for _ in range(10):
        assert ask(client, **(params | {"pltxNm": "GUESS"}))[2] == [korean(matching.NAME_MISMATCH)]
    # Even the right details are not compared any more.
    assert ask(client, **params) == (200, 0, [korean(matching.CODE_LOCKED)])
    _other, other_key = api_client_create(name="Other forwarder", scopes=["verify"])
    assert ask(client, **(params | {"crkyCn": other_key}))[1] == 1


def test_lock_lifts_when_the_mismatches_are_older_than_24_hours(client, params, forwarder, issued_code):
    for _ in range(9):
        ask(client, **(params | {"pltxNm": "GUESS"}))
    old = timezone.now() - datetime.timedelta(hours=25)
    CodeCheck.objects.bulk_create(
        [CodeCheck(client=forwarder, occurred_at=old, channel="api", result=CheckResult.MISMATCH, code=issued_code)]
    )
    assert ask(client, **params)[1] == 1  # 9 within 24 h + 1 older: not locked


def test_disabled_client_and_rotated_key_are_refused(client, params, forwarder, api_key):
    new_key = api_client_rotate_key(client=forwarder)
    assert ask(client, **params)[2] == [korean(matching.API_KEY_INVALID)]
    assert ask(client, **(params | {"crkyCn": new_key}))[1] == 1
    api_client_set_active(client=forwarder, active=False)
    assert ask(client, **(params | {"crkyCn": new_key}))[2] == [korean(matching.API_KEY_INVALID)]


def test_client_without_verify_scope_is_refused(client, params):
    _declarer, key = api_client_create(name="Declarations only", scopes=["declare"])
    assert ask(client, **(params | {"crkyCn": key}))[2] == [korean(matching.SCOPE_MISSING)]


def test_rate_limit_answers_429_with_retry_after(client, params, forwarder):
    forwarder.rate_limit = "3/m"
    forwarder.save()
    for _ in range(3):
        assert ask(client, **params)[0] == 200
    response = client.get(URL, params)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert ElementTree.fromstring(response.content).findtext("tCnt") == "0"


def test_every_call_is_logged_without_the_submitted_values(client, params, forwarder, issued_code, details):
    ask(client, **params)
    ask(client, **(params | {"pltxNm": "WRONG NAME"}))
    ask(client, **(params | {"persEcm": "bad"}))
    checks = list(CodeCheck.objects.order_by("id").values("client", "result", "reasons", "code", "holder", "channel"))
    assert [c["result"] for c in checks] == ["match", "mismatch", "refused"]
    assert checks[0]["code"] == issued_code.pk and checks[0]["holder"] == issued_code.holder_id
    assert checks[2]["code"] is None
    stored = str(list(CodeCheck.objects.values()))
    for value in (details.name, details.mobile.replace("-", ""), "WRONG NAME", issued_code.number):
        assert value not in stored


def test_post_is_not_allowed(client, params):
    assert client.post(URL, params).status_code == 405
