"""Roles and permissions (DOMAIN.md §9, least privilege): the table in staff/roles.py is what the
services enforce; office roles act only for their office; auditors change nothing; Django's admin is
for signed-in administrators only."""

import pytest
from django.test import Client

from staff.roles import OFFICE_ROLES, ROLE_PERMISSIONS, Permission, Role
from staff.services import StaffForbidden, staff_has_permission, staff_office_scope, staff_require
from tests.staff.conftest import STAFF_PASSWORD, current_totp, sign_in

CHANGES = [
    Permission.COUNTER_ISSUE,
    Permission.PERSON_CHANGE,
    Permission.CODE_REINSTATE,
    Permission.CODE_TERMINATE,
    Permission.STAFF_MANAGE,
]

EXPECTED = {
    # The issue, written out by hand so that a change to the table in staff/roles.py shows up here.
    Role.COUNTER_OFFICER: {Permission.COUNTER_ISSUE, Permission.PERSON_LOOK_UP, Permission.PERSON_CHANGE},
    Role.SUPERVISOR: {
        Permission.COUNTER_ISSUE,
        Permission.PERSON_LOOK_UP,
        Permission.PERSON_CHANGE,
        Permission.CODE_REINSTATE,
        Permission.CODE_TERMINATE,
        Permission.ISSUANCE_LOG_REVIEW,
    },
    Role.ADMINISTRATOR: {
        Permission.ISSUANCE_LOG_REVIEW,
        Permission.ISSUANCE_LOG_EXPORT,
        Permission.ACCESS_RECORDS_REVIEW,
        Permission.ACCESS_RECORDS_EXPORT,
        Permission.STAFF_MANAGE,
        Permission.BULK_JOBS_VIEW,
    },
    Role.AUDITOR: {
        Permission.ISSUANCE_LOG_REVIEW,
        Permission.ISSUANCE_LOG_EXPORT,
        Permission.ACCESS_RECORDS_REVIEW,
        Permission.ACCESS_RECORDS_EXPORT,
        Permission.BULK_JOBS_VIEW,
    },
}


@pytest.fixture
def staff_of_role(make_staff, seoul):
    def make(role):
        return make_staff(role, seoul if role in OFFICE_ROLES else None)

    return make


def test_role_table_is_the_expected_one():
    assert {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_permission_matrix(staff_of_role, role, permission):
    user = staff_of_role(role)
    allowed = permission in EXPECTED[role]

    assert staff_has_permission(user, permission) is allowed
    if allowed:
        assert staff_require(user=user, permission=permission).user == user
    else:
        with pytest.raises(StaffForbidden) as refused:
            staff_require(user=user, permission=permission)
        assert refused.value.code == "PCC_STAFF_FORBIDDEN"


@pytest.mark.parametrize("permission", CHANGES)
def test_auditor_cannot_change_anything(auditor, permission):
    assert not staff_has_permission(auditor, permission)
    with pytest.raises(StaffForbidden):
        staff_require(user=auditor, permission=permission)


def test_auditor_can_review_and_export(auditor):
    for permission in EXPECTED[Role.AUDITOR]:
        staff_require(user=auditor, permission=permission)


@pytest.mark.parametrize("role", [Role.COUNTER_OFFICER, Role.SUPERVISOR])
def test_office_role_is_refused_for_another_office(make_staff, seoul, incheon, role):
    user = make_staff(role, seoul)

    with pytest.raises(StaffForbidden):
        staff_require(user=user, permission=Permission.PERSON_LOOK_UP, office=incheon)
    assert staff_require(user=user, permission=Permission.PERSON_LOOK_UP, office=seoul).office == seoul


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
def test_administrators_and_auditors_review_any_office(make_staff, seoul, incheon, role):
    user = make_staff(role)

    for office in (seoul, incheon):
        profile = staff_require(user=user, permission=Permission.ISSUANCE_LOG_REVIEW, office=office)
        assert profile.user == user
    assert staff_office_scope(profile) is None


def test_office_scope_of_an_officer_is_their_office(officer, seoul):
    assert staff_office_scope(staff_require(user=officer, permission=Permission.PERSON_LOOK_UP)) == seoul


def test_deactivated_account_is_refused(officer):
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    assert not staff_has_permission(officer, Permission.COUNTER_ISSUE)
    with pytest.raises(StaffForbidden):
        staff_require(user=officer, permission=Permission.COUNTER_ISSUE)


def test_account_without_a_role_is_refused(django_user_model):
    user = django_user_model.objects.create_user(username="no.role", password="a long enough passphrase")

    with pytest.raises(StaffForbidden):
        staff_require(user=user, permission=Permission.PERSON_LOOK_UP)


def test_anonymous_is_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(StaffForbidden):
        staff_require(user=AnonymousUser(), permission=Permission.PERSON_LOOK_UP)


def test_deactivated_account_is_signed_out_of_staff_pages(officer_client, officer):
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    response = officer_client.get("/staff/")

    assert response.status_code == 302  # Django's session check drops an inactive user
    assert response["Location"].startswith("/staff/login/")


# --- Django's admin --------------------------------------------------------------------------------


def test_admin_is_open_to_a_signed_in_administrator(administrator_client):
    assert administrator_client.get("/admin/").status_code == 200
    assert administrator_client.get("/admin/auth/user/").status_code == 200


@pytest.mark.parametrize("role", [Role.COUNTER_OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_admin_refuses_other_signed_in_staff(client, staff_of_role, role):
    sign_in(client, staff_of_role(role))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "staff/forbidden.html" in [template.name for template in response.templates]
    assert client.get("/admin/auth/user/", follow=True).status_code == 403


def test_admin_sends_anonymous_to_the_staff_sign_in(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/staff/login/?next=/admin/"
    assert response.status_code == 200


def test_admin_login_page_redirects_to_the_staff_sign_in(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_admin_login_page_sends_a_signed_in_administrator_to_the_admin(administrator_client):
    response = administrator_client.get("/admin/login/")

    assert response["Location"] == "/admin/"


def test_admin_refuses_an_administrator_after_the_password_step_only(client, administrator):
    client.post("/staff/login/", {"username": administrator.username, "password": STAFF_PASSWORD})

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/staff/login/")


def test_admin_then_sign_in_returns_to_the_admin(db, administrator):
    client = Client()
    client.get("/admin/", follow=True)  # remembers ?next=/admin/

    client.post("/staff/login/", {"username": administrator.username, "password": STAFF_PASSWORD})
    response = client.post("/staff/login/code/", {"token": current_totp(administrator)})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
