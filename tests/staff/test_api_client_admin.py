"""API clients in the admin: a key is shown once, rotated and disabled through the services."""

import pytest

from clearance.models import ApiClient
from clearance.selectors import api_client_by_key

pytestmark = pytest.mark.django_db


def test_admin_creates_rotates_and_disables_showing_the_key_once(administrator_client):
    response = administrator_client.post(
        "/admin/clearance/apiclient/add/", {"name": "Admin made", "scopes": '["verify"]', "rate_limit": ""}, follow=True
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Admin made")
    shown = [str(m) for m in response.context["messages"]]
    key = next(m for m in shown if ": pcc_" in m).rsplit(" ", 1)[1]
    assert api_client_by_key(key) == client
    response = administrator_client.post(
        "/admin/clearance/apiclient/", {"action": "rotate_key", "_selected_action": [client.pk]}, follow=True
    )
    assert api_client_by_key(key) is None
    response = administrator_client.post(
        "/admin/clearance/apiclient/", {"action": "disable", "_selected_action": [client.pk]}, follow=True
    )
    client.refresh_from_db()
    assert client.is_active is False and client.disabled_at is not None


def test_admin_refuses_unknown_scopes_with_a_message(administrator_client):
    response = administrator_client.post(
        "/admin/clearance/apiclient/add/", {"name": "Bad scopes", "scopes": '["root"]', "rate_limit": ""}
    )
    assert response.status_code == 200 and not ApiClient.objects.filter(name="Bad scopes").exists()
