from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clearance import apis

urlpatterns = [
    path("v1/verifications", apis.VerificationApi.as_view(), name="api_verifications"),
    path("v1/declarations", apis.DeclarationApi.as_view(), name="api_declarations"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
