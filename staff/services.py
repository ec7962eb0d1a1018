"""Staff accounts and their roles: every grant, change and removal is written to the role-change log
(issue 5, kept 3 years). Permissions are checked here and in every staff service (`staff_require`)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from issuance.models import ActorType, Channel, CustomsOffice
from issuance.services import Actor
from pcc_portal.exceptions import ApplicationError
from staff.models import ROLE_CHANGE_RETENTION_YEARS, RoleChangeAction, StaffProfile, StaffRoleChange
from staff.roles import OFFICE_ROLES, ROLE_PERMISSIONS, Role

TOTP_DEVICE_NAME = "authenticator app"


class StaffForbidden(ApplicationError):
    """The staff member's role does not allow this (least privilege, DOMAIN.md §9)."""


def staff_forbidden_error() -> StaffForbidden:
    return StaffForbidden("PCC_STAFF_FORBIDDEN", _("Your role does not allow this."))


def staff_profile_of(user) -> StaffProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return StaffProfile.objects.select_related("office").get(user=user)
    except StaffProfile.DoesNotExist:
        return None


def staff_has_permission(user, permission: str) -> bool:
    profile = staff_profile_of(user)
    return profile is not None and permission in ROLE_PERMISSIONS[profile.role]


def staff_require(*, user, permission: str, office: CustomsOffice | None = None) -> StaffProfile:
    """The profile of an active staff member whose role has `permission`; with `office`, an office role
    must also belong to that office (an officer acts only for their own office)."""
    profile = staff_profile_of(user)
    if profile is None or permission not in ROLE_PERMISSIONS[profile.role]:
        raise staff_forbidden_error()
    if office is not None and profile.role in OFFICE_ROLES and profile.office_id != office.pk:
        raise staff_forbidden_error()
    return profile


def staff_actor(profile: StaffProfile, *, method: str = "none") -> Actor:
    """The Actor of issuance.services for a staff member: counter channel, their office."""
    return Actor(
        channel=Channel.COUNTER, actor_type=ActorType.STAFF, method=method, user=profile.user, office=profile.office
    )


def staff_office_scope(profile: StaffProfile) -> CustomsOffice | None:
    """The office whose records a staff member reviews: their own for office roles, every office (None)
    for administrators and auditors."""
    return profile.office if profile.role in OFFICE_ROLES else None


def _check_role(role: str, office: CustomsOffice | None) -> None:
    if role not in Role.values:
        raise ApplicationError("PCC_STAFF_ROLE", _("Choose a staff role."))
    if role in OFFICE_ROLES and office is None:
        raise ApplicationError("PCC_STAFF_OFFICE_REQUIRED", _("Counter officers and supervisors need an office."))
    if role not in OFFICE_ROLES and office is not None:
        raise ApplicationError("PCC_STAFF_OFFICE_NOT_ALLOWED", _("Administrators and auditors have no office."))


def staff_role_check(*, role: str, office: CustomsOffice | None) -> None:
    """The rule every role change obeys (an office for office roles, none for the others), for forms
    that show it before saving (the admin). Raises ApplicationError."""
    _check_role(role, office)


def _log(*, user, by, action: str, previous: StaffProfile | None, role: str = "", office=None) -> None:
    StaffRoleChange.objects.create(
        occurred_at=timezone.now(),
        staff_user=user,
        staff_username=user.get_username(),
        changed_by=by,
        changed_by_username=by.get_username() if by is not None else "system",
        action=action,
        previous_role=previous.role if previous else "",
        previous_office=previous.office if previous else None,
        role=role,
        office=office,
    )


def _require_manager(by) -> None:
    # `by=None` is the system itself (seed data, management commands run by an operator).
    if by is not None:
        staff_require(user=by, permission="staff_manage")


def _set_admin_flags(user, role: str) -> None:
    # Django's admin is an administrators' tool: only they get is_staff / is_superuser.
    is_admin = role == Role.ADMINISTRATOR
    user.is_staff = is_admin
    user.is_superuser = is_admin


def staff_account_create(*, username: str, password: str, role: str, office=None, by=None):
    """A new staff account with a role (logged as granted). The password must pass the validators
    (12+ characters, not common, not like the username)."""
    _require_manager(by)
    _check_role(role, office)
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ApplicationError("PCC_STAFF_USERNAME_TAKEN", _("This username is already taken."))
    user = user_model(username=username)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        _set_admin_flags(user, role)
        user.save()
        StaffProfile.objects.create(user=user, role=role, office=office)
        _log(user=user, by=by, action=RoleChangeAction.GRANTED, previous=None, role=role, office=office)
    return user


def staff_role_set(*, user, role: str, office=None, by=None) -> StaffProfile:
    """Grant a role to an account that has none, or change it (logged as granted or changed)."""
    _require_manager(by)
    _check_role(role, office)
    with transaction.atomic():
        previous = StaffProfile.objects.select_for_update().filter(user=user).first()
        if previous is not None and previous.role == role and previous.office_id == (office.pk if office else None):
            return previous
        action = RoleChangeAction.CHANGED if previous else RoleChangeAction.GRANTED
        snapshot = StaffProfile(role=previous.role, office=previous.office) if previous else None
        profile = previous or StaffProfile(user=user)
        profile.role, profile.office = role, office
        profile.save()
        _set_admin_flags(user, role)
        user.is_active = True
        user.save(update_fields=["is_staff", "is_superuser", "is_active"])
        _log(user=user, by=by, action=action, previous=snapshot, role=role, office=office)
    return profile


def staff_role_remove(*, user, by=None) -> None:
    """Take the role away: the account is deactivated (never deleted: logs point at it)."""
    _require_manager(by)
    with transaction.atomic():
        profile = StaffProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            return
        _log(user=user, by=by, action=RoleChangeAction.REMOVED, previous=profile)
        profile.delete()
        _set_admin_flags(user, "")
        user.is_active = False
        user.save(update_fields=["is_staff", "is_superuser", "is_active"])


def staff_role_changes_purge(*, now: datetime.datetime | None = None) -> int:
    """Retention: role changes are kept 3 years, then removed (the trigger refuses younger ones)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=365 * ROLE_CHANGE_RETENTION_YEARS + 1)
    deleted, _ = StaffRoleChange.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted


def staff_totp_device(user) -> TOTPDevice | None:
    """The confirmed authenticator of a staff account, if it has enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def staff_totp_enrolment_start(user) -> TOTPDevice:
    """An unconfirmed authenticator with a fresh secret, shown once as a QR code; it counts only after
    a first correct code (`staff_totp_enrolment_confirm`)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def staff_totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def staff_demo_totp_device(user) -> TOTPDevice:
    """Demo data only (issuance.demo): the account's authenticator, confirmed, made once."""
    device = staff_totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device
