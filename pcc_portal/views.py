from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import exceptions

from issuance.selectors import customs_office_list
from pcc_portal.api import api_exception_handler, error_body
from pcc_portal.health import health_report


@require_GET
def home(request):
    return render(request, "home.html", {"offices": customs_office_list()})


# Guide pages (issue 4, "Pages and language"): the seeds' facts in our own words, nothing stored.


@require_GET
def guide_faq(request):
    return render(request, "guide/faq.html")


@require_GET
def guide_offices(request):
    return render(request, "guide/offices.html", {"offices": customs_office_list()})


@require_GET
def guide_privacy(request):
    return render(request, "guide/privacy.html")


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


# Errors Django answers itself (handler400/404/500 in pcc_portal/urls.py): under /api/ in the API's one
# error shape (pcc_portal/api.py), as API clients parse JSON whatever went wrong; elsewhere the HTML pages.
API_PREFIX = "/api/"
BAD_REQUEST_MESSAGE = _("The request could not be read: it is too large or not well formed.")
SERVER_ERROR_MESSAGE = _("Something went wrong on our side. Please try again in a few minutes.")


def _api_error(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception):
    """A request Django refused before any view, e.g. a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.path_info.startswith(API_PREFIX):
        return _api_error(error_body("PCC_REQUEST_MALFORMED", BAD_REQUEST_MESSAGE), 400)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """An address no URL pattern matches, or an Http404 raised outside an API view."""
    if request.path_info.startswith(API_PREFIX):
        response = api_exception_handler(exceptions.NotFound(), {})
        return _api_error(response.data, response.status_code)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """An unexpected exception (already logged by Django); the answer says nothing about it."""
    if request.path_info.startswith(API_PREFIX):
        return _api_error(error_body("PCC_SERVER_ERROR", SERVER_ERROR_MESSAGE), 500)
    return defaults.server_error(request)
