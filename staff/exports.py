"""The one way staff download a list: a page that asks why (issue 5: "every export asks for and
records its reason"), then a streamed CSV (Django's "Streaming large CSV files").

Used by the issuance-log export (staff/views/review.py) and the access-record export (audit/views.py).
The function that makes the rows is a service that checks the permission and writes the export's
access record before the first row."""

import csv
from collections.abc import Callable, Iterable

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from pcc_portal.exceptions import ApplicationError
from staff.forms_review import ExportReasonForm

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); usernames and
# reasons are typed by people, so such a cell gets a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, so csv.writer yields lines to stream."""

    def write(self, value):
        return value


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_lines(rows: Iterable[list]):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the byte-order mark tells Excel the file is UTF-8 (office names, reasons in Korean)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_download(rows: Iterable[list], *, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response


def export_page(
    request,
    *,
    filter_form,
    export: Callable[..., Iterable[list]],
    name: str,
    texts: dict,
    back_url: str,
    action_url: str,
):
    """GET: the filters in words and the reason form. A valid POST calls `export(filters=, reason=)`
    and streams its rows; an invalid one shows the page again (400) and exports nothing."""
    reason_form = ExportReasonForm(request.POST if request.method == "POST" else None)
    filters_valid = not filter_form.is_bound or filter_form.is_valid()
    if request.method == "POST" and filters_valid and reason_form.is_valid():
        try:
            rows = export(filters=filter_form.filters(), reason=reason_form.cleaned_data["reason"])
        except ApplicationError as error:
            reason_form.add_error("reason", error.message)
        else:
            return csv_download(rows, name=name)
    status = 200 if request.method == "GET" and filters_valid else 400
    context = {
        "filter_form": filter_form,
        "reason_form": reason_form,
        "filters_valid": filters_valid,
        "carried": filter_form.carried() if filters_valid else [],
        "summary": filter_form.summary() if filters_valid else [],
        "texts": texts,
        "back_url": back_url,
        "action_url": action_url,
    }
    return render(request, "staff/export_page.html", context, status=status)
