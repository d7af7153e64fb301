"""Every list page asks the database a fixed number of times, whether it shows 5 rows or 50.

Each test fills the page's queues with `n` orders (written directly, in the state the page
lists, with the records it shows) and opens the page under `django_assert_max_num_queries`
with the same budget for 5 and for 50 rows. A per-row query anywhere breaks the budget at 50.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from stations.models import RoutingRule, RoutingRuleKind
from tickets.models import (
    Callback,
    ExtensionRequest,
    Objection,
    OrderEvent,
    Report,
    Review,
    Status,
    WorkOrder,
)
from tickets.views.queues import CALLBACK_PAGE

pytestmark = pytest.mark.django_db

ROWS = [5, 50]


@pytest.fixture
def orders(topic, station_a, station_b, officer_a, reviewer, dispatcher):
    """`orders(n, status, **fields)`: n orders of station A in `status`, with their records."""
    RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="幸福小区", unit=station_a)
    RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="卧龙山", unit=station_b)
    made = [0]

    def make(n: int, status: str, **fields) -> list[WorkOrder]:
        now = timezone.now()
        rows = []
        for i in range(n):
            made[0] += 1
            dispatched = status != Status.RECEIVED
            data = {
                "number": f"QC{made[0]:08d}",
                "channel": "12345",
                "received_at": now - dt.timedelta(hours=5, minutes=i),
                "caller_name": "王女士",
                "caller_phone": "13812345678",
                "address": "城关街道幸福小区3号楼" if i % 2 else "卧龙山街道青山路1号",
                "content": "楼上深夜装修噪音扰民。",
                "nature": "complaint",
                "handling_type": "service",
                "topic": topic,
                "status": status,
                "unit": station_a if dispatched else None,
                "cycle": 1 if dispatched else 0,
                "dispatched_at": now - dt.timedelta(hours=4) if dispatched else None,
                "contact_deadline": now - dt.timedelta(hours=3) if dispatched else None,
                "handling_deadline": now + dt.timedelta(hours=i - 2) if dispatched else None,
                "reported_at": now - dt.timedelta(hours=2, minutes=i)
                if status not in ("received", "dispatched", "contacted", "sent_back")
                else None,
                "reviewed_at": now - dt.timedelta(hours=1, minutes=i)
                if status in ("approved", "callback_done")
                else None,
                "callback_at": now - dt.timedelta(minutes=30 + i) if status == "callback_done" else None,
                "satisfaction": "unsatisfied" if status == "callback_done" else "",
                "officer": officer_a if i % 3 == 0 and dispatched else None,
            }
            data.update(fields)
            rows.append(WorkOrder(**data))
        WorkOrder.objects.bulk_create(rows)
        OrderEvent.objects.bulk_create(
            OrderEvent(order=o, action="intake", to_status="received", actor=dispatcher) for o in rows
        )
        if status in ("reported", "approved", "callback_done", "returned"):
            reports = Report.objects.bulk_create(
                Report(order=o, author=officer_a, outcome="resolved", text="已处理。", cycle=1) for o in rows
            )
            if status in ("approved", "callback_done"):
                Review.objects.bulk_create(
                    Review(order=o, report=r, reviewer=reviewer, decision="approved")
                    for o, r in zip(rows, reports, strict=True)
                )
        if status == "callback_done":
            Callback.objects.bulk_create(
                Callback(order=o, caller=dispatcher, satisfaction="unsatisfied", citizen_words="没解决。", cycle=1)
                for o in rows
            )
        if status == "sent_back":
            Objection.objects.bulk_create(
                Objection(
                    order=o, unit=station_a, raised_by=officer_a, reason="不属本所。", previous_status="dispatched"
                )
                for o in rows
            )
        return rows

    return make


def shown(response, orders_) -> int:
    html = response.content.decode()
    return sum(1 for o in orders_ if re.search(rf'data-order="{o.number}"', html))


@pytest.mark.parametrize("n", ROWS)
def test_dispatch_board(client, dispatcher, officer_a, orders, n, django_assert_max_num_queries):
    waiting = orders(n, Status.RECEIVED)
    sent_back = orders(n, Status.SENT_BACK)
    extended = orders(n, Status.CONTACTED)
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            order=o, requested_by=officer_a, reason="需协调。", requested_until=timezone.now() + dt.timedelta(days=2)
        )
        for o in extended
    )
    client.force_login(dispatcher)
    # +1 constant: the sweep heartbeat banner; +1: the live board's pulse (counts and change stamp)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("tickets:dispatch_board"))
    assert shown(response, waiting + sent_back + extended) == 3 * n
    assert "转办至城关派出所" in response.content.decode()


@pytest.mark.parametrize("n", ROWS)
def test_desk_pulse_unchanged(client, dispatcher, orders, n, django_assert_num_queries):
    orders(n, Status.RECEIVED)
    orders(n, Status.SENT_BACK)
    client.force_login(dispatcher)
    stamp = re.search(r'since=([^"]+)"', client.get(reverse("tickets:dispatch_board")).content.decode()).group(1)
    # The session, the user, and the pulse itself: one query of the application.
    with django_assert_num_queries(3):
        response = client.get(reverse("tickets:desk_pulse") + "?since=" + stamp.replace("&amp;", "&"))
    assert response.status_code == 204


@pytest.mark.parametrize("n", ROWS)
def test_desk_pulse_changed(client, dispatcher, officer_a, orders, n, django_assert_max_num_queries):
    waiting = orders(n, Status.RECEIVED)
    sent_back = orders(n, Status.SENT_BACK)
    client.force_login(dispatcher)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("tickets:desk_pulse") + "?since=old")
    assert shown(response, waiting + sent_back) == 2 * n


@pytest.mark.parametrize("n", ROWS)
def test_board_refresh(client, dispatcher, orders, n, django_assert_max_num_queries):
    orders(n, Status.CONTACTED)
    client.force_login(dispatcher)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("tickets:overview_partial"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", ROWS)
def test_overview(client, supervisor, orders, n, django_assert_max_num_queries):
    overdue = orders(n, Status.CONTACTED, handling_deadline=timezone.now() - dt.timedelta(hours=1))
    unsatisfied = orders(n, Status.CALLBACK_DONE)
    client.force_login(supervisor)
    # Constant, whatever n: the sweep heartbeat banner, the suggestion model's card and the
    # supervisor's unit came with the merges of stop 9.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("tickets:overview"))
    assert shown(response, overdue + unsatisfied) == 2 * n


@pytest.mark.parametrize("n", ROWS)
def test_callback_queue(client, dispatcher, orders, n, django_assert_max_num_queries):
    approved = orders(n, Status.APPROVED)
    called = orders(n, Status.CALLBACK_DONE)
    client.force_login(dispatcher)
    # One order worked at a time, as in review: its timeline and records cost what the review
    # page's do (its notices, which the timeline names by rule, and its events); each list is a
    # count and a page of at most CALLBACK_PAGE rows.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("tickets:callback_queue"))
    html = response.content.decode()
    assert sum(1 for o in approved if o.number in html) == min(n, CALLBACK_PAGE)
    assert shown(response, called) == min(n, CALLBACK_PAGE)
    assert "没解决。" in html


@pytest.mark.parametrize("n", ROWS)
def test_review_queue(client, reviewer, orders, n, django_assert_max_num_queries):
    rows = orders(n, Status.REPORTED)
    client.force_login(reviewer)
    with django_assert_max_num_queries(16):  # +1 constant: the sweep heartbeat banner
        response = client.get(reverse("tickets:review_queue"))
    html = response.content.decode()
    assert sum(1 for o in rows if o.number in html) == n


@pytest.mark.parametrize("user", ["officer_a", "head_a"])
@pytest.mark.parametrize("n", ROWS)
def test_workbench(client, request, user, orders, officer_a, n, django_assert_max_num_queries):
    open_ = orders(n, Status.CONTACTED) + orders(n, Status.DISPATCHED)
    ExtensionRequest.objects.create(
        order=open_[0], requested_by=officer_a, reason="需协调。", requested_until=timezone.now() + dt.timedelta(days=2)
    )
    waiting = orders(n, Status.REPORTED)
    client.force_login(request.getfixturevalue(user))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tickets:workbench"))
    assert shown(response, open_) == 2 * n
    html = response.content.decode()
    assert sum(1 for o in waiting if o.number in html) == n


@pytest.mark.parametrize("n", ROWS)
def test_order_search(client, dispatcher, orders, n, django_assert_max_num_queries):
    rows = orders(n, Status.CONTACTED)
    client.force_login(dispatcher)
    with django_assert_max_num_queries(11):  # +1 the sweep heartbeat banner, +1 the user's saved searches
        response = client.get(reverse("tickets:search"))
    assert shown(response, rows) == n


@pytest.mark.parametrize("n", ROWS)
def test_order_detail(client, dispatcher, orders, n, django_assert_max_num_queries):
    [order] = orders(1, Status.CALLBACK_DONE)
    OrderEvent.objects.bulk_create(OrderEvent(order=order, action="dispatch", actor=dispatcher) for _ in range(n))
    client.force_login(dispatcher)
    # Constant, whatever n: the sweep banner; related and merged orders in one query; the
    # attachments (one query; the upload form reuses the page's reports, callbacks and notices).
    with django_assert_max_num_queries(16):
        response = client.get(reverse("tickets:order_detail", args=[order.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["dispatcher", "officer_a", "reviewer"])
@pytest.mark.parametrize("n", ROWS)
def test_rest_order_list(request, who, orders, n, django_assert_max_num_queries):
    rows = orders(n, Status.REPORTED)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(who))
    with django_assert_max_num_queries(1):
        response = api.get("/api/v1/orders/", {"page_size": 50})
    assert {r["number"] for r in response.json()["results"]} == {o.number for o in rows}


@pytest.mark.parametrize("n", ROWS)
def test_rest_order_detail(dispatcher, orders, n, django_assert_max_num_queries):
    [order] = orders(1, Status.CALLBACK_DONE)
    OrderEvent.objects.bulk_create(OrderEvent(order=order, action="dispatch", actor=dispatcher) for _ in range(n))
    api = APIClient()
    api.force_authenticate(dispatcher)
    with django_assert_max_num_queries(11):  # the merged and related orders: one query
        assert api.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert len(api.get(f"/api/v1/orders/{order.pk}/events/").json()) == n + 1
