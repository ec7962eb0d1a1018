"""Staff accounts: passwords (argon2id, 12+ characters, no composition rules; OWASP ASVS 5.0 §6.2),
the role-change log (every grant, change and removal, append-only, kept 3 years) and the operator
commands `staff_create` and `staff_role` (issue 5)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.utils import timezone, translation

from pcc_portal.exceptions import ApplicationError
from pcc_portal.settings import base as base_settings
from staff.models import RoleChangeAction, StaffProfile, StaffRoleChange
from staff.roles import Role
from staff.services import (
    StaffForbidden,
    staff_account_create,
    staff_role_changes_purge,
    staff_role_remove,
    staff_role_set,
    staff_totp_device,
)
from tests.staff.conftest import STAFF_PASSWORD, current_totp, sign_in

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
PASSPHRASE = "seaweed lantern quietly"  # lower case and spaces only: no composition rules
LONG_PASSWORD = "the customs counter in incheon opens at nine and closes at six on weekdays, so bring your ID card :)"
TOO_SHORT = "abcdefghijk"  # 11 characters


# --- Passwords ---------------------------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2id():
    assert base_settings.PASSWORD_HASHERS[0] == ARGON2
    production = Path(importlib.util.find_spec("pcc_portal.settings.production").origin).read_text()
    assert "PASSWORD_HASHERS" not in production  # production keeps the base list

    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        hashed = make_password(PASSPHRASE)
        assert hashed.startswith("argon2$argon2id$")
        assert check_password(PASSPHRASE, hashed)


@pytest.mark.django_db
def test_staff_account_password_is_stored_as_argon2id():
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        user = staff_account_create(username="auditor.argon", password=PASSPHRASE, role=Role.AUDITOR)
    assert user.password.startswith("argon2$argon2id$")


def test_password_of_eleven_characters_is_refused():
    assert len(TOO_SHORT) == 11
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(TOO_SHORT)
    assert "at least 12 characters" in " ".join(refused.value.messages)


def test_common_password_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("password1234")
    assert "password_too_common" in [error.code for error in refused.value.error_list]


def test_twelve_character_passphrase_without_digit_capital_or_symbol_is_accepted():
    assert len("quiet harbor") == 12
    validate_password("quiet harbor")
    validate_password(PASSPHRASE)


def test_hundred_character_password_is_accepted():
    assert len(LONG_PASSWORD) == 100
    validate_password(LONG_PASSWORD)


def test_sign_in_accepts_a_hundred_character_password(client, seoul):
    user = staff_account_create(
        username="officer.long", password=LONG_PASSWORD, role=Role.COUNTER_OFFICER, office=seoul
    )
    from staff.services import staff_demo_totp_device

    staff_demo_totp_device(user)

    sign_in(client, user, password=LONG_PASSWORD)

    assert client.get("/staff/").status_code == 200


@pytest.fixture
def english_officer_client(officer):
    return sign_in(Client(headers={"accept-language": "en"}), officer)


def test_password_change_page_changes_the_password(english_officer_client, officer):
    page = english_officer_client.get("/staff/password/")
    assert page.status_code == 200
    new_password = "a brand new passphrase for the counter"

    response = english_officer_client.post(
        "/staff/password/",
        {"old_password": STAFF_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    officer.refresh_from_db()
    assert officer.check_password(new_password)
    home = english_officer_client.get("/staff/")
    assert home.status_code == 200  # still signed in, with both factors
    assert "Your password was changed." in home.content.decode()


def test_password_change_refuses_a_short_password_with_a_message(english_officer_client, officer):
    response = english_officer_client.post(
        "/staff/password/",
        {"old_password": STAFF_PASSWORD, "new_password1": TOO_SHORT, "new_password2": TOO_SHORT},
    )

    assert response.status_code == 400
    assert "This password is too short. It must contain at least 12 characters." in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(STAFF_PASSWORD)


def test_password_change_refuses_a_wrong_old_password(english_officer_client, officer):
    new_password = "a brand new passphrase for the counter"
    response = english_officer_client.post(
        "/staff/password/",
        {"old_password": "not the old one at all", "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 400
    officer.refresh_from_db()
    assert officer.check_password(STAFF_PASSWORD)


def test_password_change_needs_sign_in(client, db):
    response = client.get("/staff/password/")

    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/password/"


# --- Role-change log ---------------------------------------------------------------------------------


def _new_changes(before: int) -> list[StaffRoleChange]:
    return list(StaffRoleChange.objects.order_by("id")[before:])


def test_account_create_logs_one_grant(administrator, seoul):
    before = StaffRoleChange.objects.count()

    user = staff_account_create(
        username="officer.logged", password=STAFF_PASSWORD, role=Role.COUNTER_OFFICER, office=seoul, by=administrator
    )

    [change] = _new_changes(before)
    assert change.action == RoleChangeAction.GRANTED
    assert (change.staff_user, change.staff_username) == (user, "officer.logged")
    assert (change.changed_by, change.changed_by_username) == (administrator, administrator.username)
    assert (change.previous_role, change.previous_office) == ("", None)
    assert (change.role, change.office) == (Role.COUNTER_OFFICER, seoul)
    assert abs(change.occurred_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_account_created_by_the_system_is_logged_as_system(db):
    before = StaffRoleChange.objects.count()

    staff_account_create(username="auditor.system", password=STAFF_PASSWORD, role=Role.AUDITOR)

    [change] = _new_changes(before)
    assert (change.changed_by, change.changed_by_username) == (None, "system")
    assert (change.role, change.office) == (Role.AUDITOR, None)


def test_role_change_logs_previous_and_new_role_and_office(officer, administrator, seoul, incheon):
    before = StaffRoleChange.objects.count()

    staff_role_set(user=officer, role=Role.SUPERVISOR, office=incheon, by=administrator)

    [change] = _new_changes(before)
    assert change.action == RoleChangeAction.CHANGED
    assert (change.previous_role, change.previous_office) == (Role.COUNTER_OFFICER, seoul)
    assert (change.role, change.office) == (Role.SUPERVISOR, incheon)
    assert change.changed_by == administrator
    profile = StaffProfile.objects.get(user=officer)
    assert (profile.role, profile.office) == (Role.SUPERVISOR, incheon)


def test_setting_the_same_role_again_logs_nothing(officer, administrator, seoul):
    before = StaffRoleChange.objects.count()

    staff_role_set(user=officer, role=Role.COUNTER_OFFICER, office=seoul, by=administrator)

    assert _new_changes(before) == []


def test_role_removal_logs_one_removal_and_deactivates(officer, administrator, seoul):
    before = StaffRoleChange.objects.count()

    staff_role_remove(user=officer, by=administrator)

    [change] = _new_changes(before)
    assert change.action == RoleChangeAction.REMOVED
    assert (change.previous_role, change.previous_office) == (Role.COUNTER_OFFICER, seoul)
    assert (change.role, change.office) == ("", None)
    assert change.changed_by == administrator
    officer.refresh_from_db()
    assert not officer.is_active
    assert not StaffProfile.objects.filter(user=officer).exists()


def test_role_given_back_after_removal_is_a_grant_and_reactivates(officer, administrator):
    staff_role_remove(user=officer, by=administrator)
    before = StaffRoleChange.objects.count()

    staff_role_set(user=officer, role=Role.AUDITOR, by=administrator)

    [change] = _new_changes(before)
    assert change.action == RoleChangeAction.GRANTED
    assert (change.previous_role, change.role) == ("", Role.AUDITOR)
    officer.refresh_from_db()
    assert officer.is_active


def test_only_administrators_get_into_django_admin(officer, administrator):
    assert administrator.is_staff and administrator.is_superuser
    assert not officer.is_staff and not officer.is_superuser

    staff_role_set(user=administrator, role=Role.AUDITOR, by=None)
    administrator.refresh_from_db()

    assert not administrator.is_staff and not administrator.is_superuser


@pytest.mark.parametrize("manager", ["officer", "supervisor", "auditor"])
def test_only_administrators_manage_staff(request, manager, seoul, administrator):
    by = request.getfixturevalue(manager)
    before = StaffRoleChange.objects.count()

    with pytest.raises(StaffForbidden):
        staff_account_create(username="someone.new", password=STAFF_PASSWORD, role=Role.AUDITOR, by=by)
    with pytest.raises(StaffForbidden):
        staff_role_set(user=administrator, role=Role.AUDITOR, by=by)
    with pytest.raises(StaffForbidden):
        staff_role_remove(user=administrator, by=by)

    assert _new_changes(before) == []
    assert StaffProfile.objects.get(user=administrator).role == Role.ADMINISTRATOR


@pytest.mark.parametrize(
    ("role", "office_code", "error_code"),
    [
        (Role.COUNTER_OFFICER, None, "PCC_STAFF_OFFICE_REQUIRED"),
        (Role.SUPERVISOR, None, "PCC_STAFF_OFFICE_REQUIRED"),
        (Role.AUDITOR, "seoul", "PCC_STAFF_OFFICE_NOT_ALLOWED"),
        (Role.ADMINISTRATOR, "seoul", "PCC_STAFF_OFFICE_NOT_ALLOWED"),
        ("superuser", None, "PCC_STAFF_ROLE"),
    ],
)
def test_role_and_office_must_fit(db, role, office_code, error_code):
    from issuance.models import CustomsOffice

    office = CustomsOffice.objects.get(code=office_code) if office_code else None

    with pytest.raises(ApplicationError) as refused:
        staff_account_create(username="misfit", password=STAFF_PASSWORD, role=role, office=office)

    assert refused.value.code == error_code
    assert not StaffProfile.objects.filter(user__username="misfit").exists()


def test_username_taken_is_refused(officer):
    with pytest.raises(ApplicationError) as refused:
        staff_account_create(username=officer.username, password=STAFF_PASSWORD, role=Role.AUDITOR)
    assert refused.value.code == "PCC_STAFF_USERNAME_TAKEN"


def test_weak_password_creates_no_account(db, django_user_model):
    with pytest.raises(ValidationError):
        staff_account_create(username="auditor.weak", password="password1234", role=Role.AUDITOR)
    assert not django_user_model.objects.filter(username="auditor.weak").exists()


def test_database_refuses_update_of_a_role_change(officer):
    change = StaffRoleChange.objects.get(staff_user=officer)

    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        StaffRoleChange.objects.filter(pk=change.pk).update(role=Role.ADMINISTRATOR)
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE staff_staffrolechange SET changed_by_username = 'someone else'")


def test_database_refuses_delete_of_a_recent_role_change(officer):
    change = StaffRoleChange.objects.get(staff_user=officer)

    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        StaffRoleChange.objects.filter(pk=change.pk).delete()

    assert StaffRoleChange.objects.filter(pk=change.pk).exists()


def _backdate(change: StaffRoleChange, when: datetime.datetime) -> None:
    # Only to make an old row for the test: the trigger is off for this one statement.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred FK check
        cursor.execute("ALTER TABLE staff_staffrolechange DISABLE TRIGGER USER")
        cursor.execute("UPDATE staff_staffrolechange SET occurred_at = %s WHERE id = %s", [when, change.pk])
        cursor.execute("ALTER TABLE staff_staffrolechange ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_role_changes_older_than_three_years_are_purged_and_recent_ones_kept(officer, auditor):
    old = StaffRoleChange.objects.get(staff_user=officer)
    recent = StaffRoleChange.objects.get(staff_user=auditor)
    _backdate(old, timezone.now() - datetime.timedelta(days=365 * 3 + 2))

    deleted = staff_role_changes_purge()

    assert deleted == 1
    assert not StaffRoleChange.objects.filter(pk=old.pk).exists()
    assert StaffRoleChange.objects.filter(pk=recent.pk).exists()


def test_role_change_just_under_three_years_is_kept(officer):
    change = StaffRoleChange.objects.get(staff_user=officer)
    _backdate(change, timezone.now() - datetime.timedelta(days=365 * 3 - 1))

    assert staff_role_changes_purge() == 0
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        StaffRoleChange.objects.filter(pk=change.pk).delete()


def test_database_allows_delete_of_a_role_change_older_than_three_years(officer):
    change = StaffRoleChange.objects.get(staff_user=officer)
    _backdate(change, timezone.now() - datetime.timedelta(days=365 * 3 + 2))

    StaffRoleChange.objects.filter(pk=change.pk).delete()

    assert not StaffRoleChange.objects.filter(pk=change.pk).exists()


def test_database_refuses_an_office_role_without_an_office(django_user_model):
    user = django_user_model.objects.create_user(username="no.office")

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role=Role.COUNTER_OFFICER, office=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role=Role.SUPERVISOR, office=None)


def test_database_refuses_an_auditor_with_an_office(django_user_model, seoul):
    user = django_user_model.objects.create_user(username="auditor.office")

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role=Role.AUDITOR, office=seoul)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role=Role.ADMINISTRATOR, office=seoul)


# --- manage.py staff_create / staff_role ----------------------------------------------------------------


class _Terminal:
    """stdin as an operator's terminal."""

    def isatty(self):
        return True


