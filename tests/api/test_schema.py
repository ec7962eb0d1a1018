"""The API's schema and documentation page (issue 7: "Schema with drf-spectacular at /api/schema/,
documentation page at /api/docs/ (served from vendored assets, no CDN)")."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)=["']([^"']*)["']""")


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_with_our_endpoints(schema):
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/verifications", "/api/v1/declarations"} <= set(schema["paths"])
    assert not [path for path in schema["paths"] if not path.startswith("/api/v1/")], "only the API's own paths"


def test_every_operation_needs_the_api_key_in_the_authorization_header(schema):
    assert schema["components"]["securitySchemes"]["ApiKey"] | {"description": ""} == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "",
    }
    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    assert operations and all(operation["security"] == [{"ApiKey": []}] for operation in operations)


def test_every_operation_documents_its_own_request_body(schema):
    """Nested serializers share class names (every view's `InputSerializer`): by name alone one view's
    request schema would replace another's."""
    components = schema["components"]["schemas"]

    def request_fields(path):
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return set(components[ref.rpartition("/")[2]]["properties"])

    assert request_fields("/api/v1/verifications") == {"pcc", "name", "phone", "postcode"}
    assert "declaration_number" in request_fields("/api/v1/declarations")


def test_schema_generates_without_warnings(tmp_path):
    """drf-spectacular warns when it cannot document something (an authenticator, two components with one
    name, one enum under two names): each is a wrong or vague schema for clients and for schemathesis."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


def test_docs_page_loads_only_our_own_files_and_no_inline_code(client):
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    html = response.content.decode()
    urls = URL_ATTRIBUTE.findall(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert [url for url in urls if not url.startswith("/")] == [], "every file from this site"
    assert "//" not in "".join(urls), "no other host"
    assert "<style" not in html, "style-src 'self' refuses inline styles"
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], "script-src 'self' refuses inline scripts"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_page_script_points_swagger_ui_at_our_schema(client):
    response = client.get(reverse("api_docs"), {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in response.content.decode()
