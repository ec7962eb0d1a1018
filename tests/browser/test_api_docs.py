"""The API documentation page in a real browser (issue 7: "documentation page at /api/docs/ (served
from vendored assets, no CDN)"): Swagger UI renders every operation under the site's Content Security
Policy, asks nothing of any other host, and can call the API with a key."""

import json

import pytest
from playwright.sync_api import expect

from clearance.services import api_client_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_docs_page_lists_every_operation_from_this_site_alone_under_the_csp(open_page, live_server, client):
    operations = sum(len(path) for path in client.get("/api/schema/?format=json").json()["paths"].values())
    page = open_page(language="en")
    requested, console = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))

    page.goto("/api/docs/")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.get_by_text("/api/v1/verifications", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert [url for url in requested if not url.startswith(live_server.url + "/")] == []
    assert [line for line in console if line.startswith(("error", "pageerror"))] == []


def test_docs_page_calls_the_api_with_a_key(open_page):
    _client, key = api_client_create(name="Docs reader", scopes=["verify"])
    page = open_page(language="en")
    page.goto("/api/docs/")

    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").fill(f"Api-Key {key}")
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()

    operation = page.locator(".opblock").filter(has_text="/api/v1/verifications")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill(
        json.dumps({"pcc": "P261234567895", "name": "KIM", "phone": "01012345678", "postcode": ""})
    )
    operation.get_by_role("button", name="Execute").click()

    answer = operation.locator(".live-responses-table tr.response")
    expect(answer.locator(".response-col_status")).to_have_text("200")
    expect(answer.locator(".response-col_description")).to_contain_text('"match": false')
