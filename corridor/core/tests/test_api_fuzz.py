"""Every operation of the JSON API, fuzzed from its own OpenAPI schema as each role would call
it (schemathesis): whatever arrives — wrong types, huge numbers, odd Unicode, missing fields —
the answer is a clear 4xx, never a server error, and every answer — its status, content type
and body — is one the published schema documents. Bounded: a few examples per operation and
role, so CI stays fast; raise CORRIDOR_FUZZ_EXAMPLES for a deeper run."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from corridor.accounts.services import issue_api_token

EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "3"))
ROLES = ["responder", "coordinator", "provider", "investigator", "prosecutor", "analyst", "admin"]

# What the answers must conform to. Not yet checked: whether every request the schema allows
# is accepted (some business rules, e.g. dates in order, are not expressed in the schema).
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A real WSGI request closes the database connection when it ends, which would end the
    test's transaction (on PostgreSQL); Django's test client does the same as this."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):
    return {
        role: issue_api_token(actor=getattr(world.users, role), name="fuzz")[1] for role in ROLES
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_input_makes_the_api_fail(case, tokens):
    for role, token in tokens.items():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (
            f"{role}: {case.method} {case.formatted_path} answered {response.status_code}: "
            f"{response.text[:300]}"
        )
        case.validate_response(response, checks=CONFORMANCE)
