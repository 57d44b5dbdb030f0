"""schemathesis against /api/v1/openapi.json: no 5xx, every answer as the schema declares it."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from qrtrace.accounts.services import api_token_create
from qrtrace.wsgi import application
from tests import actors

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# Loaded from the served document (no database needed), so what clients download is what is tested.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def _keep_test_transaction():
    # The WSGI handler closes "old" connections around each request, which would end the test's
    # transaction; Django's own test client switches this off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    """A province official's token, so generated requests reach the handlers, and records to find."""
    actors.make_venue("Chợ Vườn Hoa", actors.COMMUNE_A)
    return api_token_create(user=actors.make_official("cdc", "province", actors.PROVINCE))


@schema.parametrize()
# Bounded for CI (well under 90 s on SQLite); 300 examples per operation found nothing more.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.usefixtures("_keep_test_transaction")
def test_the_api_answers_every_generated_request_as_its_schema_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
