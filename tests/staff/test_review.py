"""Issuance-log review (issue 5, "Admin review"): the filters, the office scope of supervisors, the
search by code, one code's history and its access record, and the streaming CSV export (masked codes,
a required reason, one access record per export)."""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AccessAction, AccessPurpose, AccessRecord
from issuance.codes import mask_code
from issuance.models import CodeEvent, SuspensionReason, VerificationMethod
from issuance.services import code_issue, code_suspend
from personal_data.contact import normalise_phone
from staff.review import EXPORT_COLUMNS, EventFilters, code_events_export, code_events_filter
from staff.roles import Role
from staff.services import StaffForbidden, staff_actor, staff_profile_of
from tests.factories import ONLINE, HolderDetailsFactory
from tests.staff.conftest import sign_in

KOREA = ZoneInfo("Asia/Seoul")
EVENTS = "/staff/review/events/"
EXPORT = "/staff/review/events/export/"
DASHBOARD = "/staff/review/dashboard/"
REASON = "Monthly review of counter issuance"


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English (the msgids); the site's default language is Korean."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _client_for(user) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def _counter_issue(user, **details):
    actor = staff_actor(staff_profile_of(user), method=VerificationMethod.ALIEN_REGISTRATION_CARD)
    return code_issue(details=HolderDetailsFactory(**details), actor=actor)


def _online_issue(**details):
    return code_issue(details=HolderDetailsFactory(**details), actor=ONLINE)


