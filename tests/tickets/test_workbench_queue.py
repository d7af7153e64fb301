"""The unit workbench's order and counts: the nearest of the two clocks (contact, handling) first."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import TopicFactory
from tickets import selectors, services, timewords
from tickets.models import Channel, HandlingType, Nature, Status, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_order(dispatcher):
    topic = TopicFactory()

    def make():
        return services.order_intake(
            channel=Channel.HOTLINE_12345,
            caller_name="王女士",
            caller_phone="13812345678",
            address="城关街道幸福小区3号楼",
            content="楼上深夜装修噪音扰民。",
            nature=Nature.COMPLAINT,
            handling_type=HandlingType.SERVICE,
            topic=topic,
            acting_user=dispatcher,
        ).order

    return make


def _dispatched(make_order, dispatcher, unit, *, contact_in, handling_in, contacted_by=None):
    order = services.order_dispatch(order=make_order(), unit=unit, acting_user=dispatcher)
    if contacted_by is not None:
        order = services.order_contact(order=order, acting_user=contacted_by, method="phone", note="已联系。")
    now = timezone.now()
    WorkOrder.objects.filter(pk=order.pk).update(contact_deadline=now + contact_in, handling_deadline=now + handling_in)
    return order


def test_order_due_for_contact_soon_comes_before_one_due_for_handling_earlier(
    make_order, dispatcher, station_a, officer_a
):
    handling_first = _dispatched(
        make_order,
        dispatcher,
        station_a,
        contact_in=dt.timedelta(hours=-1),
        handling_in=dt.timedelta(hours=3),
        contacted_by=officer_a,
    )
    contact_first = _dispatched(
        make_order, dispatcher, station_a, contact_in=dt.timedelta(minutes=30), handling_in=dt.timedelta(days=1)
    )
    queue = list(selectors.unit_work_queue(officer_a))
    assert [o.pk for o in queue] == [contact_first.pk, handling_first.pk]


def test_contacted_order_is_ordered_by_handling_deadline_not_its_passed_contact_deadline(
    make_order, dispatcher, station_a, officer_a
):
    contacted = _dispatched(
        make_order,
        dispatcher,
        station_a,
        contact_in=dt.timedelta(hours=-5),
        handling_in=dt.timedelta(hours=6),
        contacted_by=officer_a,
    )
    waiting = _dispatched(
        make_order, dispatcher, station_a, contact_in=dt.timedelta(minutes=40), handling_in=dt.timedelta(hours=8)
    )
    assert [o.pk for o in selectors.unit_work_queue(officer_a)] == [waiting.pk, contacted.pk]
    assert contacted.status == Status.CONTACTED


def test_due_soon_count_includes_an_order_due_for_contact_within_the_hour(make_order, dispatcher, station_a, officer_a):
    _dispatched(
        make_order, dispatcher, station_a, contact_in=dt.timedelta(minutes=45), handling_in=dt.timedelta(days=1)
    )
    counts = selectors.unit_work_counts(
        WorkOrder.objects.filter(status__in=[Status.DISPATCHED]), timezone.now(), timewords.DUE_SOON
    )
    assert counts == {"open": 1, "soon": 1, "overdue": 0}


def test_overdue_count_includes_an_order_past_its_contact_deadline(make_order, dispatcher, station_a):
    _dispatched(
        make_order, dispatcher, station_a, contact_in=dt.timedelta(minutes=-5), handling_in=dt.timedelta(days=1)
    )
    counts = selectors.unit_work_counts(WorkOrder.objects.all(), timezone.now(), timewords.DUE_SOON)
    assert counts["overdue"] == 1


def test_contacted_order_counts_by_its_handling_deadline_only(make_order, dispatcher, station_a, officer_a):
    _dispatched(
        make_order,
        dispatcher,
        station_a,
        contact_in=dt.timedelta(hours=-3),
        handling_in=dt.timedelta(days=1),
        contacted_by=officer_a,
    )
    counts = selectors.unit_work_counts(WorkOrder.objects.all(), timezone.now(), timewords.DUE_SOON)
    assert counts == {"open": 1, "soon": 0, "overdue": 0}
