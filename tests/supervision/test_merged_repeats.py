"""Repeats however the desk files them: a merged call counts toward the repeat rule as a dispatched one."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision.models import Notice, Rule, SupervisionPolicy
from tests.supervision.conftest import firings, intake
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def merge(dispatcher):
    def do(order, primary):
        return services.order_merge(order=order, primary=primary, acting_user=dispatcher, note="同一事项重复来电")

    return do


def test_third_call_merged_into_the_first_raises_one_letter_linking_all(clock, make_dispatched, topic, merge, sweep):
    first = make_dispatched()
    clock.shift(dt.timedelta(days=1))
    second = merge(intake(topic), first)
    sweep()
    assert Notice.objects.filter(rule=Rule.REPEAT_COMPLAINT).count() == 0
    clock.shift(dt.timedelta(days=1))
    third = merge(intake(topic), first)
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert set(letter.orders.all()) == {first, second, third}
    assert letter.unit == first.unit


def test_repeats_are_counted_across_merged_and_dispatched_orders(clock, make_dispatched, topic, merge, sweep):
    first = make_dispatched()
    clock.shift(dt.timedelta(hours=2))
    second = merge(intake(topic), first)
    clock.shift(dt.timedelta(hours=2))
    third = make_dispatched()  # the desk dispatched the third call instead of merging it
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert set(letter.orders.all()) == {first, second, third}


def test_a_merged_repeat_joins_the_open_letter_of_the_matter(clock, make_dispatched, topic, merge, sweep):
    orders = []
    for _i in range(3):
        orders.append(make_dispatched())
        clock.shift(dt.timedelta(hours=1))
    sweep()
    orders.append(merge(intake(topic), orders[0]))
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert set(letter.orders.all()) == set(orders)
    assert letter.events.filter(action="link_orders").count() == 1


def test_repeats_merged_before_dispatch_are_judged_when_the_primary_is_dispatched(
    clock, topic, dispatcher, station_a, merge, sweep
):
    first = intake(topic)
    clock.shift(dt.timedelta(hours=1))
    merge(intake(topic), first)
    clock.shift(dt.timedelta(hours=1))
    merge(intake(topic), first)
    sweep()
    assert Notice.objects.filter(rule=Rule.REPEAT_COMPLAINT).count() == 0
    services.order_dispatch(order=first, unit=station_a, acting_user=dispatcher)
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert letter.orders.count() == 3
    assert letter.unit == station_a


def test_merged_repeats_raise_nothing_when_the_repeat_rule_is_off(clock, make_dispatched, topic, merge, sweep):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"repeat_enabled": False})
    first = make_dispatched()
    merge(intake(topic), first)
    merge(intake(topic), first)
    sweep()
    assert firings(Rule.REPEAT_COMPLAINT).count() == 0
