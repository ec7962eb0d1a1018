"""Counter issuance (to be built)."""

from django.http import Http404

from staff.decorators import staff_page
from staff.roles import Permission


@staff_page(Permission.COUNTER_ISSUE)
def counter_issue(request):
    raise Http404


@staff_page(Permission.COUNTER_ISSUE)
def counter_confirmation(request, code_id):
    raise Http404