@pytest.fixture
def at_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", _Terminal())

    def type_passwords(*answers):
        typed = iter(answers)
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))

    return type_passwords


def _run(*args, **options) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_staff_create_reads_the_password_from_the_environment_when_not_interactive(db, monkeypatch, seoul):
    monkeypatch.setenv("STAFF_PASSWORD", PASSPHRASE)
    before = StaffRoleChange.objects.count()

    out = _run("staff_create", "officer.cmd", "--role", "counter_officer", "--office", "seoul", "--no-input")

    profile = StaffProfile.objects.select_related("user").get(user__username="officer.cmd")
    assert (profile.role, profile.office) == (Role.COUNTER_OFFICER, seoul)
    assert profile.user.check_password(PASSPHRASE)
    assert staff_totp_device(profile.user) is None  # the authenticator is set up at first sign-in
    [change] = _new_changes(before)
    assert (change.action, change.changed_by, change.changed_by_username) == (RoleChangeAction.GRANTED, None, "system")
    assert "authenticator" in out and "QR code" in out


def test_staff_create_prompts_for_the_password_at_a_terminal(db, at_terminal):
    at_terminal(PASSPHRASE, PASSPHRASE)

    out = _run("staff_create", "auditor.cmd", "--role", "auditor")

    user = StaffProfile.objects.get(user__username="auditor.cmd").user
    assert user.check_password(PASSPHRASE)
    assert "auditor.cmd" in out


