"""Every error under /api/ is a JSON answer with a clear message; a client's mistake is never a 500."""

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from rest_framework.test import APIClient

from hotline import views as hotline_views
from stations.tokens import token_issue
from tickets.api import parsers
from tickets.api.errors import MSG_SERVER_ERROR, MSG_UNAVAILABLE, RETRY_AFTER_SECONDS
from tickets.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
# What the issue sent: a body of brackets nested 950 levels deep (a couple of kilobytes).
NESTED_950 = "[" * 950 + "]" * 950
UNAVAILABLE = MSG_UNAVAILABLE % {"seconds": RETRY_AFTER_SECONDS}
TOO_DEEP = parsers.MSG_TOO_DEEP % {"limit": parsers.MAX_DEPTH}


@pytest.fixture
def client_of():
    """`client_of(user)`: like `api(user)`, but an unhandled error answers as it would in production."""

    def make(user=None, **kwargs) -> APIClient:
        client = APIClient(raise_request_exception=False, **kwargs)
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def post_raw(client, path, body: str | bytes, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def assert_json_error(response, status_code: int, detail=None, code=None) -> dict:
    assert response.status_code == status_code, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) >= {"detail", "code"}
    if detail is not None:
        assert body["detail"] == str(detail)
    if code is not None:
        assert body["code"] == code
    return body


# --- JSON nested too deep: 400, at the parser ---


def test_intake_nested_950_levels_deep_is_400(client_of, dispatcher):
    response = post_raw(client_of(dispatcher), ORDERS, NESTED_950)
    assert_json_error(response, 400, TOO_DEEP, "too_deep")
    assert not WorkOrder.objects.exists()


def test_action_nested_950_levels_deep_is_400_and_changes_nothing(client_of, dispatcher, order_in):
    order = order_in("received")
    response = post_raw(client_of(dispatcher), f"{ORDERS}{order.pk}/dispatch/", f'{{"unit": {NESTED_950}}}')
    assert_json_error(response, 400, TOO_DEEP, "too_deep")
    assert WorkOrder.objects.get(pk=order.pk).status == "received"


def test_nesting_far_past_the_decoders_limit_is_400(client_of, dispatcher):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert_json_error(post_raw(client_of(dispatcher), ORDERS, deep), 400, TOO_DEEP, "too_deep")


def test_nesting_just_over_the_limit_is_400_and_at_the_limit_reaches_the_view(client_of, dispatcher):
    depth = parsers.MAX_DEPTH
    over = post_raw(client_of(dispatcher), ORDERS, "[" * (depth + 1) + "]" * (depth + 1))
    assert_json_error(over, 400, TOO_DEEP, "too_deep")
    # At the limit the parser lets it through and the serializer says what is wrong with it.
    at_limit = post_raw(client_of(dispatcher), ORDERS, "[" * depth + "]" * depth)
    assert_json_error(at_limit, 400, code="invalid")


def test_nested_body_with_an_idempotency_key_is_400(client_of, dispatcher):
    response = post_raw(client_of(dispatcher), ORDERS, NESTED_950, **{"Idempotency-Key": "deep-1"})
    assert_json_error(response, 400, TOO_DEEP, "too_deep")


def test_malformed_json_names_where(client_of, dispatcher):
    response = post_raw(client_of(dispatcher), ORDERS, '{"content": "噪音",\n  oops}')
    assert_json_error(response, 400, parsers.MSG_MALFORMED % {"line": 2, "column": 3}, "parse_error")


def test_body_not_in_utf8_is_400(client_of, dispatcher):
    response = post_raw(client_of(dispatcher), ORDERS, '{"content": "噪音"}'.encode("gb18030"))
    assert_json_error(response, 400, parsers.MSG_UNDECODABLE, "parse_error")


def test_parse_errors_speak_english_on_request(client_of, dispatcher):
    client = client_of(dispatcher, HTTP_ACCEPT_LANGUAGE="en")
    response = post_raw(client, ORDERS, NESTED_950)
    assert_json_error(response, 400, "The request's JSON is nested too deeply (at most 32 levels).")


# --- too large: 413 ---


def test_10_mb_body_is_413_json(client_of, dispatcher):
    body = '{"content": "' + "噪" * (10 * 1024 * 1024 // 3) + '"}'
    response = post_raw(client_of(dispatcher), ORDERS, body)
    assert_json_error(response, 413, "请求内容过大（上限 2.5 MB）。", "request_too_large")
    assert not WorkOrder.objects.exists()


def test_10_mb_body_with_an_idempotency_key_is_413_json(client_of, dispatcher, order_in, station_a):
    order = order_in("received")
    body = f'{{"unit": {station_a.pk}, "note": "{"x" * 10_000_000}"}}'
    response = post_raw(client_of(dispatcher), f"{ORDERS}{order.pk}/dispatch/", body, **{"Idempotency-Key": "big"})
    assert_json_error(response, 413, code="request_too_large")
    assert WorkOrder.objects.get(pk=order.pk).status == "received"


# --- the database or the broker down: 503 with Retry-After ---


def database_down(error=OperationalError):
    """Every query fails as when PostgreSQL is unreachable."""
    return mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=error("connection to server at 127.0.0.1, port 5432 failed: Connection refused"),
    )


