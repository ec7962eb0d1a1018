# The certificate method's pages; names are used as "verification:certificate-…".
from django.urls import path

from verification.views import certificate

urlpatterns = [
    path("", certificate.start, name="certificate-start"),
    path("challenge/", certificate.challenge, name="certificate-challenge"),
    path("verify/", certificate.verify, name="certificate-verify"),
]
