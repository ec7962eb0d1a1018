"""The auditors' pages of the access records (issue 5, "Access records"): who may see them, the
filters, the search by code, the CSV export with its reason, the access record each page writes, and
the read-only admin (auditors cannot change anything; nobody can change a record)."""

import csv
import datetime
import io
import uuid

import pytest
from django.test import Client

from audit.models import AccessAction, AccessPurpose, AccessRecord
from audit.selectors import COLUMNS
from audit.services import access_log_verify, access_record_write
from issuance.services import code_issue
from staff.models import RoleChangeAction, StaffProfile, StaffRoleChange
from staff.periods import KOREA
from staff.roles import Role
from tests.audit.tampering import place_at
from tests.factories import ONLINE, HolderDetailsFactory
from tests.staff.conftest import STAFF_PASSWORD, sign_in

RECORDS = "/staff/access-records/"
EXPORT = "/staff/access-records/export/"
REPORT = "/staff/access-records/report/"
REASON = "Quarterly audit of counter look-ups"


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English (the msgids); the site's default language is Korean."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _client_for(user) -> Client:
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def _write(user, *, holder=None, action=AccessAction.VIEW, purpose=AccessPurpose.COUNTER_REQUEST, **extra):
    return access_record_write(
        user=user,
        ip_address=extra.pop("ip", "192.0.2.10"),
        action=action,
        purpose=purpose,
        record_type=extra.pop("record_type", "holder"),
        record_id=str(holder.pk) if holder else "",
        holder=holder,
        fields=extra.pop("fields", ["name", "address"]),
        **extra,
    )


def _listed(client, **params) -> list[int]:
    response = client.get(RECORDS, params)
    assert response.status_code == 200, response.content.decode()[:3000]
    return [record.sequence for record, _role, _office in response.context["rows"]]


def _audit_records():
    return AccessRecord.objects.filter(purpose=AccessPurpose.AUDIT).order_by("sequence")


def _csv(response) -> str:
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def people(db):
    codes = [code_issue(details=HolderDetailsFactory(), actor=ONLINE) for _ in range(2)]
    return codes


@pytest.fixture
def log(officer, supervisor, people):
    """Records 1-4: the officer views person A twice and corrects B; the supervisor prints A for a
    misuse investigation."""
    a, b = people[0].holder, people[1].holder
    return [
        _write(officer, holder=a),
        _write(officer, holder=a),
        _write(officer, holder=b, action=AccessAction.CHANGE, purpose=AccessPurpose.CORRECTION),
        _write(supervisor, holder=a, action=AccessAction.PRINT, purpose=AccessPurpose.MISUSE_INVESTIGATION),
    ]


# --- who may see them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [RECORDS, EXPORT, REPORT])
@pytest.mark.parametrize("who", ["officer_client", "supervisor_client"])
def test_counter_officers_and_supervisors_are_refused(db, request, who, url):
    client = request.getfixturevalue(who)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": REASON, "code": "P000000000000"}).status_code == 403
    assert not _audit_records().exists()


@pytest.mark.parametrize("url", [RECORDS, EXPORT, REPORT])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.parametrize("who", ["auditor_client", "administrator_client"])
def test_auditors_and_administrators_see_the_list_newest_first(db, request, log, who):
    client = request.getfixturevalue(who)
    assert _listed(client) == [4, 3, 2, 1]


def test_list_shows_time_in_utc_actor_role_office_address_and_fields(auditor_client, log):
    when = datetime.datetime(2026, 3, 2, 23, 30, 15, tzinfo=KOREA)  # 14:30:15 UTC
    place_at({log[3]: when})
    page = auditor_client.get(RECORDS).content.decode()
    assert "2026-03-02 14:30:15" in page
    assert "supervisor.test.seoul" in page
    assert "Supervisor" in page
    assert "Seoul Main Customs" in page
    assert "192.0.2.10" in page
    assert "Misuse investigation" in page
    assert "address, name" in page


def test_viewing_the_list_writes_one_access_record_per_page_view(auditor_client, auditor, log):
    auditor_client.get(RECORDS)
    (record,) = _audit_records()
    assert (record.actor_user, record.action, record.purpose, record.record_type) == (
        auditor,
        AccessAction.VIEW,
        AccessPurpose.AUDIT,
        "access_records",
    )
    assert record.fields == sorted(COLUMNS)
    assert record.holder is None
    auditor_client.get(RECORDS, {"page": 1})
    assert _audit_records().count() == 2
    assert access_log_verify().intact


