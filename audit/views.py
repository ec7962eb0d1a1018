"""Access-record review for auditors (to be built)."""

from django.http import Http404

from staff.decorators import staff_page
from staff.roles import Permission


@staff_page(Permission.ACCESS_RECORDS_REVIEW)
def access_records(request):
    raise Http404


@staff_page(Permission.ACCESS_RECORDS_EXPORT)
def access_records_export(request):
    raise Http404


@staff_page(Permission.ACCESS_RECORDS_REVIEW)
def review_report(request):
    raise Http404
