"""Django's admin, open only to administrators signed in with both factors."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login

from staff.roles import Permission
from staff.services import staff_has_permission


class PortalAdminSite(admin.AdminSite):
    site_header = "PCC portal administration"
    site_title = "PCC portal administration"

    def has_permission(self, request):
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return verified and user.is_staff and staff_has_permission(user, Permission.STAFF_MANAGE)

    def login(self, request, extra_context=None):
        # One sign-in for all staff: password + TOTP (staff/views/auth.py).
        return redirect_to_login(request.GET.get("next", request.get_full_path()))
