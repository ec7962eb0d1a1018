"""Customs staff: one profile per account (role and office), and the log of every role change.

Invariants in the database: an office role has an office and the others have none (check
constraint); the role-change log cannot be updated, nor deleted before 3 years (trigger, migration
staff/0002). Accounts are deactivated, never deleted: the log and the access records point at them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from issuance.models import CustomsOffice
from staff.roles import OFFICE_ROLES, ROLE_PERMISSIONS, Role

ROLE_CHANGE_RETENTION_YEARS = 3  # issue 5: every grant, change or removal of a role is kept 3 years


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    office = models.ForeignKey(CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="staff_office_iff_office_role",
                condition=Q(role__in=sorted(OFFICE_ROLES), office__isnull=False)
                | (~Q(role__in=sorted(OFFICE_ROLES)) & Q(office__isnull=True)),
            )
        ]

    def __str__(self):
        return f"{self.role} {self.user_id}"

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS[self.role]


class RoleChangeAction(models.TextChoices):
    GRANTED = "granted", "granted"
    CHANGED = "changed", "changed"
    REMOVED = "removed", "removed"


class StaffRoleChange(models.Model):
    """Append-only: who gave, changed or took away which role, when. Usernames are copied so the
    record reads the same if an account is renamed."""

    occurred_at = models.DateTimeField(db_index=True)
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_changes")
    staff_username = models.CharField(max_length=150)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="role_changes_made"
    )
    changed_by_username = models.CharField(max_length=150, help_text="'system' for seed data and commands")
    action = models.CharField(max_length=10, choices=RoleChangeAction.choices)
    previous_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    previous_office = models.ForeignKey(
        CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(CustomsOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.action} {self.role or self.previous_role} for {self.staff_username}"
