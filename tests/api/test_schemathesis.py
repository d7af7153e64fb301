"""The API against its own OpenAPI schema: no input, however malformed, gives a 500, and every
answer matches the schema (status codes, content types, bodies, headers).

Schemathesis generates valid and invalid requests for every operation from `/api/schema/`, sends
them through the WSGI application in-process, and runs its checks on each answer. The number of
examples is bounded so the run stays well under a minute or two on two cores.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from stations.tokens import token_issue

MAX_EXAMPLES = 20

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 12345,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": False},
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            # A stateful workflow refuses many well-formed requests (403, 404, 409): correct, and
            # documented, but not "acceptance". Every other check stays on.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)


# Loaded once, at collection, from the project's own schema endpoint (no database needed for it).
# The schema needs a signed-in user; at collection there is no database to hold one, so it is
# read as a deployment with HOTLINE_API_DOCS_PUBLIC=1 serves it (the same document).
with override_settings(HOTLINE_API_DOCS_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), config=CONFIG)


@pytest.fixture
def same_connection():
    """Keep the test's database connection across requests.

    Schemathesis calls the plain WSGI handler, which closes "old" connections when a request
    ends; inside the test's transaction that closes the connection itself (Django's test client
    switches this off the same way).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, same_connection, dispatcher, order_in, notice_for):
    """A little data, so that generated ids sometimes hit real orders and notices; the dispatcher's token."""
    for state in ("received", "dispatched", "reported", "callback_done"):
        order = order_in(state)
        if state in ("dispatched", "callback_done"):
            notice_for(order, kind="reminder" if state == "dispatched" else "supervision")
    _token, key = token_issue(user=dispatcher, name="schemathesis")
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
# The data is made once per operation and shared by its examples, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_conforms_to_its_schema_and_never_fails(case, seeded):
    case.call_and_validate(headers=seeded)


# A body nested 950 levels deep (what issue #11 sent) to every operation that reads a body. Such a
# body is a few kilobytes; it used to exhaust the JSON decoder's recursion and answer 500.
NESTED_BODY = b"[" * 950 + b"]" * 950
BODY_OPERATIONS = sorted(
    result.ok().path for result in schema.get_all_operations() if result.ok().method.upper() == "POST"
)


@pytest.mark.parametrize("path", BODY_OPERATIONS)
def test_a_deeply_nested_body_is_refused_never_a_server_error(seeded, path):
    from tickets.models import WorkOrder

    received = WorkOrder.objects.filter(status="received").first()
    case = schema[path]["POST"].Case(
        body=NESTED_BODY,
        media_type="application/json",
        path_parameters={"id": received.pk} if "{id}" in path else {},
    )
    response = case.call_and_validate(headers=seeded)
    assert response.status_code < 500
    # The dispatcher may register, dispatch and merge a received order: their bodies are read.
    if path in ("/api/v1/orders/", "/api/v1/orders/{id}/dispatch/", "/api/v1/orders/{id}/merge/"):
        assert (response.status_code, response.json()["code"]) == (400, "too_deep")
