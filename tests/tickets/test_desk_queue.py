"""The dispatch desk: urgency then waiting time; the live board's pulse in one query."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision.selectors import unread_items
from tests.factories import WorkOrderFactory
from tickets import selectors, services
from tickets.models import Status, Urgency, WorkOrder

pytestmark = pytest.mark.django_db


def _waiting(minutes_ago: int, urgency=Urgency.NORMAL) -> WorkOrder:
    return WorkOrderFactory(received_at=timezone.now() - dt.timedelta(minutes=minutes_ago), urgency=urgency)


def test_waiting_queue_puts_critical_then_urgent_then_normal(dispatcher):
    normal = _waiting(90)
    urgent = _waiting(10, Urgency.URGENT)
    critical = _waiting(5, Urgency.CRITICAL)
    assert list(selectors.desk_waiting_queue(dispatcher)) == [critical, urgent, normal]


def test_waiting_queue_puts_the_longest_waiting_first_within_a_level(dispatcher):
    newer = _waiting(5, Urgency.URGENT)
    older = _waiting(50, Urgency.URGENT)
    assert list(selectors.desk_waiting_queue(dispatcher)) == [older, newer]


def test_pulse_costs_one_query(dispatcher, django_assert_num_queries):
    _waiting(5)
    with django_assert_num_queries(1):
        selectors.desk_pulse(dispatcher, unread_items(dispatcher))


def test_pulse_counts_the_desk_queues(dispatcher, station_a):
    _waiting(5)
    _waiting(6)
    WorkOrderFactory(status=Status.SENT_BACK, unit=station_a, cycle=1)
    pulse = selectors.desk_pulse(dispatcher, unread_items(dispatcher))
    assert (pulse.waiting, pulse.sent_back, pulse.extensions, pulse.total) == (2, 1, 0, 3)


def test_pulse_stamp_changes_when_an_order_arrives(dispatcher):
    _waiting(5)
    before = selectors.desk_pulse(dispatcher).stamp
    _waiting(1)
    assert selectors.desk_pulse(dispatcher).stamp != before


def test_pulse_stamp_changes_when_one_order_leaves_and_another_arrives(dispatcher, station_a):
    first = _waiting(5)
    before = selectors.desk_pulse(dispatcher).stamp
    services.order_dispatch(order=first, unit=station_a, acting_user=dispatcher)
    _waiting(1)
    after = selectors.desk_pulse(dispatcher)
    assert after.waiting == 1
    assert after.stamp != before


def test_pulse_stamp_stays_when_nothing_changed(dispatcher):
    _waiting(5)
    assert selectors.desk_pulse(dispatcher).stamp == selectors.desk_pulse(dispatcher).stamp


def test_pulse_urgent_top_grows_only_with_an_urgent_order(dispatcher):
    _waiting(5)
    assert selectors.desk_pulse(dispatcher).urgent_top == 0
    critical = _waiting(1, Urgency.CRITICAL)
    assert selectors.desk_pulse(dispatcher).urgent_top == critical.pk


def test_pulse_stamp_changes_when_a_unit_asks_for_an_extension(dispatcher, officer_a, station_a):
    order = services.order_dispatch(order=_waiting(30), unit=station_a, acting_user=dispatcher)
    before = selectors.desk_pulse(dispatcher)
    services.order_request_extension(
        order=order,
        acting_user=officer_a,
        reason="需协调多部门。",
        requested_until=timezone.now() + dt.timedelta(days=3),
    )
    after = selectors.desk_pulse(dispatcher)
    assert (before.extensions, after.extensions) == (0, 1)
    assert after.stamp != before.stamp


def test_pulse_stamp_changes_when_a_unit_sends_an_order_back(dispatcher, officer_a, station_a):
    order = services.order_dispatch(order=_waiting(30), unit=station_a, acting_user=dispatcher)
    before = selectors.desk_pulse(dispatcher)
    services.order_send_back(order=order, acting_user=officer_a, reason="不属本所辖区。")
    after = selectors.desk_pulse(dispatcher)
    assert after.sent_back == 1
    assert after.stamp != before.stamp
