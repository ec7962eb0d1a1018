"""The JSON API against its own OpenAPI schema (issue 7: "schemathesis run against /api/schema/ in make
test: no 5xx, responses conform to the schema").

The schema is read from the application when the tests are collected and every operation in it becomes
a test, so an endpoint added later is covered without touching this file. Requests go straight into the
WSGI application (no network) with a real API client's key. Generation is deterministic (derandomized,
fixed seed, no example database), so CI sends the same requests on every run.

Phases: the fuzzing phase, valid and invalid inputs, 50 per operation. The coverage phase is off: it
enumerates every value of every enum (each of ~250 countries in two fields of a declaration), which
took 20 s for one operation and found nothing the fuzzing phase misses.

(`schemathesis.pytest.from_fixture` would load the schema inside the test, but schemathesis 4.32 sets
`request.node._nodeid`, which pytest 9.2 no longer has.)
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from clearance.services import api_client_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261120,
        "generation": {
            "deterministic": True,
            "max-examples": 50,
            "database": "none",
            # Our key goes in every request; generated Authorization headers would only test the 401.
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture(autouse=True)
def _requests_inside_the_test_transaction():
    """Django's WSGI handler closes the database connection after each request (request_finished →
    close_old_connections), which would end the test's transaction; django.test.Client disconnects the
    same receiver for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db):
    _client, key = api_client_create(name="Schemathesis", scopes=["verify", "declare", "bulk"], rate_limit="1000000/m")
    return key


@schema.parametrize()
# One client for all the examples of an operation, as a forwarder is: its checks and filings add up.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_without_server_error_and_as_documented(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Api-Key {api_key}"}, checks=CHECKS)
