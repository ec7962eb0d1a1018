"""Django's admin, open only to administrators signed in with both factors."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

from staff.decorators import staff_forbidden_page
from staff.roles import Permission
from staff.services import staff_forbidden_error, staff_has_permission, staff_profile_of


class PortalAdminSite(admin.AdminSite):
    site_header = "PCC portal administration"
    site_title = "PCC portal administration"

    def has_permission(self, request):
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return verified and user.is_staff and staff_has_permission(user, Permission.STAFF_MANAGE)

    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return redirect("admin:index")
        # A staff member already signed in with both factors but without the administrator role is
        # refused here: sending them back to the sign-in page would only loop.
        if request.user.is_authenticated and request.user.is_verified():
            request.staff = staff_profile_of(request.user)  # the staff menu on the refusal page
            return staff_forbidden_page(request, staff_forbidden_error())
        # One sign-in for all staff: password + TOTP (staff/views/auth.py).
        return redirect_to_login(request.GET.get("next", request.get_full_path()))
