from django.shortcuts import render

from staff.decorators import staff_page
from staff.roles import ROLE_PERMISSIONS


@staff_page()
def home(request):
    """The staff start page: what this role can do."""
    return render(request, "staff/home.html", {"permissions": ROLE_PERMISSIONS[request.staff.role]})
