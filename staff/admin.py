"""Staff accounts in Django's admin (administrators only: staff/admin_site.py).

Every grant, change or removal of a role is logged and kept 3 years (issue 5), so the admin never
writes a role itself: saving or deleting a staff profile goes through `staff_role_set` and
`staff_role_remove` with the administrator as `by`. The role-change log is read-only. The account
admin cannot touch what a role decides (is_staff, is_superuser, is_active, Django permissions), nor
delete an account (logs point at it); a new account gets its role by adding a staff profile.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from issuance.admin import ReadOnlyAdmin
from pcc_portal.exceptions import ApplicationError
from staff.models import StaffProfile, StaffRoleChange
from staff.services import staff_role_check, staff_role_remove, staff_role_set

User = get_user_model()


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ("user", "role", "office")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            try:
                staff_role_check(role=role, office=cleaned.get("office"))
            except ApplicationError as error:
                # On the office field: the database's check constraint on (role, office) is then not
                # validated a second time with Django's generic message.
                self.add_error("office", error.message)
        return cleaned


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    form = StaffProfileForm
    list_display = ("user", "role", "office")
    list_filter = ("role", "office")
    search_fields = ("user__username",)
    list_select_related = ("user", "office")

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Accounts without a role: new ones, and removed ones (a role given again reactivates them).
            kwargs["queryset"] = User.objects.filter(staff_profile__isnull=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _is_own(self, request, obj) -> bool:
        return obj is not None and obj.user_id == request.user.pk

    # Another administrator changes or removes an administrator's own role: the log then names two
    # people, and nobody locks themselves out by mistake.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_own(request, obj)

    def save_model(self, request, obj, form, change):
        profile = staff_role_set(user=obj.user, role=obj.role, office=obj.office, by=request.user)
        obj.pk = profile.pk  # the admin's redirect and history point at the saved profile

    def delete_model(self, request, obj):
        staff_role_remove(user=obj.user, by=request.user)

    def delete_queryset(self, request, queryset):
        for profile in queryset.select_related("user"):
            if not self._is_own(request, profile):
                staff_role_remove(user=profile.user, by=request.user)


@admin.register(StaffRoleChange)
class StaffRoleChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "staff_username",
        "action",
        "previous_role",
        "previous_office",
        "role",
        "office",
        "changed_by_username",
    )
    list_filter = ("action", "role", "previous_role")
    search_fields = ("staff_username", "changed_by_username")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_select_related = ("previous_office", "office")
    actions = None
    fields = readonly_fields = (
        "occurred_at",
        "staff_username",
        "staff_user_id",
        "action",
        "previous_role",
        "previous_office",
        "role",
        "office",
        "changed_by_username",
        "changed_by_id",
    )


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Accounts: username, password and name only. The flags a role decides are shown, not edited."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Set by the staff role"), {"fields": ("staff_role", "is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("staff_role", "is_active", "is_staff", "is_superuser", "last_login", "date_joined")
    list_display = ("username", "staff_role", "is_active", "last_login")
    list_filter = ("is_active", "staff_profile__role")
    filter_horizontal = ()
    actions = None

    @admin.display(description=_("Staff role"))
    def staff_role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        if profile is None:
            return _("none (add a staff profile to give one)")
        return f"{profile.get_role_display()}{f' · {profile.office}' if profile.office_id else ''}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff_profile__office")

    def has_delete_permission(self, request, obj=None):
        return False
