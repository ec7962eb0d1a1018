import pytest
from django.core.cache import cache

from issuance.demo import demo_data_seed


@pytest.fixture
def demo(db):
    """The demo people: registry records and phone lines (issuance.demo)."""
    demo_data_seed()


@pytest.fixture
def fresh_cache():
    """Rate limits count per IP in the cache, and every test client is 127.0.0.1: start each test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english():
    """These tests read messages in English (the msgids); the site's default language is Korean."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English unless a test asks for Korean (messages are stored in the request's language)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
