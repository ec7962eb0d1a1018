# The mobile method's pages; names are used as "verification:mobile-…".
from django.urls import path

from verification.views import mobile

urlpatterns = [
    path("", mobile.start, name="mobile-start"),
    path("code/", mobile.code, name="mobile-code"),
    path("code/extend/", mobile.extend, name="mobile-extend"),
    path("pass/", mobile.pass_wait, name="mobile-pass"),
    path("pass/status/", mobile.pass_status, name="mobile-pass-status"),
]
