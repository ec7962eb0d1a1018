"""The gate of every staff page: signed in with both factors, and a role that has the permission.
Views check here; the services they call check again (staff.services.staff_require)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from staff.services import StaffForbidden, staff_forbidden_error, staff_profile_of, staff_require


def staff_forbidden_page(request, error):
    return render(request, "staff/forbidden.html", {"error": error}, status=403)


def staff_page(permission: str | None = None):
    """Sets `request.staff` (the StaffProfile). Pages of personal data are never cached."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            try:
                if permission:
                    request.staff = staff_require(user=user, permission=permission)
                else:
                    request.staff = staff_profile_of(user)
                    if request.staff is None:
                        raise staff_forbidden_error()
            except StaffForbidden as error:
                return staff_forbidden_page(request, error)
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator
