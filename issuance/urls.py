from django.urls import path

from issuance import views

app_name = "issuance"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("my-code/", views.my_code, name="my_code"),
    path("my-code/change/", views.change, name="change"),
    path("my-code/sms/", views.sms_consent, name="sms_consent"),
    path("my-code/renew/", views.renew, name="renew"),
    path("my-code/reissue/", views.reissue, name="reissue"),
    path("my-code/theft/", views.theft, name="theft"),
    path("my-code/terminate/", views.terminate, name="terminate"),
    path("my-code/history/", views.history, name="history"),
]