def _listed(client, **params) -> set[tuple[int, str]]:
    response = client.get(EVENTS, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return {(event.code_id, event.kind) for event in response.context["page"].object_list}


def _csv(response) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def incheon_officer(make_staff, incheon):
    return make_staff(Role.COUNTER_OFFICER, incheon, "officer.test.incheon")


@pytest.fixture
def log(officer, incheon_officer):
    """An online issue (mobile), a Seoul and an Incheon counter issue, and an ex officio suspension at
    the Seoul counter."""
    online = _online_issue()
    seoul_code = _counter_issue(officer)
    incheon_code = _counter_issue(incheon_officer)
    code_suspend(code=seoul_code, reason=SuspensionReason.EX_OFFICIO, actor=staff_actor(staff_profile_of(officer)))
    return {"online": online, "seoul": seoul_code, "incheon": incheon_code}


# --- The list and its filters ------------------------------------------------------------------------


def test_each_filter_narrows_the_list_to_the_matching_events(administrator_client, log):
    online, seoul, incheon = log["online"].pk, log["seoul"].pk, log["incheon"].pk
    everything = {(online, "issued"), (seoul, "issued"), (incheon, "issued"), (seoul, "suspended")}

    assert _listed(administrator_client) == everything
    assert _listed(administrator_client, channel="online") == {(online, "issued")}
    assert _listed(administrator_client, channel="counter") == everything - {(online, "issued")}
    assert _listed(administrator_client, channel="system") == set()
    assert _listed(administrator_client, office="incheon") == {(incheon, "issued")}
    assert _listed(administrator_client, office="seoul") == {(seoul, "issued"), (seoul, "suspended")}
    assert _listed(administrator_client, method="mobile") == {(online, "issued")}
    assert _listed(administrator_client, method="arc") == {(seoul, "issued"), (incheon, "issued")}
    assert _listed(administrator_client, kind="suspended") == {(seoul, "suspended")}
    # Status is the code's status now: both events of the suspended code.
    assert _listed(administrator_client, status="suspended") == {(seoul, "issued"), (seoul, "suspended")}
    assert _listed(administrator_client, channel="counter", kind="issued", office="seoul") == {(seoul, "issued")}


def _issue_at(moment: datetime.datetime, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: moment)
    code = _online_issue()
    monkeypatch.undo()
    return code


def test_date_range_is_inclusive_in_korean_days(administrator_client, monkeypatch):
    before = _issue_at(datetime.datetime(2026, 2, 28, 23, 59, 59, tzinfo=KOREA), monkeypatch)
    # 00:30 on 1 March in Seoul is still 28 February in UTC: the filter counts Korean days.
    first = _issue_at(datetime.datetime(2026, 3, 1, 0, 30, tzinfo=KOREA), monkeypatch)
    last = _issue_at(datetime.datetime(2026, 3, 31, 23, 59, 59, tzinfo=KOREA), monkeypatch)
    after = _issue_at(datetime.datetime(2026, 4, 1, 0, 0, tzinfo=KOREA), monkeypatch)

    march = _listed(administrator_client, date_from="2026-03-01", date_to="2026-03-31")
    assert march == {(first.pk, "issued"), (last.pk, "issued")}
    assert _listed(administrator_client, date_from="2026-03-01", date_to="2026-03-01") == {(first.pk, "issued")}
    assert _listed(administrator_client, date_to="2026-02-28") == {(before.pk, "issued")}
    assert _listed(administrator_client, date_from="2026-04-01") == {(after.pk, "issued")}
    # Korean ways of writing a date work too.
    assert _listed(administrator_client, date_from="2026.03.31", date_to="20260331") == {(last.pk, "issued")}


def test_list_is_newest_first_paginated_and_keeps_filters_in_page_links(administrator_client, monkeypatch):
    codes = [_issue_at(datetime.datetime(2026, 3, day, 12, 0, tzinfo=KOREA), monkeypatch) for day in (1, 2, 3)]
    monkeypatch.setattr("staff.views.review.EVENTS_PER_PAGE", 2)

    first = administrator_client.get(EVENTS, {"channel": "online"})
    assert [event.code_id for event in first.context["page"].object_list] == [codes[2].pk, codes[1].pk]
    assert 'class="krds-pagination"' in first.content.decode()
    assert "?channel=online&amp;page=2" in first.content.decode()
    second = administrator_client.get(EVENTS, {"channel": "online", "page": 2})
    assert [event.code_id for event in second.context["page"].object_list] == [codes[0].pk]
    # A page number that is not one is the nearest page, not an error.
    assert administrator_client.get(EVENTS, {"page": "abc"}).status_code == 200


def test_list_shows_codes_masked_and_the_staff_member_by_username(administrator_client, log):
    page = administrator_client.get(EVENTS).content.decode()
    for code in log.values():
        assert code.number not in page
        assert mask_code(code.number) in page
    assert "officer.test.seoul" in page
    assert "officer.test.incheon" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "yesterday"}, "Enter a date as year-month-day, for example 2026-03-01."),
        ({"date_to": "2026-02-30"}, "Enter a date as year-month-day, for example 2026-03-01."),
        ({"date_to": "9999-12-31"}, "Enter a date between 2000-01-01 and 2099-12-31."),
        ({"date_from": "0001-01-01"}, "Enter a date between 2000-01-01 and 2099-12-31."),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "The end date must be the same as or later than the start date.",
        ),
        ({"channel": "fax"}, "Choose one of the options in the list."),
        ({"office": "nowhere"}, "Choose one of the options in the list."),
        ({"method": "telepathy"}, "Choose one of the options in the list."),
        ({"kind": "deleted"}, "Choose one of the options in the list."),
        ({"status": "lost"}, "Choose one of the options in the list."),
    ],
)
def test_bad_filter_input_is_a_400_page_with_the_message_never_a_500(administrator_client, params, message):
    response = administrator_client.get(EVENTS, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["page"] is None

    export = administrator_client.post(EXPORT, {**params, "reason": REASON})
    assert export.status_code == 400
    assert message in export.content.decode()
    assert not AccessRecord.objects.filter(record_type="issuance_log").exists()


# --- Who may review what ---------------------------------------------------------------------------------


def test_counter_officer_is_refused_every_review_page(officer_client, log):
    code = log["seoul"]
    for url in (EVENTS, EXPORT, f"/staff/review/codes/{code.pk}/", DASHBOARD):
        assert officer_client.get(url).status_code == 403, url
    assert officer_client.post(EXPORT, {"reason": REASON}).status_code == 403
    assert officer_client.post(EVENTS, {"code": code.number}).status_code == 403
    assert not AccessRecord.objects.exists()


def test_seoul_supervisor_never_sees_an_incheon_event(supervisor, log):
    client = _client_for(supervisor)
    seoul, incheon = log["seoul"], log["incheon"]

    listed = _listed(client)
    assert listed == {(seoul.pk, "issued"), (seoul.pk, "suspended")}
    assert mask_code(incheon.number) not in client.get(EVENTS).content.decode()
    # Asking for Incheon's events is not a choice they have.
    assert client.get(EVENTS, {"office": "incheon"}).status_code == 400
    # The history of an Incheon code, by address or by search, is not found for them.
    assert client.get(f"/staff/review/codes/{incheon.pk}/").status_code == 404
    search = client.post(EVENTS, {"code": incheon.number})
    assert search.status_code == 404
    assert "No code with this number is in the log you can review." in search.content.decode()
    # Supervisors do not export at all.
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"reason": REASON}).status_code == 403
    # The scope is the service's rule, not only the page's.
    with pytest.raises(StaffForbidden):
        code_events_filter(user=supervisor, filters=EventFilters(office=incheon.office))
    with pytest.raises(StaffForbidden):
        code_events_export(user=supervisor, ip_address=None, filters=EventFilters(), reason=REASON)
    assert not AccessRecord.objects.filter(record_type="code", record_id=str(incheon.pk)).exists()


