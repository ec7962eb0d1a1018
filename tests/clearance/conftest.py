import pytest

from clearance.services import api_client_create


@pytest.fixture
def api_client_and_key(db):
    return api_client_create(name="Forwarder Kim", scopes=["verify", "declare", "bulk"])


@pytest.fixture
def api_key(api_client_and_key):
    return api_client_and_key[1]


@pytest.fixture
def forwarder(api_client_and_key):
    return api_client_and_key[0]
