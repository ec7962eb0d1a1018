from django.urls import path

from staff.views import review

urlpatterns = [
    path("review/events/", review.review_events, name="review_events"),
    path("review/events/export/", review.review_events_export, name="review_events_export"),
    path("review/codes/<int:code_id>/", review.review_code, name="review_code"),
    path("review/dashboard/", review.review_dashboard, name="review_dashboard"),
]
