# The simple method's pages; names are used as "verification:simple-…".
from django.urls import path

from verification.views import simple

urlpatterns = [
    path("", simple.start, name="simple-start"),
    path("wait/", simple.wait, name="simple-wait"),
    path("status/", simple.status, name="simple-status"),
]
