"""集中投诉: a hotspot surge (topic × station area, this ISO week) raises one 提醒函 per unit per week."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import RoutingRule, RoutingRuleKind
from supervision.concentrated import concentrated_complaints_check
from supervision.models import InboxItem, Notice, NoticeKind, Notification, Rule, SupervisionPolicy, SurgeFiring
from tests.factories import TopicFactory, WorkOrderFactory
from tests.supervision.conftest import TZ

pytestmark = pytest.mark.django_db

# Thursday of the week starting Monday 2026-11-16.
NOW = dt.datetime(2026, 11, 19, 15, 0, tzinfo=TZ)
MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def noise(db):
    return TopicFactory()


@pytest.fixture
def area(station_a):
    RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="城关街道", unit=station_a)


def calls(count, topic, *, weeks_before=0, unit=None):
    moment = dt.datetime.combine(MONDAY, dt.time(10), tzinfo=TZ) + dt.timedelta(weeks=-weeks_before, days=1)
    return [
        WorkOrderFactory(
            topic=topic,
            received_at=moment + dt.timedelta(minutes=i),
            caller_phone=f"1390{weeks_before:02d}{i:05d}",
            address=f"城关街道幸福小区{i}号楼",
            unit=unit,
        )
        for i in range(count)
    ]


@pytest.fixture
def surge(noise, area, station_a, station_b):
    """Two a week for four weeks, then nine this week: six with station A, three with station B."""
    for weeks_before in (1, 2, 3, 4):
        calls(2, noise, weeks_before=weeks_before, unit=station_a)
    return calls(6, noise, unit=station_a) + calls(3, noise, unit=station_b)


def test_a_surge_raises_one_letter_per_unit(surge, station_a, station_b, supervisor):
    assert concentrated_complaints_check(now=NOW) == 1
    letters = Notice.objects.filter(rule=Rule.CONCENTRATED)
    assert sorted(letters.values_list("unit__code", flat=True)) == sorted([station_a.code, station_b.code])
    assert {letter.kind for letter in letters} == {NoticeKind.REMINDER}
    letter = letters.get(unit=station_a)
    assert set(letter.orders.all()) == set(surge)
    assert "噪音扰民" in letter.reason and "9件" in letter.reason


def test_a_surge_checked_twice_in_a_week_raises_its_letters_once(surge, supervisor):
    concentrated_complaints_check(now=NOW)
    assert concentrated_complaints_check(now=NOW + dt.timedelta(days=1)) == 0
    assert Notice.objects.filter(rule=Rule.CONCENTRATED).count() == 2
    assert SurgeFiring.objects.get().week == MONDAY


def test_supervisors_are_asked_to_start_a_special_campaign_with_the_orders_listed(surge, supervisor):
    concentrated_complaints_check(now=NOW)
    note = Notification.objects.get(category=Rule.CONCENTRATED)
    assert "专项整治" in note.title
    assert all(order.number in note.body for order in surge)
    assert "campaign" in note.url and f"week={MONDAY:%Y-%m-%d}" in note.url
    assert InboxItem.objects.filter(notification=note, user=supervisor).exists()


def test_no_surge_raises_nothing(noise, area, station_a):
    for weeks_before in (0, 1, 2, 3, 4):
        calls(4, noise, weeks_before=weeks_before, unit=station_a)
    assert concentrated_complaints_check(now=NOW) == 0
    assert not Notice.objects.exists()


def test_concentrated_rule_switched_off_raises_nothing(surge):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"concentrated_enabled": False})
    assert concentrated_complaints_check(now=NOW) == 0
    assert not Notice.objects.exists()


def test_the_thresholds_are_the_policys(surge):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"concentrated_minimum": 10})
    assert concentrated_complaints_check(now=NOW) == 0
