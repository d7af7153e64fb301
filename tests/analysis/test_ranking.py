"""Fair ranking: small units are listed but not ranked; ties share a rank."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from analysis.bulletins import bulletin_snapshot, rank_keys, rank_units
from analysis.periods import Period
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START

KEYS = ["on_time_rate", "satisfaction_rate", "response_rate"]


def row(name, due, on_time_rate, satisfaction_rate=None, response_rate=None):
    return {
        "name": name,
        "figures": {
            "due": due,
            "on_time_rate": on_time_rate,
            "satisfaction_rate": satisfaction_rate,
            "response_rate": response_rate,
        },
    }


def test_unit_below_the_minimum_is_listed_but_not_ranked():
    rows = rank_units([row("大所", 10, 0.5), row("小所", 1, 0.0)], min_orders=5, keys=KEYS)
    assert [(r["name"], r["rank"], r["ranked"]) for r in rows] == [("大所", 1, True), ("小所", None, False)]


def test_one_order_on_time_does_not_put_a_small_unit_first():
    rows = rank_units([row("大所", 10, 0.9), row("小所", 1, 1.0)], min_orders=5, keys=KEYS)
    assert rows[0]["name"] == "大所" and rows[0]["rank"] == 1
    assert rows[1]["ranked"] is False


def test_higher_rate_ranks_higher_and_ties_break_on_the_next_key():
    rows = rank_units([row("甲", 6, 0.8, 0.9), row("乙", 6, 0.9, 0.5), row("丙", 6, 0.8, 1.0)], min_orders=5, keys=KEYS)
    assert [(r["name"], r["rank"]) for r in rows] == [("乙", 1), ("丙", 2), ("甲", 3)]


def test_equal_keys_share_a_rank():
    rows = rank_units(
        [row("甲", 6, 0.8, 1.0, 1.0), row("乙", 6, 0.8, 1.0, 1.0), row("丙", 6, 0.5)], min_orders=5, keys=KEYS
    )
    assert [r["rank"] for r in rows] == [1, 1, 3]


def test_a_rate_with_nothing_to_count_ranks_below_any_number():
    rows = rank_units([row("甲", 6, 0.8, None), row("乙", 6, 0.8, 0.1)], min_orders=5, keys=KEYS)
    assert [r["name"] for r in rows] == ["乙", "甲"]


def test_minimum_zero_still_needs_one_due_order():
    rows = rank_units([row("甲", 0, None)], min_orders=0, keys=KEYS)
    assert rows[0]["ranked"] is False


def test_unknown_rank_key_fails_loudly(settings):
    settings.HOTLINE_BULLETIN_RANK_BY = ["speed"]
    with pytest.raises(ImproperlyConfigured):
        rank_keys()


@pytest.mark.django_db
def test_snapshot_ranks_with_the_configured_minimum(week, station_a, station_b, settings):
    settings.HOTLINE_BULLETIN_MIN_ORDERS = 5
    data = bulletin_snapshot(Period(WEEK_START, WEEK_END), GENERATED_AT)
    ranked = {r["unit_id"]: r["rank"] for r in data["units"]}
    assert ranked[station_a.pk] == 1 and ranked[station_b.pk] is None  # B has 2 due orders

    settings.HOTLINE_BULLETIN_MIN_ORDERS = 2
    data = bulletin_snapshot(Period(WEEK_START, WEEK_END), GENERATED_AT)
    ranked = {r["unit_id"]: r["rank"] for r in data["units"]}
    assert (ranked[station_b.pk], ranked[station_a.pk]) == (1, 2)  # 100 % on time beats 50 %
