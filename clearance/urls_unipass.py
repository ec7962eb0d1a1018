from django.urls import path

from clearance import unipass

urlpatterns = [
    path("persEcmQry/retrievePersEcm", unipass.retrieve_pers_ecm, name="unipass_retrieve_pers_ecm"),
]
