"""Issuance-log review and dashboard (to be built)."""

from django.http import Http404

from staff.decorators import staff_page
from staff.roles import Permission


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
def review_events(request):
    raise Http404


@staff_page(Permission.ISSUANCE_LOG_EXPORT)
def review_events_export(request):
    raise Http404


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
def review_code(request, code_id):
    raise Http404


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
def review_dashboard(request):
    raise Http404
