from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("receipts/sms/", views.sms_receipt, name="sms_receipt"),
]
