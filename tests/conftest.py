import pytest

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
