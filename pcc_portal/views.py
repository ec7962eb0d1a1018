from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from issuance.selectors import customs_office_list
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
