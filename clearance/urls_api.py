from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clearance import apis, apis_bulk

urlpatterns = [
    path("v1/verifications", apis.VerificationApi.as_view(), name="api_verifications"),
    path("v1/bulk-verifications", apis_bulk.BulkVerificationCreateApi.as_view(), name="api_bulk_verifications"),
    path(
        "v1/bulk-verifications/<uuid:job_id>",
        apis_bulk.BulkVerificationDetailApi.as_view(),
        name="api_bulk_verification",
    ),
    path(
        "v1/bulk-verifications/<uuid:job_id>/result",
        apis_bulk.BulkVerificationResultApi.as_view(),
        name="api_bulk_verification_result",
    ),
    path("v1/declarations", apis.DeclarationApi.as_view(), name="api_declarations"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The init script comes as a separate request and the template has no inline <style>: the page passes
    # the site's CSP; the Swagger UI files are drf_spectacular_sidecar's static files, never a CDN.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/docs.html"),
        name="api_docs",
    ),
]
