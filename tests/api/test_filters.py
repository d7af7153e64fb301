"""Every filter of the order list (tickets.filters.OrderFilter, through the API)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import TopicFactory
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def search(api, dispatcher):
    def run(query: str) -> set[int]:
        response = api(dispatcher).get(f"/api/v1/orders/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    return run


def test_filter_by_status_takes_several_values(search, order_in):
    received = order_in("received")
    dispatched = order_in("dispatched")
    order_in("reported")
    assert search("status=received&status=dispatched") == {received.pk, dispatched.pk}


def test_filter_by_handling_type(search, order_in):
    consultation = order_in("received", handling_type="consultation")
    order_in("received", handling_type="service")
    assert search("handling_type=consultation") == {consultation.pk}


def test_filter_by_nature(search, order_in):
    help_request = order_in("received", nature="help")
    order_in("received", nature="complaint")
    assert search("nature=help") == {help_request.pk}


def test_filter_by_urgency(search, order_in):
    urgent = order_in("received", urgency="urgent")
    order_in("received")
    assert search("urgency=urgent") == {urgent.pk}


def test_filter_by_channel(search, order_in):
    walk_in = order_in("received", channel="walk_in")
    order_in("received")
    assert search("channel=walk_in") == {walk_in.pk}


def test_filter_by_topic(search, order_in):
    fraud = TopicFactory(code="fraud", name="电信诈骗")
    mine = order_in("received", topic=fraud)
    order_in("received")
    assert search(f"topic={fraud.pk}") == {mine.pk}


def test_filter_by_unit(search, order_in, station_b, officer_b):
    at_b = order_in("dispatched", unit=station_b, officer=officer_b)
    order_in("dispatched")
    assert search(f"unit={station_b.pk}") == {at_b.pk}


def test_filter_by_officer(search, order_in, officer_a):
    handled = order_in("contacted")
    order_in("dispatched")
    assert search(f"officer={officer_a.pk}") == {handled.pk}


def test_filter_by_leader_instruction(search, order_in):
    instructed = order_in("received", leader_instructed=True, leader_instruction="请分局长督办")
    order_in("received")
    assert search("leader_instructed=true") == {instructed.pk}
    assert instructed.pk not in search("leader_instructed=false")


def test_filter_overdue(search, order_in):
    late = order_in("dispatched")
    WorkOrder.objects.filter(pk=late.pk).update(handling_deadline=timezone.now() - dt.timedelta(hours=1))
    on_time = order_in("dispatched")
    assert search("overdue=true") == {late.pk}
    assert search("overdue=false") == {on_time.pk}


def test_filter_due_before(search, order_in):
    soon = order_in("dispatched")
    later = order_in("dispatched")
    WorkOrder.objects.filter(pk=later.pk).update(handling_deadline=soon.handling_deadline + dt.timedelta(days=5))
    cutoff = (soon.handling_deadline + dt.timedelta(days=1)).isoformat()
    assert search(f"due_before={cutoff.replace('+', '%2B')}") == {soon.pk}


def test_filter_received_date_range(search, order_in):
    today = timezone.localdate()
    old = order_in("received", received_at=timezone.now() - dt.timedelta(days=10))
    new = order_in("received")
    assert search(f"received_after={today}") == {new.pk}
    assert search(f"received_before={today - dt.timedelta(days=5)}") == {old.pk}


def test_filter_closed_date_range(search, order_in):
    closed = order_in("closed")
    order_in("callback_done")
    today = timezone.localdate()
    assert search(f"closed_after={today}&closed_before={today}") == {closed.pk}


def test_filter_by_platform_number(search, order_in):
    pushed = order_in("received", platform_number="SD-2026-000777")
    order_in("received")
    assert search("platform_number=SD-2026-000777") == {pushed.pk}


@pytest.mark.parametrize(
    ("field", "value", "query"),
    [
        ("content", "小区门口烧烤油烟扰民", "烧烤"),
        ("address", "卧龙山路88号", "卧龙山路"),
        ("caller_name", "欧阳娜娜", "欧阳"),
        ("caller_phone", "13955556666", "5556666"),
    ],
)
def test_text_search_covers_content_address_and_caller(search, order_in, field, value, query):
    hit = order_in("received", **{field: value})
    order_in("received")
    assert search(f"q={query}") == {hit.pk}


def test_text_search_covers_the_order_number(search, order_in):
    hit = order_in("received")
    order_in("received")
    assert search(f"q={hit.number}") == {hit.pk}


def test_filters_combine(search, order_in, station_b, officer_b):
    hit = order_in("dispatched", unit=station_b, officer=officer_b, urgency="critical")
    order_in("dispatched", urgency="critical")
    order_in("dispatched", unit=station_b, officer=officer_b)
    assert search(f"unit={station_b.pk}&urgency=critical") == {hit.pk}


def test_empty_filter_values_mean_no_filter(search, order_in):
    order = order_in("received")
    assert search("status=&unit=&overdue=&received_after=") == {order.pk}


def test_filters_never_widen_what_a_user_may_see(api, officer_a, order_in, station_b, officer_b):
    order_in("dispatched", unit=station_b, officer=officer_b)
    response = api(officer_a).get(f"/api/v1/orders/?unit={station_b.pk}")
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "query",
    ["status=nonsense", "unit=999999", "overdue=maybe", "received_after=2026-13-45", "ordering=content", "topic=x"],
)
def test_an_invalid_filter_value_is_400_naming_the_parameter(api, dispatcher, query):
    response = api(dispatcher).get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]




@pytest.mark.parametrize(
    "query",
    [
        "received_after=0001-01-01",
        "received_before=9999-12-31",
        "closed_after=9999-12-31",
        "closed_before=0001-01-01",
        "due_before=0001-01-01T00:00:00%2B14:00",
        "due_before=9999-12-31T23:59:59-12:00",
    ],
)
def test_extreme_dates_filter_without_failing(api, dispatcher, order_in, query):
    order_in("dispatched")
    assert api(dispatcher).get(f"/api/v1/orders/?{query}").status_code == 200


def test_reviewer_cannot_find_an_order_by_the_masked_caller_phone(api, reviewer, loop):
    order = loop.reported(caller_phone="13955556666")
    response = api(reviewer).get("/api/v1/orders/?q=5556666")
    assert response.status_code == 200
    assert order.pk not in {row["id"] for row in response.json()["results"]}
    # …but still finds it by what it may see.
    response = api(reviewer).get(f"/api/v1/orders/?q={order.number}")
    assert order.pk in {row["id"] for row in response.json()["results"]}


def test_officer_finds_a_unit_order_by_the_caller_phone(api, officer_a, loop):
    order = loop.dispatched(caller_phone="13955556666")
    response = api(officer_a).get("/api/v1/orders/?q=5556666")
    assert order.pk in {row["id"] for row in response.json()["results"]}


def test_confidential_caller_is_not_searchable_by_another_officer_of_the_unit(api, head_a, loop):
    order = loop.contacted(caller_phone="13955556666", confidential=True)  # officer_a handles it
    response = api(head_a).get("/api/v1/orders/?q=5556666")
    assert order.pk not in {row["id"] for row in response.json()["results"]}
