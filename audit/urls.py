from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.access_records, name="access_records"),
    path("export/", views.access_records_export, name="access_records_export"),
    path("report/", views.review_report, name="review_report"),
]
