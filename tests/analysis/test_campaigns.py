"""专项整治: started from a hotspot, with linked orders and weekly progress."""

import datetime as dt

import pytest

from analysis.campaigns import (
    MSG_AREA_KEYWORD,
    campaign_link_orders,
    campaign_progress,
    campaign_start,
    campaign_summary,
)
from analysis.models import AreaLevel
from analysis.periods import week_containing
from stations.models import RoutingRule, RoutingRuleKind
from tests.analysis.conftest import TZ
from tests.factories import TopicFactory, WorkOrderFactory
from tickets.exceptions import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

WEEK = week_containing(dt.date(2026, 11, 16))


@pytest.fixture
def scene(station_a, station_b):
    RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="青山路", unit=station_b)
    topic = TopicFactory()
    made = {}
    for weeks_before, count in ((2, 1), (1, 2), (0, 6)):
        for i in range(count):
            moment = dt.datetime(2026, 11, 17, 10, i, tzinfo=TZ) - dt.timedelta(weeks=weeks_before)
            made.setdefault(weeks_before, []).append(
                WorkOrderFactory(topic=topic, address=f"青山路{i}号", received_at=moment)
            )
    # Another matter on the same road, and the same matter elsewhere: out of scope.
    WorkOrderFactory(topic=TopicFactory(code="theft", name="盗窃"), address="青山路1号", received_at=WEEK.start_at)
    WorkOrderFactory(topic=topic, address="城关街道1号", received_at=WEEK.start_at)
    return topic, made


def start(user, topic, lead, **kwargs):
    data = {
        "title": "青山路噪音专项整治",
        "topic": topic,
        "lead_unit": lead,
        "starts_on": dt.date(2026, 11, 23),
        "ends_on": dt.date(2026, 12, 20),
        "acting_user": user,
        "area_level": AreaLevel.PLACE,
        "area_keyword": "青山路",
    }
    data.update(kwargs)
    return campaign_start(**data)


def test_starting_from_a_hotspot_links_that_weeks_orders(scene, manager, station_b, station_a):
    topic, made = scene
    campaign = start(manager, topic, station_b, units=[station_a, station_b], link_week=WEEK)
    assert set(campaign.orders.values_list("pk", flat=True)) == {o.pk for o in made[0]}
    assert list(campaign.units.all()) == [station_a]  # the lead unit is not also a participant
    assert campaign_summary(campaign) == {"linked": 6, "closed": 0, "merged": 0}


def test_progress_counts_orders_in_scope_week_by_week(scene, manager, station_b):
    topic, _made = scene
    campaign = start(manager, topic, station_b)
    # A new noise call on the road in the campaign's first week.
    WorkOrderFactory(topic=topic, address="青山路20号", received_at=dt.datetime(2026, 11, 24, 9, tzinfo=TZ))
    progress = campaign_progress(campaign, now=dt.datetime(2026, 12, 2, 9, tzinfo=TZ))
    assert [w.week.start for w in progress][0] == dt.date(2026, 10, 26)
    assert [w.in_scope for w in progress] == [0, 1, 2, 6, 1, 0]
    assert [w.during for w in progress] == [False, False, False, False, True, True]


def test_station_level_campaign_scope(scene, manager, station_b):
    topic, _made = scene
    campaign = start(manager, topic, station_b, area_level=AreaLevel.STATION, area_unit=station_b, area_keyword="")
    progress = campaign_progress(campaign, now=dt.datetime(2026, 11, 25, 9, tzinfo=TZ))
    assert sum(w.in_scope for w in progress) == 9


def test_link_orders_by_number_all_or_nothing(scene, manager, station_b):
    topic, made = scene
    campaign = start(manager, topic, station_b)
    with pytest.raises(InvalidInput) as exc:
        campaign_link_orders(campaign=campaign, numbers=f"{made[1][0].number}, GD000", acting_user=manager)
    assert "GD000" in str(exc.value.field_errors["numbers"])
    assert campaign.orders.count() == 0
    assert (
        campaign_link_orders(
            campaign=campaign, numbers=f"{made[1][0].number}\n{made[1][1].number}", acting_user=manager
        )
        == 2
    )


def test_campaign_needs_a_keyword_for_a_place(scene, manager, station_b):
    topic, _made = scene
    with pytest.raises(InvalidInput) as exc:
        start(manager, topic, station_b, area_keyword=" ")
    assert exc.value.field_errors["area_keyword"] == MSG_AREA_KEYWORD


def test_campaign_period_must_be_ordered(scene, manager, station_b):
    topic, _made = scene
    with pytest.raises(InvalidInput) as exc:
        start(manager, topic, station_b, ends_on=dt.date(2026, 11, 1))
    assert "ends_on" in exc.value.field_errors


def test_only_supervisors_start_campaigns(scene, officer_a, station_b):
    topic, _made = scene
    with pytest.raises(NotPermitted):
        start(officer_a, topic, station_b)
