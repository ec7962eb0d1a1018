"""URLs of the API benchmark's server (bench/api_settings.py): the portal's, plus the framework floor."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from pcc_portal.urls import urlpatterns as portal_urlpatterns


@require_GET
def trivial(request):
    """The framework floor: no database, no template, through every middleware a real request crosses.
    The verification endpoints are compared with it (issue 7, "Performance")."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial, name="bench_trivial"), *portal_urlpatterns]