def test_database_down_is_503_with_retry_after(client_of, dispatcher):
    client = client_of(dispatcher)
    with database_down():
        response = client.get(ORDERS)
    assert_json_error(response, 503, UNAVAILABLE, "service_unavailable")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_database_down_during_token_authentication_is_503(client_of, dispatcher):
    _token, key = token_issue(user=dispatcher, name="platform")
    client = client_of(HTTP_AUTHORIZATION=f"Token {key}")
    with database_down(InterfaceError):
        response = client.post(ORDERS, {"content": "噪音"}, format="json")
    assert_json_error(response, 503, UNAVAILABLE, "service_unavailable")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_database_down_on_a_transition_is_503(client_of, dispatcher, order_in, station_a):
    order = order_in("received")
    client = client_of(dispatcher)
    with database_down():
        response = client.post(f"{ORDERS}{order.pk}/dispatch/", {"unit": station_a.pk}, format="json")
    assert_json_error(response, 503, UNAVAILABLE)


def test_broker_down_outside_the_sending_helper_is_503(client_of, dispatcher):
    from kombu.exceptions import OperationalError as BrokerOperationalError

    with mock.patch("tickets.api.views.OrderViewSet.list", side_effect=BrokerOperationalError("Error 111")):
        response = client_of(dispatcher).get(ORDERS)
    assert_json_error(response, 503, UNAVAILABLE)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_database_down_outside_a_view_is_503_json(client_of, dispatcher):
    """A middleware's query fails: Django's handler500 still answers the API's 503."""
    client = client_of(dispatcher)
    with mock.patch(
        "hotline.middleware.BureauLocaleMiddleware.process_request", side_effect=OperationalError("gone away")
    ):
        response = client.get(ORDERS)
    assert_json_error(response, 503, UNAVAILABLE, "service_unavailable")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_handler500_answers_503_for_a_database_error_and_500_for_a_bug():
    request = RequestFactory().get("/api/v1/orders/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        unavailable = hotline_views.server_error(request)
    try:
        raise KeyError("bug")
    except KeyError:
        bug = hotline_views.server_error(request)
    assert_json_error(unavailable, 503, code="service_unavailable")
    assert_json_error(bug, 500, MSG_SERVER_ERROR, "server_error")


# --- 404, 405, 500 under /api/: JSON; elsewhere the pages ---


def test_unknown_api_path_is_404_json(client_of, dispatcher):
    assert_json_error(client_of(dispatcher).get("/api/v1/no-such-thing/"), 404, "未找到。", "not_found")
    assert_json_error(client_of().get("/api/nope"), 404, code="not_found")
    assert_json_error(client_of().get("/api"), 404, code="not_found")


def test_unknown_api_path_is_404_json_with_debug_on(client_of, dispatcher, settings):
    settings.DEBUG = True
    response = client_of(dispatcher).get("/api/v1/no-such-thing/")
    assert_json_error(response, 404, code="not_found")
    assert response["Cache-Control"] == "no-store"  # the replaced page's headers are kept


def test_unknown_page_is_still_the_html_page(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_wrong_method_is_405_json_with_allow(client_of, dispatcher, order_in):
    order = order_in("received")
    response = client_of(dispatcher).delete(f"{ORDERS}{order.pk}/")
    body = assert_json_error(response, 405, code="method_not_allowed")
    assert "DELETE" in body["detail"]
    assert "GET" in response["Allow"]
    assert_json_error(client_of(dispatcher).get(f"{ORDERS}{order.pk}/dispatch/"), 405, code="method_not_allowed")


def test_unexpected_error_is_500_json(client_of, dispatcher):
    with mock.patch("tickets.api.views.OrderViewSet.list", side_effect=KeyError("bug")):
        response = client_of(dispatcher).get(ORDERS)
    assert_json_error(response, 500, MSG_SERVER_ERROR, "server_error")


def test_unexpected_error_is_500_json_with_debug_on(client_of, dispatcher, settings):
    settings.DEBUG = True
    with mock.patch("tickets.api.views.OrderViewSet.list", side_effect=KeyError("bug")):
        response = client_of(dispatcher).get(ORDERS)
    assert_json_error(response, 500, MSG_SERVER_ERROR, "server_error")


def test_a_refused_request_is_still_not_a_server_error(client_of, officer_b, order_in):
    """The old contract holds: 404 for an order one may not see, in the same body."""
    order = order_in("dispatched")
    assert_json_error(client_of(officer_b).get(f"{ORDERS}{order.pk}/"), 404, code="not_found")
    assert not OrderEvent.objects.filter(order=order, action="contact").exists()


def test_a_form_body_is_415_json(client_of, dispatcher):
    response = client_of(dispatcher).post(ORDERS, "content=x", content_type="application/x-www-form-urlencoded")
    assert_json_error(response, 415, code="unsupported_media_type")
