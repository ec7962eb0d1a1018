from django.contrib import admin
from django.urls import include, path

from pcc_portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("guide/faq/", views.guide_faq, name="guide_faq"),
    path("guide/offices/", views.guide_offices, name="guide_offices"),
    path("guide/privacy/", views.guide_privacy, name="guide_privacy"),
    path("verify/", include("verification.urls")),
    path("dev/phone/", include("verification.urls.dev_phone")),
    path("notifications/", include("notifications.urls")),
    path("captcha/", include("captcha.urls")),
    path("staff/access-records/", include("audit.urls")),
    path("staff/", include("staff.urls")),
    path("ext/rest/", include("clearance.urls_unipass")),
    path("api/", include("clearance.urls_api")),
    path("", include("issuance.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "pcc_portal.views.bad_request"
handler404 = "pcc_portal.views.not_found"
handler500 = "pcc_portal.views.server_error"
