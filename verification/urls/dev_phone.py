# The development-only simulated phone (/dev/phone/); its views answer 404 unless DEBUG is on.
from django.urls import path

from verification.views import dev_phone

app_name = "dev_phone"

urlpatterns = [
    path("", dev_phone.index, name="index"),
    path("<uuid:subscriber_id>/", dev_phone.phone, name="phone"),
    path("<uuid:subscriber_id>/push/<uuid:push_id>/", dev_phone.push_decide, name="push-decide"),
]