def test_staff_create_refuses_two_different_passwords(db, at_terminal):
    at_terminal(PASSPHRASE, PASSPHRASE + " typo")

    with pytest.raises(CommandError, match="not the same"):
        _run("staff_create", "auditor.typo", "--role", "auditor")
    assert not StaffProfile.objects.filter(user__username="auditor.typo").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (TOO_SHORT, "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
    ],
)
def test_staff_create_refuses_weak_passwords_with_the_validators_message(db, monkeypatch, password, message):
    monkeypatch.setenv("STAFF_PASSWORD", password)

    with pytest.raises(CommandError) as refused:
        _run("staff_create", "auditor.weak", "--role", "auditor", "--no-input")

    assert message in str(refused.value)
    assert not StaffProfile.objects.filter(user__username="auditor.weak").exists()


def test_staff_create_without_a_password_when_not_interactive_is_refused(db, monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="STAFF_PASSWORD"):
        _run("staff_create", "auditor.nopass", "--role", "auditor", "--no-input")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "counter_officer"], "need an office"),
        (["--role", "auditor", "--office", "seoul"], "have no office"),
        (["--role", "counter_officer", "--office", "atlantis"], "No customs office has the code 'atlantis'"),
    ],
)
def test_staff_create_refuses_a_role_and_office_that_do_not_fit(db, monkeypatch, arguments, message):
    monkeypatch.setenv("STAFF_PASSWORD", PASSPHRASE)

    with pytest.raises(CommandError, match=message):
        _run("staff_create", "misfit.cmd", *arguments, "--no-input")
    assert not StaffProfile.objects.filter(user__username="misfit.cmd").exists()


