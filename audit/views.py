"""The auditors' pages of the access records (issue 5, "Access records"): the filtered list, the CSV
export and the monthly review report. Thin: forms parse, audit/selectors.py and audit/report.py check
the permission and read. Looking at the access records is itself an audit activity, so every page
shown and every export writes one access record (purpose audit) through `audit.services`."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audit.forms import AccessRecordFilterForm, ReviewMonthForm
from audit.models import AccessAction, AccessPurpose
from audit.report import REPORT_RECORD_TYPE, ReviewMonth, access_review_report
from audit.selectors import (
    COLUMNS,
    LIST_RECORD_TYPE,
    access_records_filter,
    access_records_holder_of_code,
)
from audit.services import access_record_for_request, client_ip
from audit.services import access_records_export as access_records_export_service
from issuance.selectors import customs_office_list
from staff.decorators import staff_page
from staff.exports import export_page
from staff.forms_review import CodeSearchForm
from staff.roles import Permission, Role

RECORDS_PER_PAGE = 50


def _filter_form(data) -> AccessRecordFilterForm:
    # An empty query string is the whole log, not a form with nothing typed in it.
    bound = {name: data[name] for name in AccessRecordFilterForm.FIELDS if name in data}
    return AccessRecordFilterForm(bound or None)


def _list_page(request, *, filter_form, search_form, status=200):
    valid = not filter_form.is_bound or filter_form.is_valid()
    page = rows = None
    if valid:
        records = access_records_filter(user=request.user, filters=filter_form.filters())
        page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        roles = dict(Role.choices)
        offices = {office.code: office for office in customs_office_list()}
        rows = [(record, roles.get(record.actor_role, ""), offices.get(record.actor_office)) for record in page]
        access_record_for_request(
            request,
            action=AccessAction.VIEW,
            purpose=AccessPurpose.AUDIT,
            record_type=LIST_RECORD_TYPE,
            record_id=filter_form.filters().describe(),
            fields=COLUMNS,
        )
    else:
        status = 400
    context = {
        "filter_form": filter_form,
        "search_form": search_form,
        "page": page,
        "rows": rows,
        "filter_query": urlencode(filter_form.carried()) if valid else "",
        "can_export": Permission.ACCESS_RECORDS_EXPORT in request.staff.permissions,
    }
    return render(request, "audit/access_records.html", context, status=status)


@staff_page(Permission.ACCESS_RECORDS_REVIEW)
@require_http_methods(["GET", "POST"])
def access_records(request):
    """The records with their filters (GET). The search by code is a POST that comes back as the list
    filtered by the code's holder, so that a code is never in a web address."""
    filter_form = _filter_form(request.GET)
    if request.method != "POST":
        return _list_page(request, filter_form=filter_form, search_form=CodeSearchForm())
    search_form = CodeSearchForm(request.POST)
    if not search_form.is_valid():
        return _list_page(request, filter_form=filter_form, search_form=search_form, status=400)
    holder = access_records_holder_of_code(user=request.user, number=search_form.cleaned_data["code"])
    if holder is None:
        search_form.add_error("code", _("No code with this number has been issued."))
        return _list_page(request, filter_form=filter_form, search_form=search_form, status=404)
    # The other filters stay; the holder's replaces any other.
    kept = filter_form.carried() if not filter_form.is_bound or filter_form.is_valid() else []
    query = [(name, value) for name, value in kept if name != "holder"] + [("holder", str(holder))]
    return redirect(f"{request.path}?{urlencode(query)}")


@staff_page(Permission.ACCESS_RECORDS_EXPORT)
@require_http_methods(["GET", "POST"])
def access_records_export(request):
    """Asks for the reason (GET shows the form with the current filters), then streams the CSV; the
    export's own access record is written by `access_records_export` before the first row."""
    filter_form = _filter_form(request.POST if request.method == "POST" else request.GET)
    query = urlencode(filter_form.carried()) if not filter_form.is_bound or filter_form.is_valid() else ""
    back_url = reverse("audit:access_records") + (f"?{query}" if query else "")

    def export(*, filters, reason):
        return access_records_export_service(
            user=request.user, ip_address=client_ip(request), filters=filters, reason=reason
        )

    return export_page(
        request,
        filter_form=filter_form,
        export=export,
        name="access-records",
        texts={
            "title": _("Export the access records"),
            "intro": _(
                "The file holds the access records that match the filters below, newest first, with times in "
                "UTC. A person appears only as their holder id: the records hold no names or identification "
                "numbers. The export itself is written to the access records with its reason."
            ),
            "no_filter": _("None: every access record"),
            "back": _("Back to the access records"),
        },
        back_url=back_url,
        action_url=reverse("audit:access_records_export"),
    )


@staff_page(Permission.ACCESS_RECORDS_REVIEW)
@require_http_methods(["GET"])
def review_report(request):
    """The monthly review report; without ?month=, the last whole month."""
    form = ReviewMonthForm(request.GET if "month" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/review_report.html", {"form": form, "report": None}, status=400)
    month = form.cleaned_data["month"] if form.is_bound else ReviewMonth.previous()
    if not form.is_bound:
        form = ReviewMonthForm(initial={"month": str(month)})
    report = access_review_report(month=month, user=request.user)
    access_record_for_request(
        request,
        action=AccessAction.VIEW,
        purpose=AccessPurpose.AUDIT,
        record_type=REPORT_RECORD_TYPE,
        record_id=str(month),
        fields=[section.key for section in report.sections],
    )
    return render(request, "audit/review_report.html", {"form": form, "report": report})
