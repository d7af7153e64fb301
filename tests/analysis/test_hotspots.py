"""研判: topic × area counts per week, surges against the previous four weeks, repeats."""

import datetime as dt

import pytest

from analysis.hotspots import SurgeRule, hotspot_orders, hotspot_table, repeat_callers, repeated_addresses
from analysis.models import AreaLevel
from analysis.periods import week_containing
from stations.models import RoutingRule, RoutingRuleKind
from tests.analysis.conftest import TZ
from tests.factories import TopicFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

WEEK = week_containing(dt.date(2026, 11, 16))
RULE = SurgeRule(baseline_weeks=4, ratio=0.5, minimum=5)


@pytest.fixture
def rules(station_a, station_b):
    for keyword, unit in (("城关街道", station_a), ("幸福小区东区", station_a), ("青山路", station_b)):
        RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword=keyword, unit=unit)


def orders(count, *, weeks_before=0, address="城关街道幸福小区东区5号", topic=None, phone=None, day=0, **extra):
    """`count` orders received on Tuesday 10:00 of the week `weeks_before` weeks before WEEK."""
    moment = dt.datetime.combine(WEEK.start, dt.time(10), tzinfo=TZ) + dt.timedelta(weeks=-weeks_before, days=day + 1)
    kwargs = {"topic": topic or TopicFactory(), "address": address, "received_at": moment, **extra}
    for i in range(count):
        WorkOrderFactory(caller_phone=phone or f"13900{weeks_before:02d}{i:04d}", **kwargs)


def cell(table, topic_name, area_label):
    return next(h for h in table if h.topic == topic_name and h.area_label == area_label)


def test_a_week_well_above_its_baseline_is_a_surge(rules):
    for weeks_before in (1, 2, 3, 4):
        orders(2, weeks_before=weeks_before)
    orders(8)
    hot = cell(hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE), "噪音扰民", "幸福小区东区")
    assert hot.counts == [2, 2, 2, 2, 8]
    assert hot.baseline_mean == 2 and hot.increase == 6
    assert hot.surge


def test_fifty_percent_more_but_fewer_than_five_orders_more_is_not_a_surge(rules):
    for weeks_before in (1, 2, 3, 4):
        orders(4, weeks_before=weeks_before, address="青山路8号")
    orders(8, address="青山路8号")
    hot = cell(hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE), "噪音扰民", "青山路")
    assert (hot.count, hot.baseline_mean, hot.surge) == (8, 4, False)


def test_five_orders_from_nothing_is_a_surge_and_four_is_not(rules):
    orders(5, address="青山路1号")
    orders(4, address="城关街道2号", topic=TopicFactory(code="theft", name="盗窃"))
    table = hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE)
    assert cell(table, "噪音扰民", "青山路").surge
    assert not cell(table, "盗窃", "城关街道").surge


def test_thresholds_are_configurable(rules, settings):
    orders(3, address="青山路1号")
    settings.HOTLINE_HOTSPOT_SURGE_MIN = 3
    assert cell(hotspot_table(WEEK, AreaLevel.PLACE), "噪音扰民", "青山路").surge


def test_station_level_adds_up_the_keywords_of_its_jurisdiction(rules, station_a):
    orders(3, address="城关街道幸福小区东区5号")
    orders(2, address="城关街道人民路1号")
    table = hotspot_table(WEEK, AreaLevel.STATION, rule=RULE)
    hot = cell(table, "噪音扰民", station_a.name)
    assert hot.count == 5 and hot.area == station_a.pk


def test_the_most_specific_keyword_names_the_place(rules):
    orders(1, address="城关街道幸福小区东区5号")
    orders(1, address="城关街道人民路1号")
    table = hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE)
    assert {h.area_label: h.count for h in table} == {"幸福小区东区": 1, "城关街道": 1}


def test_unmatched_address_falls_back_to_the_dispatched_station(rules, station_b):
    orders(1, address="无名巷1号", unit=station_b, status="dispatched")
    orders(1, address="无名巷2号")
    table = hotspot_table(WEEK, AreaLevel.STATION, rule=RULE)
    assert {h.area_label: h.count for h in table} == {station_b.name: 1, "未识别区域": 1}