def test_supervisor_may_open_a_code_with_an_event_at_their_office(supervisor, officer, log):
    """An online code suspended at the Seoul counter appears in the Seoul log, so its history opens."""
    online = log["online"]
    code_suspend(code=online, reason=SuspensionReason.EX_OFFICIO, actor=staff_actor(staff_profile_of(officer)))
    client = _client_for(supervisor)
    assert (online.pk, "suspended") in _listed(client)
    assert client.get(f"/staff/review/codes/{online.pk}/").status_code == 200


# --- Search by code and one code's history --------------------------------------------------------------


def test_search_by_code_is_a_post_that_leads_to_the_history_without_the_code_in_the_url(administrator_client, log):
    code = log["incheon"]
    typed = f"{code.number[:5]} {code.number[5:9]}-{code.number[9:]}".lower()
    response = administrator_client.post(EVENTS, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/review/codes/{code.pk}/"
    assert code.number not in response["Location"]


def test_search_by_a_malformed_code_is_a_400_with_the_message(administrator_client, log):
    response = administrator_client.post(EVENTS, {"code": "P26123"})
    assert response.status_code == 400
    assert "A personal customs code is the letter P followed by 12 digits" in response.content.decode()


def test_code_history_shows_every_event_and_writes_an_access_record(administrator, administrator_client, log):
    code = log["seoul"]
    response = administrator_client.get(f"/staff/review/codes/{code.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [event.kind for event in response.context["events"]] == ["issued", "suspended"]
    assert code.number not in page
    assert mask_code(code.number) in page
    assert "Suspended by customs" in page
    # The link to the access records of this holder, by the agreed parameter.
    assert f'href="/staff/access-records/?holder={code.holder_id}"' in page

    record = AccessRecord.objects.get()
    assert record.actor_user == administrator
    assert record.action == AccessAction.VIEW
    assert record.purpose == AccessPurpose.LOG_REVIEW
    assert (record.record_type, record.record_id) == ("code", str(code.pk))
    assert record.holder_id == code.holder_id
    assert record.fields == ["code", "history"]
    assert record.ip_address == "127.0.0.1"


def test_supervisor_sees_the_history_but_no_link_to_access_records(supervisor, log):
    response = _client_for(supervisor).get(f"/staff/review/codes/{log['seoul'].pk}/")
    assert response.status_code == 200
    assert "/staff/access-records/" not in response.content.decode()
    assert AccessRecord.objects.filter(record_type="code", actor_user=supervisor).count() == 1


def test_unknown_code_history_is_404_and_writes_nothing(administrator_client, db):
    assert administrator_client.get("/staff/review/codes/999999/").status_code == 404
    assert not AccessRecord.objects.exists()


# --- Export ----------------------------------------------------------------------------------------------


def test_export_contains_no_unmasked_identifiers(administrator_client, officer):
    people = [
        {
            "name": "HONG GILDONG TEST",
            "resident_number": "900101-5123457",
            "mobile": "010-3456-7890",
            "email": "hong.gildong@example.org",
        },
        {
            "name": "TRAN THI MAI",
            "resident_number": "911231-6234561",
            "mobile": "010-9876-5432",
            "email": "tran.mai@example.org",
        },
    ]
    codes = [_counter_issue(officer, **people[0]), _online_issue(**people[1])]

    text = _csv(administrator_client.post(EXPORT, {"reason": REASON}))

    for code in codes:
        assert code.number not in text
        assert mask_code(code.number) in text
    for person in people:
        rrn = person["resident_number"]
        for secret in (person["name"], rrn, rrn.replace("-", ""), person["mobile"], person["email"]):
            assert secret not in text
        assert normalise_phone(person["mobile"]) not in text
        assert person["mobile"].replace("-", "") not in text
    # No 13-character code and no 13-digit number of any kind slipped through.
    assert not re.search(r"P[0-9]{12}", text)
    assert not re.search(r"[0-9]{13}", text)


def test_export_is_a_streaming_csv_attachment_with_the_agreed_columns(auditor, officer):
    code = _counter_issue(officer)
    response = _client_for(auditor).post(EXPORT, {"reason": REASON, "channel": "counter"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="issuance-log-')
    text = _csv(response)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(EXPORT_COLUMNS)
    event = CodeEvent.objects.get(code=code)
    expected_time = event.occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rows[1:] == [
        [
            expected_time,
            mask_code(code.number),
            "issued",
            "counter",
            "seoul",
            "arc",
            "staff",
            "officer.test.seoul",
            "",
            "active",
        ]
    ]


def test_export_follows_the_filters(administrator_client, log):
    text = _csv(administrator_client.post(EXPORT, {"reason": REASON, "office": "incheon"}))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    assert [row[1] for row in rows] == [mask_code(log["incheon"].number)]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason for this export."),
        ("   ", "Give the reason for this export."),
        ("too short", "Write the reason in at least 10 characters."),
        ("x" * 201, "Write the reason in at most 200 characters."),
    ],
)
def test_export_requires_a_reason_and_writes_nothing_without_one(administrator_client, log, reason, message):
    response = administrator_client.post(EXPORT, {"reason": reason, "channel": "counter"})
    assert response.status_code == 400
    assert not response.streaming
    page = response.content.decode()
    assert message in page
    # The filters are kept for the next try.
    assert '<input type="hidden" name="channel" value="counter">' in page
    assert not AccessRecord.objects.exists()


def test_export_service_refuses_a_missing_reason_too(administrator, log):
    with pytest.raises(Exception, match="PCC_EXPORT_REASON_REQUIRED"):
        code_events_export(user=administrator, ip_address=None, filters=EventFilters(), reason=" short ")
    assert not AccessRecord.objects.exists()


def test_each_export_writes_exactly_one_access_record_with_its_reason(administrator, administrator_client, log):
    _csv(administrator_client.post(EXPORT, {"reason": REASON, "channel": "counter", "office": "seoul"}))

    record = AccessRecord.objects.get()
    assert record.actor_user == administrator
    assert record.action == AccessAction.DOWNLOAD
    assert record.purpose == AccessPurpose.LOG_REVIEW
    assert record.reason == REASON
    assert record.record_type == "issuance_log"
    assert record.record_id == "channel=counter office=seoul"
    assert record.holder is None
    assert record.fields == sorted(EXPORT_COLUMNS)

    _csv(administrator_client.post(EXPORT, {"reason": "Second export for the audit"}))
    assert AccessRecord.objects.count() == 2
    assert AccessRecord.objects.order_by("-sequence").first().record_id == "all"


def test_export_page_asks_for_the_reason_and_carries_the_filters(administrator_client, log):
    response = administrator_client.get(EXPORT, {"channel": "counter", "date_from": "2026-03-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'method="post"' in page
    assert '<input type="hidden" name="channel" value="counter">' in page
    assert '<input type="hidden" name="date_from" value="2026-03-01">' in page
    assert "Customs counter" in page  # the filters in words
    assert not AccessRecord.objects.exists()  # only the download itself is recorded


def test_review_pages_have_no_style_attributes_or_inline_script(administrator_client, log):
    for url in (EVENTS, EXPORT, f"/staff/review/codes/{log['seoul'].pk}/"):
        page = administrator_client.get(url).content.decode()
        assert " style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