def test_account_made_by_staff_create_enrols_at_first_sign_in(db, monkeypatch, client):
    monkeypatch.setenv("STAFF_PASSWORD", PASSPHRASE)
    _run("staff_create", "admin.cmd", "--role", "administrator", "--no-input")

    response = client.post("/staff/login/", {"username": "admin.cmd", "password": PASSPHRASE})

    assert response["Location"] == "/staff/login/enrol/"


def test_staff_role_changes_and_removes_a_role(officer, incheon):
    before = StaffRoleChange.objects.count()

    out = _run("staff_role", officer.username, "--role", "supervisor", "--office", "incheon")
    assert "supervisor" in out
    _run("staff_role", officer.username, "--remove")

    changed, removed = _new_changes(before)
    assert (changed.action, changed.role, changed.office, changed.changed_by_username) == (
        RoleChangeAction.CHANGED,
        Role.SUPERVISOR,
        incheon,
        "system",
    )
    assert (removed.action, removed.previous_role) == (RoleChangeAction.REMOVED, Role.SUPERVISOR)
    officer.refresh_from_db()
    assert not officer.is_active


def test_staff_role_refuses_unknown_accounts_and_misfits(officer, db):
    with pytest.raises(CommandError, match="No account"):
        _run("staff_role", "nobody.here", "--role", "auditor")
    with pytest.raises(CommandError, match="need an office"):
        _run("staff_role", officer.username, "--role", "supervisor")
    staff_role_remove(user=officer)
    with pytest.raises(CommandError, match="has no staff role"):
        _run("staff_role", officer.username, "--remove")


def test_signed_in_officer_can_sign_in_after_staff_role_gives_a_role_back(client, officer, seoul):
    staff_role_remove(user=officer)
    _run("staff_role", officer.username, "--role", "counter_officer", "--office", "seoul")

    response = client.post("/staff/login/", {"username": officer.username, "password": STAFF_PASSWORD})
    assert response["Location"] == "/staff/login/code/"
    response = client.post("/staff/login/code/", {"token": current_totp(officer)})

    assert response["Location"] == "/staff/"
