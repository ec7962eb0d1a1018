"""Issuance-log review, one code's history, the CSV export and the dashboard (issue 5, "Admin review").
Thin: forms parse, staff/review.py checks permissions, scopes, reads and writes the access records."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from issuance.models import Channel, CodeStatus
from staff.charts import Category, Series, category_chart, day_chart
from staff.decorators import staff_page
from staff.exports import export_page
from staff.forms_review import CodeSearchForm, EventFilterForm
from staff.review import (
    code_events_export,
    code_events_filter,
    code_find_for_review,
    code_history_review,
    dashboard_figures,
    event_reason_label,
    review_offices,
)
from staff.roles import Permission

EVENTS_PER_PAGE = 50


def _filter_form(request, data) -> EventFilterForm:
    offices = review_offices(user=request.user)
    # An empty query string is the unfiltered log, not a form with nothing typed in it.
    bound = {name: data[name] for name in EventFilterForm.FIELDS if name in data}
    return EventFilterForm(bound or None, offices=offices)


def _events_page(request, *, filter_form, search_form, status=200):
    valid = not filter_form.is_bound or filter_form.is_valid()
    page = page_range = None
    if valid:
        events = code_events_filter(user=request.user, filters=filter_form.filters())
        paginator = Paginator(events, EVENTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page_range = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        for event in page.object_list:
            event.reason_label = event_reason_label(event)
    context = {
        "filter_form": filter_form,
        "search_form": search_form,
        "page": page,
        "page_range": page_range,
        "filter_query": urlencode(filter_form.carried()) if valid else "",
        "can_export": Permission.ISSUANCE_LOG_EXPORT in request.staff.permissions,
    }
    return render(request, "staff/review_events.html", context, status=status if valid else 400)


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
@require_http_methods(["GET", "POST"])
def review_events(request):
    """The log with its filters (GET); the search by code is a POST that leads to the code's history,
    so that a code is never in a web address."""
    filter_form = _filter_form(request, request.GET)
    if request.method != "POST":
        return _events_page(request, filter_form=filter_form, search_form=CodeSearchForm())
    search_form = CodeSearchForm(request.POST)
    if not search_form.is_valid():
        return _events_page(request, filter_form=filter_form, search_form=search_form, status=400)
    code = code_find_for_review(user=request.user, number=search_form.cleaned_data["code"])
    if code is None:
        search_form.add_error("code", _("No code with this number is in the log you can review."))
        return _events_page(request, filter_form=filter_form, search_form=search_form, status=404)
    return redirect("staff:review_code", code_id=code.pk)


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
@require_http_methods(["GET"])
def review_code(request, code_id):
    review = code_history_review(user=request.user, ip_address=client_ip(request), code_id=code_id)
    if review is None:
        raise Http404
    events = list(review.events)
    for event in events:
        event.reason_label = event_reason_label(event)
    context = {
        "review": review,
        "events": events,
        "can_see_access_records": Permission.ACCESS_RECORDS_REVIEW in request.staff.permissions,
    }
    return render(request, "staff/review_code.html", context)


@staff_page(Permission.ISSUANCE_LOG_EXPORT)
@require_http_methods(["GET", "POST"])
def review_events_export(request):
    """Asks for the reason (GET shows the form with the current filters), then streams the CSV."""
    filter_form = _filter_form(request, request.POST if request.method == "POST" else request.GET)

    def export(*, filters, reason):
        return code_events_export(user=request.user, ip_address=client_ip(request), filters=filters, reason=reason)

    return export_page(
        request,
        filter_form=filter_form,
        export=export,
        name="issuance-log",
        texts={
            "title": _("Export the issuance log"),
            "intro": _(
                "The file holds the events that match the filters below, with codes masked and no names or "
                "identification numbers. Every export is written to the access records with its reason."
            ),
            "no_filter": _("None: every event you may review"),
            "back": _("Back to the issuance log"),
        },
        back_url=reverse("staff:review_events"),
        action_url=reverse("staff:review_events_export"),
    )


_CHANNEL_CSS = {
    Channel.ONLINE: "review-series-online",
    Channel.COUNTER: "review-series-counter",
    Channel.SYSTEM: "review-series-system",
}


def _charts(figures) -> dict:
    issuances = day_chart(
        label=_("Issuances per day by channel, last 30 days. The numbers are in the table next to the chart."),
        days=figures.days,
        series=[
            Series(channel, Channel(channel).label, figures.issuances[channel], _CHANNEL_CSS[channel])
            for channel in Channel.values
        ],
        stacked=True,
    )
    reissues = day_chart(
        label=_("Reissues and theft reports per day, last 30 days. The numbers are in the table next to the chart."),
        days=figures.days,
        series=[
            Series("reissued", _("Reissues"), figures.reissues, "review-series-reissue"),
            Series("theft", _("Theft reports"), figures.theft_reports, "review-series-theft"),
        ],
        stacked=False,
    )
    rates = category_chart(
        label=_("Identity verification success rate by method, last 30 days, in per cent."),
        categories=[
            Category(
                rate.label,
                rate.percent,
                "review-series-rate",
                f"{rate.percent:g} %" if rate.percent is not None else str(_("no data")),
            )
            for rate in figures.method_rates
        ],
        maximum=100,
    )
    statuses = category_chart(
        label=_("Codes by status. The numbers are in the table next to the chart."),
        categories=[
            Category(item.label, item.count, f"review-status-{item.status}", f"{item.count:,}")
            for item in figures.statuses
        ],
    )
    expiring = day_chart(
        label=_("Codes in use expiring in the next 30 days, per day. The numbers are in the table next to the chart."),
        days=figures.expiring_days,
        series=[Series("expiring", _("Codes expiring"), figures.expiring, "review-series-expiring")],
        stacked=True,
    )
    return {"issuances": issuances, "reissues": reissues, "rates": rates, "statuses": statuses, "expiring": expiring}


@staff_page(Permission.ISSUANCE_LOG_REVIEW)
@require_http_methods(["GET"])
def review_dashboard(request):
    figures = dashboard_figures(user=request.user)
    issuance_rows = [
        (day, [figures.issuances[channel][index] for channel in Channel.values])
        for index, day in enumerate(figures.days)
    ]
    context = {
        "figures": figures,
        "charts": _charts(figures),
        "channels": [(channel, Channel(channel).label, _CHANNEL_CSS[channel]) for channel in Channel.values],
        "issuance_rows": [(day, counts, sum(counts)) for day, counts in issuance_rows],
        "reissue_rows": list(zip(figures.days, figures.reissues, figures.theft_reports, strict=True)),
        "expiring_rows": list(zip(figures.expiring_days, figures.expiring, strict=True)),
        "status_total": sum(item.count for item in figures.statuses),
        "active_status": CodeStatus.ACTIVE,
    }
    return render(request, "staff/review_dashboard.html", context)
