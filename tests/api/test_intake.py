"""接单 through the API: idempotent on the 12345 platform's order number."""

import pytest
import time_machine

from tickets.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def test_intake_creates_an_order_with_201_and_its_location(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, payload, format="json")
    assert response.status_code == 201
    order = WorkOrder.objects.get()
    assert response.json()["id"] == order.pk
    assert response.json()["status"] == "received"
    assert response["Location"].endswith(f"{ORDERS}{order.pk}/")
    assert response["ETag"] == '"1"'


def test_same_platform_number_again_answers_200_with_the_existing_order(api, dispatcher, payload):
    first = api(dispatcher).post(ORDERS, payload, format="json")
    again = api(dispatcher).post(ORDERS, {**payload, "content": "重复推送"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["content"] == payload["content"]
    assert WorkOrder.objects.count() == 1
    assert OrderEvent.objects.filter(action="intake").count() == 1


def test_same_platform_number_a_week_later_still_gives_no_second_order(api, dispatcher, payload):
    first = api(dispatcher).post(ORDERS, payload, format="json")
    with time_machine.travel(WorkOrder.objects.get().received_at.timestamp() + 7 * 86400):
        again = api(dispatcher).post(ORDERS, payload, format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert WorkOrder.objects.count() == 1


def test_orders_without_platform_number_are_each_created(api, dispatcher, payload):
    del payload["platform_number"]
    assert api(dispatcher).post(ORDERS, payload, format="json").status_code == 201
    assert api(dispatcher).post(ORDERS, payload, format="json").status_code == 201
    assert WorkOrder.objects.count() == 2


def test_intake_reports_each_missing_field(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, {"channel": "12345"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"caller_name", "caller_phone", "content", "nature", "handling_type", "topic"}
    assert WorkOrder.objects.count() == 0


def test_intake_refuses_an_invalid_phone_with_the_services_message(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, {**payload, "caller_phone": "call me"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"caller_phone": ["请输入有效的电话号码。"]}


def test_intake_refuses_a_received_time_in_the_future(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, {**payload, "received_at": "2099-01-01T08:00:00+08:00"}, format="json")
    assert response.status_code == 400
    assert "received_at" in response.json()["errors"]


def test_intake_refuses_a_received_time_out_of_range(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, {**payload, "received_at": "0001-01-01T00:00:00+14:00"}, format="json")
    assert response.status_code == 400
    assert "received_at" in response.json()["errors"]


def test_intake_refuses_an_inactive_topic(api, dispatcher, payload, topic):
    topic.is_active = False
    topic.save()
    response = api(dispatcher).post(ORDERS, payload, format="json")
    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


def test_officer_may_not_register_orders(api, officer_a, payload):
    response = api(officer_a).post(ORDERS, payload, format="json")
    assert response.status_code == 403
    assert WorkOrder.objects.count() == 0


def test_officer_pushing_a_known_platform_number_learns_nothing(api, dispatcher, officer_b, payload):
    api(dispatcher).post(ORDERS, payload, format="json")
    response = api(officer_b).post(ORDERS, payload, format="json")
    assert response.status_code == 403
    assert "id" not in response.json()


def test_intake_records_the_registering_user(api, dispatcher, payload):
    api(dispatcher).post(ORDERS, payload, format="json")
    assert OrderEvent.objects.get(action="intake").actor == dispatcher


def test_intake_body_must_be_json(api, dispatcher, payload):
    response = api(dispatcher).post(ORDERS, "channel=12345", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_malformed_json_is_a_400(api, dispatcher):
    response = api(dispatcher).post(ORDERS, '{"channel": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_intake_after_the_counter_was_set_back_gets_the_next_free_number(api, dispatcher, payload):
    """The issue's case: the counter edited in the admin made the next intake a 500."""
    from tickets.models import Counter

    first = api(dispatcher).post(ORDERS, payload, format="json").json()
    Counter.objects.filter(key=f"order:{first['number'][2:10]}").update(value=0)

    response = api(dispatcher).post(ORDERS, {**payload, "platform_number": "SD-2026-000124"}, format="json")

    assert response.status_code == 201
    # The next free number (on PostgreSQL the day's sequence, which the counter no longer drives
    # and which other tests share, so only its order is certain).
    assert response.json()["number"] > first["number"]


def test_create_answers_empty_records_without_reading_them(api, dispatcher, payload):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(dispatcher)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(ORDERS, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert [body[name] for name in ("contacts", "reports", "reviews", "callbacks", "extensions", "objections")] == [
        [],
        [],
        [],
        [],
        [],
        [],
    ]
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("contactrecord", "report", "review", "callback", "extensionrequest", "objection"):
        assert f'"tickets_{table}"' not in read
