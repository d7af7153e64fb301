"""接单 over REST with the desk's choices at once: merge into a similar order (merge_into), link
to one (relate_to), dispatch (dispatch_to) — the same service as the browser's intake form
(`services.order_register`); and the merged and linked orders in the order's detail."""

import pytest

from tickets import services
from tickets.models import Status, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(payload):
    return lambda **fields: {**payload, **fields}


def test_an_order_registered_with_merge_into_is_merged_into_that_order(api, dispatcher, loop, body):
    primary = loop.dispatched()
    response = api(dispatcher).post("/api/v1/orders/", body(merge_into=primary.pk), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == Status.MERGED
    assert response.json()["merged_into"] == primary.pk
    detail = api(dispatcher).get(f"/api/v1/orders/{primary.pk}/").json()
    assert [o["id"] for o in detail["merged_orders"]] == [response.json()["id"]]


def test_an_order_registered_with_relate_to_is_linked_both_ways(api, dispatcher, loop, body):
    other = loop.received()
    response = api(dispatcher).post("/api/v1/orders/", body(relate_to=other.pk), format="json")
    assert response.status_code == 201, response.json()
    new = response.json()
    assert [o["number"] for o in new["related_orders"]] == [other.number]
    detail = api(dispatcher).get(f"/api/v1/orders/{other.pk}/").json()
    assert [o["id"] for o in detail["related_orders"]] == [new["id"]]


def test_an_order_registered_with_dispatch_to_is_with_that_unit(api, dispatcher, body, station_a):
    response = api(dispatcher).post("/api/v1/orders/", body(dispatch_to=station_a.pk), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == Status.DISPATCHED
    assert response.json()["unit"]["id"] == station_a.pk


def test_merge_into_an_order_that_does_not_exist_registers_nothing(api, dispatcher, body):
    before = WorkOrder.objects.count()
    response = api(dispatcher).post("/api/v1/orders/", body(merge_into=987654), format="json")
    assert response.status_code in (400, 422)
    assert "merge_into" in response.json()["errors"]
    assert WorkOrder.objects.count() == before


def test_a_refused_dispatch_at_intake_registers_nothing(api, dispatcher, body, review_unit):
    before = WorkOrder.objects.count()
    response = api(dispatcher).post("/api/v1/orders/", body(dispatch_to=review_unit.pk), format="json")
    assert response.status_code in (400, 422)
    assert "dispatch_to" in response.json()["errors"]
    assert WorkOrder.objects.count() == before


def test_a_merged_order_can_be_neither_linked_nor_dispatched_at_once(api, dispatcher, loop, body, station_a):
    primary = loop.dispatched()
    response = api(dispatcher).post(
        "/api/v1/orders/", body(merge_into=primary.pk, dispatch_to=station_a.pk), format="json"
    )
    assert response.status_code == 400
    assert "merge_into" in response.json()["errors"]


def test_a_unit_sees_only_the_linked_orders_it_may_see(api, dispatcher, officer_a, loop, body, station_b):
    other_units = loop.dispatched()
    services.order_redispatch(order=other_units, unit=station_b, acting_user=dispatcher)
    mine = loop.dispatched()
    services.order_relate(order=mine, related=other_units, acting_user=dispatcher)
    assert api(officer_a).get(f"/api/v1/orders/{mine.pk}/").json()["related_orders"] == []
    assert [o["id"] for o in api(dispatcher).get(f"/api/v1/orders/{mine.pk}/").json()["related_orders"]] == [
        other_units.pk
    ]
