"""Cursor pagination of the order list: stable pages by received time or deadline, both ways."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db


def follow(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return response.json()


def collect(client, url, direction="next"):
    seen, body = [], follow(client, url)
    seen.extend(row["id"] for row in body["results"])
    while body[direction]:
        body = follow(client, body[direction])
        seen.extend(row["id"] for row in body["results"])
    return seen


@pytest.fixture
def orders(order_in):
    """Seven orders; three share one received time, two have no deadline (not dispatched)."""
    now = timezone.now()
    made = []
    for minutes in (70, 60, 50, 50, 50, 30, 10):
        made.append(order_in("dispatched", received_at=now - dt.timedelta(minutes=minutes)))
    for order in made[-2:]:
        WorkOrder.objects.filter(pk=order.pk).update(status="received", unit=None, handling_deadline=None)
    return made


def expected(orders, key, reverse):
    rows = list(WorkOrder.objects.filter(pk__in=[o.pk for o in orders]))
    present = sorted((r for r in rows if getattr(r, key) is not None), key=lambda r: (getattr(r, key), r.pk))
    if reverse:
        present.reverse()
    missing = sorted((r for r in rows if getattr(r, key) is None), key=lambda r: r.pk, reverse=reverse)
    return [r.pk for r in present + missing]


@pytest.mark.parametrize("ordering", ["-received_at", "received_at", "handling_deadline", "-handling_deadline"])
def test_pages_cover_every_order_once_in_order(api, dispatcher, orders, ordering):
    key = ordering.lstrip("-")
    seen = collect(api(dispatcher), f"/api/v1/orders/?page_size=2&ordering={ordering}")
    assert seen == expected(orders, key, ordering.startswith("-"))


def test_default_order_is_newest_received_first(api, dispatcher, orders):
    assert collect(api(dispatcher), "/api/v1/orders/?page_size=3") == expected(orders, "received_at", True)


@pytest.mark.parametrize("ordering", ["-received_at", "handling_deadline"])
def test_previous_links_walk_back_the_same_pages(api, dispatcher, orders, ordering):
    client = api(dispatcher)
    pages = [follow(client, f"/api/v1/orders/?page_size=2&ordering={ordering}")]
    while pages[-1]["next"]:
        pages.append(follow(client, pages[-1]["next"]))
    back = pages[-1]
    for page in reversed(pages[:-1]):
        back = follow(client, back["previous"])
        assert [r["id"] for r in back["results"]] == [r["id"] for r in page["results"]]
    assert back["previous"] is None


def test_first_page_has_no_previous_and_last_has_no_next(api, dispatcher, orders):
    client = api(dispatcher)
    first = follow(client, "/api/v1/orders/?page_size=5")
    last = follow(client, first["next"])
    assert first["previous"] is None
    assert last["next"] is None
    assert len(first["results"]) + len(last["results"]) == len(orders)


def test_cursor_keeps_the_filters(api, dispatcher, orders):
    body = follow(api(dispatcher), "/api/v1/orders/?page_size=1&status=dispatched")
    assert parse_qs(urlparse(body["next"]).query)["status"] == ["dispatched"]


def test_page_size_is_bounded(api, dispatcher):
    for size in ("0", "201", "many"):
        response = api(dispatcher).get(f"/api/v1/orders/?page_size={size}")
        assert response.status_code == 400
        assert "page_size" in response.json()["errors"]


def test_invalid_cursor_is_400(api, dispatcher):
    for cursor in ("garbage", "eyJ2IjoxfQ", "eyJ2IjpudWxsLCJpIjotMSwiYiI6ZmFsc2V9"):
        response = api(dispatcher).get(f"/api/v1/orders/?cursor={cursor}")
        assert response.status_code == 400, cursor
        assert "cursor" in response.json()["errors"]


def test_a_page_is_one_query_whatever_its_depth(api, dispatcher, orders, django_assert_max_num_queries):
    """Keyset: the next page is WHERE (received_at, id) < position, never OFFSET."""
    client = api(dispatcher)
    deep = follow(client, follow(client, "/api/v1/orders/?page_size=2")["next"])["next"]
    with django_assert_max_num_queries(4) as captured:
        client.get(deep)
    page_query = next(q["sql"] for q in captured.captured_queries if "tickets_workorder" in q["sql"])
    assert "OFFSET" not in page_query.upper()


def test_cursor_at_the_edge_of_time_does_not_fail(api, dispatcher, orders):
    import base64
    import json

    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        raw = json.dumps({"v": moment, "i": 1, "b": False}).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert api(dispatcher).get(f"/api/v1/orders/?cursor={cursor}").status_code == 200
