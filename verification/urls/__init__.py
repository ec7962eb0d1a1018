from django.urls import include, path

from verification.views import entry

app_name = "verification"

urlpatterns = [
    path("methods/", entry.methods, name="methods"),
    path("done/", entry.done, name="done"),
    path("mobile/", include("verification.urls.mobile")),
    path("simple/", include("verification.urls.simple")),
    path("certificate/", include("verification.urls.certificate")),
    path("<str:purpose>/", entry.real_name, name="real_name"),
]