def test_list_paginates_fifty_a_page(auditor_client, officer, people):
    for _ in range(55):
        _write(officer, holder=people[0].holder)
    assert _listed(auditor_client)[:2] == [55, 54]
    # Viewing page 1 wrote record 56, so page 2 starts one record later.
    assert _listed(auditor_client, page=2) == [6, 5, 4, 3, 2, 1]


# --- filters ------------------------------------------------------------------------------------------


def test_filter_by_actor(auditor_client, log):
    assert _listed(auditor_client, actor="officer.test.seoul") == [3, 2, 1]
    assert _listed(auditor_client, actor="nobody") == []


def test_filter_by_action_purpose_and_record_type(auditor_client, log, officer):
    _write(officer, record_type="code")
    assert _listed(auditor_client, action="print") == [4]
    assert _listed(auditor_client, purpose="correction") == [3]
    assert _listed(auditor_client, record_type="code") == [5]


def test_filter_by_holder(auditor_client, log, people):
    assert _listed(auditor_client, holder=str(people[0].holder_id)) == [4, 2, 1]
    assert _listed(auditor_client, holder=str(uuid.uuid4())) == []


def test_filter_by_korean_days_both_ends_included(auditor_client, log):
    place_at(
        {
            log[0]: datetime.datetime(2026, 3, 1, 23, 59, 59, tzinfo=KOREA),
            log[1]: datetime.datetime(2026, 3, 2, 0, 0, 0, tzinfo=KOREA),  # 1 March 15:00 UTC
            log[2]: datetime.datetime(2026, 3, 3, 23, 59, 59, tzinfo=KOREA),
            log[3]: datetime.datetime(2026, 3, 4, 0, 0, 0, tzinfo=KOREA),
        }
    )
    assert _listed(auditor_client, date_from="2026-03-02", date_to="2026-03-03") == [3, 2]
    assert _listed(auditor_client, date_from="2026-03-04", date_to="2026-03-04") == [4]
    assert _listed(auditor_client, date_to="2026-03-01") == [1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "The end date must be the same as or later"),
        ({"date_from": "2026-13-45"}, "Enter a date as year-month-day"),
        ({"date_to": "1999-12-31"}, "Enter a date between 2000-01-01 and 2099-12-31."),
        ({"holder": "not-a-uuid"}, "A holder id is a UUID"),
        ({"holder": "'; DROP TABLE audit_accessrecord; --"}, "A holder id is a UUID"),
        ({"action": "erase"}, "Choose one of the options in the list."),
        ({"purpose": "curiosity"}, "Choose one of the options in the list."),
        ({"record_type": "Holder!"}, "A record type is lower-case letters and underscores"),
        ({"record_type": "x" * 31}, "A record type is lower-case letters and underscores"),
        ({"actor": "x" * 151}, "A username has at most 150 characters."),
    ],
)
def test_invalid_filters_are_a_400_with_a_message_and_no_list(auditor_client, log, params, message):
    response = auditor_client.get(RECORDS, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["rows"] is None
    assert not _audit_records().exists()


def test_invalid_filter_message_is_in_korean_on_a_korean_page(auditor_client, log):
    from django.utils import translation

    response = auditor_client.get(RECORDS, {"holder": "x"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    with translation.override("ko"):
        expected = str(response.context["filter_form"].fields["holder"].error_messages["invalid"])
    assert expected in response.content.decode()
    assert '<html lang="ko">' in response.content.decode()


def test_a_bad_page_number_shows_a_page_not_an_error(auditor_client, log):
    assert auditor_client.get(RECORDS, {"page": "x"}).status_code == 200
    assert auditor_client.get(RECORDS, {"page": "999"}).status_code == 200


# --- search by code -----------------------------------------------------------------------------------


def test_search_by_code_redirects_to_the_holder_filter_without_the_code_in_the_url(auditor_client, log, people):
    code = people[0]
    response = auditor_client.post(f"{RECORDS}?actor=officer.test.seoul", {"code": code.number.lower()})
    assert response.status_code == 302
    location = response["Location"]
    assert f"holder={code.holder_id}" in location
    assert "actor=officer.test.seoul" in location
    assert code.number not in location and code.number[1:] not in location
    assert not _audit_records().exists()  # resolving shows nothing; the list it leads to is recorded
    assert _listed(auditor_client, holder=str(code.holder_id)) == [4, 2, 1]


def test_search_by_unknown_code_says_so(auditor_client, log):
    response = auditor_client.post(RECORDS, {"code": "P260000000014"})
    assert response.status_code == 404
    assert "No code with this number has been issued." in response.content.decode()


@pytest.mark.parametrize("code", ["", "P12", "P261234567890", "<script>"])
def test_search_by_malformed_code_is_a_400(auditor_client, log, code):
    response = auditor_client.post(RECORDS, {"code": code})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


# --- export ---------------------------------------------------------------------------------------------


def test_export_page_asks_for_a_reason_and_carries_the_filters(auditor_client, log):
    response = auditor_client.get(EXPORT, {"actor": "officer.test.seoul", "action": "view"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page
    assert '<input type="hidden" name="actor" value="officer.test.seoul">' in page
    assert '<input type="hidden" name="action" value="view">' in page
    assert not _audit_records().exists()


@pytest.mark.parametrize("reason", ["", "   ", "too short", "x" * 201])
def test_export_requires_a_reason_of_10_to_200_characters(auditor_client, log, reason):
    response = auditor_client.post(EXPORT, {"reason": reason})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AccessRecord.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_export_with_invalid_filters_is_a_400_and_exports_nothing(auditor_client, log):
    response = auditor_client.post(EXPORT, {"reason": REASON, "date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert not AccessRecord.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_export_streams_the_filtered_records_as_utf8_csv_with_bom(auditor_client, log, people):
    response = auditor_client.post(EXPORT, {"reason": REASON, "actor": "officer.test.seoul", "action": "view"})
    text = _csv(response)
    assert response["Content-Disposition"].startswith('attachment; filename="access-records-')
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == list(COLUMNS)
    assert [row[0] for row in rows[1:]] == ["2", "1"]
    record = AccessRecord.objects.get(sequence=1)
    assert rows[2] == [
        "1",
        record.occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "officer.test.seoul",
        "counter_officer",
        "seoul",
        "192.0.2.10",
        "view",
        "counter_request",
        "",
        "holder",
        str(people[0].holder_id),
        str(people[0].holder_id),
        "address name",
    ]


def test_export_writes_one_access_record_with_the_reason(auditor_client, auditor, log):
    _csv(auditor_client.post(EXPORT, {"reason": f"  {REASON}  ", "purpose": "correction"}))
    (record,) = _audit_records()
    assert (record.actor_user, record.action, record.purpose, record.record_type, record.reason) == (
        auditor,
        AccessAction.DOWNLOAD,
        AccessPurpose.AUDIT,
        "access_records",
        REASON,
    )
    assert record.record_id == "purpose=correction"
    assert record.fields == sorted(COLUMNS)
    assert access_log_verify().intact


def test_export_contains_no_personal_values_of_holders(auditor_client, officer):
    details = HolderDetailsFactory()
    code = code_issue(details=details, actor=ONLINE)
    _write(officer, holder=code.holder)
    text = _csv(auditor_client.post(EXPORT, {"reason": REASON}))
    for value in (
        code.number,
        details.name,
        details.resident_number,
        details.resident_number.replace("-", ""),
        details.email,
        details.mobile,
        details.address,
        details.postcode,
    ):
        assert value not in text
    assert str(code.holder_id) in text  # a person is shown by their holder id only


def test_export_neutralises_spreadsheet_formulas(auditor_client, officer, people):
    _write(officer, holder=people[0].holder, reason='=HYPERLINK("http://example.org")')
    text = _csv(auditor_client.post(EXPORT, {"reason": REASON}))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    reasons = [row[COLUMNS.index("reason")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://example.org")' in reasons
    assert not any(reason.startswith("=") for reason in reasons)


def test_supervisor_cannot_export_even_by_post(supervisor_client, log):
    assert supervisor_client.post(EXPORT, {"reason": REASON}).status_code == 403
    assert not AccessRecord.objects.filter(action=AccessAction.DOWNLOAD).exists()


# --- the admin: administrators only, and read-only for access records ----------------------------------


def _refused_by_admin(client, response) -> bool:
    """The admin sends anyone without the administrator role to its sign-in, which refuses a
    signed-in staff member with a 403 (staff/admin_site.py)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and client.get(response["Location"]).status_code == 403


def test_auditor_cannot_open_the_admin(auditor_client, log):
    assert _refused_by_admin(auditor_client, auditor_client.get("/admin/audit/accessrecord/"))
    response = auditor_client.post(f"/admin/audit/accessrecord/{log[0].pk}/change/", {"reason": "edited"})
    assert _refused_by_admin(auditor_client, response)
    assert AccessRecord.objects.get(pk=log[0].pk).reason == ""


def test_auditor_cannot_change_staff_roles_in_the_admin(auditor_client, officer):
    profile = StaffProfile.objects.get(user=officer)
    response = auditor_client.post(f"/admin/staff/staffprofile/{profile.pk}/change/", {"role": "administrator"})
    assert _refused_by_admin(auditor_client, response)
    assert StaffProfile.objects.get(pk=profile.pk).role == Role.COUNTER_OFFICER


def test_admin_lists_and_shows_access_records_and_records_that_it_did(administrator_client, administrator, log):
    response = administrator_client.get("/admin/audit/accessrecord/")
    assert response.status_code == 200
    assert "officer.test.seoul" in response.content.decode()
    response = administrator_client.get("/admin/audit/accessrecord/", {"q": "supervisor.test"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [log[3]]
    response = administrator_client.get(f"/admin/audit/accessrecord/{log[0].pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    audit = list(_audit_records())
    assert len(audit) == 3
    assert {record.actor_user for record in audit} == {administrator}
    assert audit[-1].record_id == f"admin {log[0].pk}"


def test_admin_has_no_add_change_or_delete_for_access_records_even_for_administrators(administrator_client, log):
    record = log[0]
    change = f"/admin/audit/accessrecord/{record.pk}/change/"
    assert administrator_client.post(change, {"reason": "edited", "_save": "Save"}).status_code == 403
    assert administrator_client.get(f"/admin/audit/accessrecord/{record.pk}/delete/").status_code == 403
    assert (
        administrator_client.post(f"/admin/audit/accessrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert administrator_client.get("/admin/audit/accessrecord/add/").status_code == 403
    response = administrator_client.post(
        "/admin/audit/accessrecord/", {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert AccessRecord.objects.filter(pk=record.pk, reason="").exists()
    assert AccessRecord.objects.filter(sequence__lte=4).count() == 4
    assert access_log_verify().intact


def test_role_change_log_is_read_only_in_the_admin(administrator_client, officer):
    change = StaffRoleChange.objects.filter(staff_user=officer).first()
    assert administrator_client.get(f"/admin/staff/staffrolechange/{change.pk}/change/").status_code == 200
    url = f"/admin/staff/staffrolechange/{change.pk}/change/"
    assert administrator_client.post(url, {"role": "administrator"}).status_code == 403
    assert (
        administrator_client.post(f"/admin/staff/staffrolechange/{change.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert StaffRoleChange.objects.get(pk=change.pk).role == Role.COUNTER_OFFICER


# --- the admin: every role change through it is logged --------------------------------------------------


@pytest.fixture
def new_account(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="new.officer", password=STAFF_PASSWORD)


def test_admin_grants_a_role_through_the_service_and_logs_it(administrator_client, administrator, new_account, seoul):
    response = administrator_client.post(
        "/admin/staff/staffprofile/add/", {"user": new_account.pk, "role": Role.COUNTER_OFFICER, "office": seoul.pk}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = StaffProfile.objects.get(user=new_account)
    assert (profile.role, profile.office) == (Role.COUNTER_OFFICER, seoul)
    log = StaffRoleChange.objects.get(staff_user=new_account)
    assert (log.action, log.role, log.office, log.changed_by, log.changed_by_username) == (
        RoleChangeAction.GRANTED,
        Role.COUNTER_OFFICER,
        seoul,
        administrator,
        "admin.test",
    )


def test_admin_refuses_a_role_without_its_office_and_logs_nothing(administrator_client, new_account, seoul):
    response = administrator_client.post(
        "/admin/staff/staffprofile/add/", {"user": new_account.pk, "role": Role.SUPERVISOR}
    )
    assert response.status_code == 200
    assert "Counter officers and supervisors need an office." in response.content.decode()
    response = administrator_client.post(
        "/admin/staff/staffprofile/add/", {"user": new_account.pk, "role": Role.AUDITOR, "office": seoul.pk}
    )
    assert "Administrators and auditors have no office." in response.content.decode()
    assert not StaffProfile.objects.filter(user=new_account).exists()
    assert not StaffRoleChange.objects.filter(staff_user=new_account).exists()


def test_admin_changes_a_role_through_the_service_and_logs_it(administrator_client, administrator, officer, incheon):
    profile = StaffProfile.objects.get(user=officer)
    response = administrator_client.post(
        f"/admin/staff/staffprofile/{profile.pk}/change/", {"role": Role.SUPERVISOR, "office": incheon.pk}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert (profile.role, profile.office) == (Role.SUPERVISOR, incheon)
    log = StaffRoleChange.objects.filter(staff_user=officer).latest("id")
    assert (log.action, log.previous_role, log.role, log.changed_by) == (
        RoleChangeAction.CHANGED,
        Role.COUNTER_OFFICER,
        Role.SUPERVISOR,
        administrator,
    )


def test_admin_removes_a_role_through_the_service_logs_it_and_deactivates(administrator_client, administrator, officer):
    profile = StaffProfile.objects.get(user=officer)
    response = administrator_client.post(f"/admin/staff/staffprofile/{profile.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffProfile.objects.filter(user=officer).exists()
    officer.refresh_from_db()
    assert not officer.is_active
    log = StaffRoleChange.objects.filter(staff_user=officer).latest("id")
    assert (log.action, log.previous_role, log.changed_by) == (
        RoleChangeAction.REMOVED,
        Role.COUNTER_OFFICER,
        administrator,
    )


def test_admin_bulk_removal_goes_through_the_service_too(administrator_client, administrator, officer, auditor):
    ids = list(StaffProfile.objects.filter(user__in=[officer, auditor]).values_list("pk", flat=True))
    response = administrator_client.post(
        "/admin/staff/staffprofile/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert not StaffProfile.objects.filter(pk__in=ids).exists()
    assert StaffRoleChange.objects.filter(action=RoleChangeAction.REMOVED, changed_by=administrator).count() == 2


def test_administrator_cannot_change_or_remove_their_own_role_in_the_admin(administrator_client, administrator):
    profile = StaffProfile.objects.get(user=administrator)
    url = f"/admin/staff/staffprofile/{profile.pk}/change/"
    assert administrator_client.post(url, {"role": Role.AUDITOR}).status_code == 403
    assert (
        administrator_client.post(f"/admin/staff/staffprofile/{profile.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert StaffProfile.objects.get(pk=profile.pk).role == Role.ADMINISTRATOR


def test_account_admin_cannot_set_the_flags_a_role_decides(administrator_client, officer):
    response = administrator_client.get(f"/admin/auth/user/{officer.pk}/change/")
    assert response.status_code == 200
    assert "Counter officer" in response.content.decode()
    response = administrator_client.post(
        f"/admin/auth/user/{officer.pk}/change/",
        {
            "username": officer.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert (officer.is_superuser, officer.is_staff, officer.is_active) == (False, False, True)
    assert administrator_client.post(f"/admin/auth/user/{officer.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_creates_an_account_without_any_role_or_admin_flag(administrator_client):
    from django.contrib.auth import get_user_model

    response = administrator_client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": STAFF_PASSWORD, "password2": STAFF_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="newcomer")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert not StaffProfile.objects.filter(user=user).exists()
    assert not StaffRoleChange.objects.filter(staff_user=user).exists()


def test_admin_refuses_a_short_password_for_a_new_account(administrator_client):
    response = administrator_client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_no_second_sign_in_factor_no_admin(administrator, client):
    """Password alone is not a sign-in: the admin is behind both factors."""
    client.post("/staff/login/", {"username": administrator.username, "password": STAFF_PASSWORD})
    response = client.get("/admin/audit/accessrecord/")
    assert response.status_code == 302
