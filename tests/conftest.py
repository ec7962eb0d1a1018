import pytest
from django.core.cache import cache

from tests.factories import ONLINE, HolderDetailsFactory


@pytest.fixture
def online():
    return ONLINE


@pytest.fixture
def details():
    return HolderDetailsFactory()


@pytest.fixture
def issued_code(db, details):
    from issuance.services import code_issue

    return code_issue(details=details, actor=ONLINE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts and other cached state start empty in every test."""
    cache.clear()
    yield
    cache.clear()
