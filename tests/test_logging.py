"""What the log shows: a client's mistake is one line, printed once; a server error keeps its traceback."""

import io
import logging
from unittest import mock

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(settings):
    """The console as configured from settings.LOGGING, into a buffer, with DEBUG on (as `make run`).

    Every plain StreamHandler on the way from `django.request` to the root writes into the buffer
    (pytest's own capture handlers are subclasses and left alone).
    """
    settings.DEBUG = True
    buffer = io.StringIO()
    handlers = [
        handler
        for logger in (logging.getLogger("django.request"), logging.getLogger("django"), logging.getLogger())
        for handler in logger.handlers
        if type(handler) is logging.StreamHandler
    ]
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        if stream is not None:
            handler.setStream(stream)


def test_a_refused_page_is_logged_once_without_traceback(client, officer_a, console):
    client.force_login(officer_a)
    assert client.get("/dispatch/").status_code == 403
    output = console.getvalue()
    assert output.count("Forbidden (Permission denied): /dispatch/") == 1
    assert "WARNING django.request: Forbidden (Permission denied): /dispatch/\n" in output
    assert "Traceback" not in output


def test_a_refused_api_action_is_logged_once(officer_a, loop, station_b, console):
    order = loop.dispatched()
    client = APIClient()
    client.force_authenticate(officer_a)
    response = client.post(f"/api/v1/orders/{order.pk}/redispatch/", {"unit": station_b.pk}, format="json")
    assert response.status_code == 403
    output = console.getvalue()
    assert output.count("Forbidden") == 1
    assert f"WARNING django.request: Forbidden: /api/v1/orders/{order.pk}/redispatch/\n" in output
    assert "Traceback" not in output


def test_a_server_error_keeps_its_traceback_once(dispatcher, console):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(dispatcher)
    with mock.patch("tickets.api.views.OrderViewSet.list", side_effect=KeyError("bug")):
        assert client.get("/api/v1/orders/").status_code == 500
    output = console.getvalue()
    assert output.count("Internal Server Error: /api/v1/orders/") == 1
    assert output.count("Traceback (most recent call last)") == 1
    assert "KeyError: 'bug'" in output
