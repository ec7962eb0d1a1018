from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from clearance import apis

urlpatterns = [
    path("v1/verifications", apis.VerificationApi.as_view(), name="api_verifications"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
