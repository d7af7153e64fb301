"""Closing many satisfied callbacks at once: one `order_close` per order, each with its event."""

import pytest

from tests.factories import WorkOrderFactory
from tickets import services
from tickets.exceptions import MSG_BULK_CLOSE_NEEDS_SATISFIED
from tickets.models import OrderEvent, Satisfaction, Status

pytestmark = pytest.mark.django_db


def _called_back(unit, satisfaction):
    return WorkOrderFactory(status=Status.CALLBACK_DONE, unit=unit, cycle=1, satisfaction=satisfaction)


def test_bulk_close_writes_one_close_event_per_order(dispatcher, station_a):
    orders = [_called_back(station_a, Satisfaction.SATISFIED) for _ in range(3)]
    result = services.orders_close_satisfied(orders=orders, acting_user=dispatcher)
    assert len(result.closed) == 3
    assert OrderEvent.objects.filter(action="close").count() == 3


def test_bulk_close_refuses_an_unsatisfied_callback(dispatcher, station_a):
    order = _called_back(station_a, Satisfaction.UNSATISFIED)
    result = services.orders_close_satisfied(orders=[order], acting_user=dispatcher)
    assert result.closed == []
    assert result.refused == [(order, str(MSG_BULK_CLOSE_NEEDS_SATISFIED))]


def test_bulk_close_carries_on_past_an_order_closed_meanwhile(dispatcher, station_a):
    gone, kept = _called_back(station_a, Satisfaction.SATISFIED), _called_back(station_a, Satisfaction.SATISFIED)
    services.order_close(order=gone, acting_user=dispatcher)
    result = services.orders_close_satisfied(orders=[gone, kept], acting_user=dispatcher)
    assert [o.pk for o in result.closed] == [kept.pk]
    assert [o.pk for o, _reason in result.refused] == [gone.pk]


def test_bulk_close_twice_changes_nothing_the_second_time(dispatcher, station_a):
    orders = [_called_back(station_a, Satisfaction.SATISFIED) for _ in range(2)]
    services.orders_close_satisfied(orders=orders, acting_user=dispatcher)
    again = services.orders_close_satisfied(orders=orders, acting_user=dispatcher)
    assert again.closed == []
    assert OrderEvent.objects.filter(action="close").count() == 2