def test_merged_duplicates_count_in_hotspots(rules):
    topic = TopicFactory()
    primary = WorkOrderFactory(topic=topic, address="青山路1号", received_at=dt.datetime(2026, 11, 17, 10, tzinfo=TZ))
    WorkOrderFactory(
        topic=topic,
        address="青山路1号",
        received_at=dt.datetime(2026, 11, 17, 11, tzinfo=TZ),
        status="merged",
        merged_into=primary,
    )
    assert cell(hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE), "噪音扰民", "青山路").count == 2


def test_sunday_night_local_counts_in_that_week(rules):
    WorkOrderFactory(
        topic=TopicFactory(), address="青山路1号", received_at=dt.datetime(2026, 11, 22, 23, 30, tzinfo=TZ)
    )
    WorkOrderFactory(topic=TopicFactory(), address="青山路1号", received_at=dt.datetime(2026, 11, 23, 0, 0, tzinfo=TZ))
    assert cell(hotspot_table(WEEK, AreaLevel.PLACE, rule=RULE), "噪音扰民", "青山路").counts == [0, 0, 0, 0, 1]


def test_hotspot_orders_are_the_orders_behind_the_cell(rules):
    orders(3, address="青山路1号")
    orders(2, address="城关街道1号")
    topic = TopicFactory()
    assert hotspot_orders(WEEK, AreaLevel.PLACE, topic.pk, "青山路").count() == 3
    assert hotspot_orders(WEEK, AreaLevel.PLACE, topic.pk, "").count() == 0


def test_repeat_callers_need_three_orders_in_the_window_and_are_masked(rules):
    orders(3, phone="13812345678")
    orders(2, phone="13912345678")
    start, end = WEEK.end_at - dt.timedelta(days=30), WEEK.end_at
    callers = repeat_callers(start, end)
    assert [(c["phone"], c["n"]) for c in callers] == [("138****5678", 3)]
    assert len(callers[0]["orders"]) == 3
    assert repeat_callers(start, end, reveal=True)[0]["phone"] == "13812345678"


def test_repeated_addresses(rules):
    orders(3, address="青山路9号")
    orders(1, address="青山路10号")
    start, end = WEEK.end_at - dt.timedelta(days=30), WEEK.end_at
    assert [(a["address"], a["n"], a["callers"]) for a in repeated_addresses(start, end)] == [("青山路9号", 3, 3)]


@pytest.mark.postgres
@pytest.mark.parametrize("level", [AreaLevel.STATION, AreaLevel.PLACE])
def test_grouped_query_gives_the_correlated_subquerys_areas(station_a, station_b, level, monkeypatch):
    """The grouped query (PostgreSQL) and the per-order subquery (SQLite, drill-downs) agree, with
    overlapping keywords, priorities, inactive rules, department rules and unmatched addresses."""
    import random

    from stations.models import UnitKind
    from tests.factories import UnitFactory

    department = UnitFactory(name="治安大队", code="public-order", kind=UnitKind.DEPARTMENT)
    for keyword, unit, priority, active in (
        ("青山", station_a, 0, True),
        ("青山路", station_b, 0, True),
        ("青山路8号", station_a, 5, True),
        ("青山路8号", station_b, 9, True),
        ("幸福", station_b, 0, False),
        ("城关", department, 0, True),
        ("城关街道", station_a, 3, True),
    ):
        RoutingRule.objects.create(
            kind=RoutingRuleKind.ADDRESS, keyword=keyword, unit=unit, priority=priority, is_active=active
        )
    rng = random.Random(3)
    topics = [TopicFactory(code="noise", name="噪音扰民"), TopicFactory(code="theft", name="盗窃")]
    addresses = ["青山路8号", "青山路1号", "青山小区", "城关街道2号", "城关镇", "幸福小区", "无名路", ""]
    for n in range(120):
        moment = dt.datetime.combine(WEEK.start, dt.time(10), tzinfo=TZ) - dt.timedelta(days=rng.randint(-6, 34))
        unit = rng.choice([station_a, station_b, department, None])
        WorkOrderFactory(
            address=rng.choice(addresses),
            topic=rng.choice(topics),
            received_at=moment,
            unit=unit,
            status="received" if unit is None else "dispatched",
            caller_phone=f"1390000{n:04d}",
        )

    def table():
        return sorted((h.topic_id, str(h.area), tuple(h.counts)) for h in hotspot_table(WEEK, level, rule=RULE))

    grouped = table()
    monkeypatch.setattr("analysis.hotspots._grouped_query_available", lambda: False)
    assert table() == grouped
    assert len(grouped) >= 4
