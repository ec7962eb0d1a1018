import pytest

from issuance.demo import DEMO_PEOPLE, demo_data_seed
from verification.services import identity_check_start, identity_check_verified


@pytest.fixture
def demo(db):
    demo_data_seed()
    return {person.english_name: person for person in DEMO_PEOPLE}


@pytest.fixture
def verify(client):
    """Pass the real-name check and a method for a demo person in the test client's session (the
    methods themselves are tested in tests/verification)."""

    def _verify(person, *, purpose: str, method: str = "mobile", phone: str | None = "default"):
        from personal_data.contact import normalise_phone

        session = client.session
        check = identity_check_start(session=session, purpose=purpose, name=person.name, resident_number=person.rrn)
        verified_phone = normalise_phone(person.phone) if phone == "default" else phone
        identity_check_verified(check=check, method=method, phone=verified_phone)
        session.save()
        return check

    return _verify


@pytest.fixture
def client(client):
    """Journey pages in English unless a test asks for Korean (the default language of the site)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
