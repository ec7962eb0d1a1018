"""Staff pages under /staff/: sign-in (views/auth.py), counter issuance and person look-up
(views/counter.py, views/people.py), issuance-log review and dashboard (views/review.py), partners'
spreadsheet verification jobs (views/bulk_jobs.py)."""

from django.urls import path

from staff.urls.counter import urlpatterns as counter_urls
from staff.urls.review import urlpatterns as review_urls
from staff.views import auth, bulk_jobs, home

app_name = "staff"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login, name="login"),
    path("login/code/", auth.login_totp, name="login_totp"),
    path("login/enrol/", auth.login_enrol, name="login_enrol"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("bulk-jobs/", bulk_jobs.bulk_jobs, name="bulk_jobs"),
    *counter_urls,
    *review_urls,
]
