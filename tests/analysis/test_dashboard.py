"""Dashboards: the trend agrees with the bulletin, the load counts what units still owe."""

import datetime as dt

import pytest

from analysis.charts import Series, bar_chart, line_chart
from analysis.dashboards import dashboard_data
from analysis.periods import Period, last_weeks
from analysis.stats import breakdown, figures_by_unit, unit_load, weekly_trend
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at, local

pytestmark = pytest.mark.django_db

WEEK = Period(WEEK_START, WEEK_END)


def test_trend_point_of_a_week_equals_that_weeks_bulletin_figures(week, station_a):
    points = weekly_trend(last_weeks(12, GENERATED_AT), GENERATED_AT, unit_id=station_a.pk)
    assert [p.week.start for p in points][-2:] == [dt.date(2026, 11, 16), dt.date(2026, 11, 23)]
    point = points[-2]
    bulletin = figures_by_unit(WEEK, GENERATED_AT)
    for name in ("due", "due_closed", "on_time", "callbacks", "satisfied", "basically"):
        assert getattr(point.unit, name) == getattr(bulletin[station_a.pk], name), name
    assert point.bureau.due == 8
    assert point.bureau.on_time_rate == pytest.approx(5 / 8)
    assert point.unit.closure_rate == pytest.approx(0.5)
    assert point.bureau.satisfaction_rate == pytest.approx(4 / 5)


def test_trend_weeks_without_orders_have_no_rates(week):
    points = weekly_trend(last_weeks(12, GENERATED_AT), GENERATED_AT)
    assert points[0].bureau.due == 0
    assert points[0].bureau.on_time_rate is None


def test_load_counts_open_due_soon_and_overdue(week, station_a, settings):
    settings.HOTLINE_DUE_SOON_MINUTES = 120
    # At the cut-off: A still owes o4 (due Mon 17:30), o6 (Tue 24th 12:00), o8 (overdue since Fri).
    load = unit_load(GENERATED_AT)[station_a.pk]
    assert (load.open, load.due_soon, load.overdue) == (3, 0, 1)
    # Monday 16:00: o4 is due within two hours.
    load = unit_load(local(23, 16))[station_a.pk]
    assert (load.open, load.due_soon, load.overdue) == (3, 1, 1)


def test_breakdowns_count_orders_received_by_type_topic_and_channel(week):
    # The 10 orders received in the week; the merged duplicate o5 is not counted.
    assert breakdown(WEEK, "topic") == [("噪音扰民", 10)]
    assert breakdown(WEEK, "handling_type") == [("管理服务类", 10)]
    assert breakdown(WEEK, "channel") == [("12345热线", 10)]


def test_unit_dashboard_compares_the_unit_with_the_bureau(week, station_a, station_b, department):
    with at(local(23, 8)):
        data = dashboard_data(unit=station_a)
    assert data.ytd.start == dt.date(2026, 1, 1)
    assert data.unit_figures.received == 9  # this week's 8 and q1
    assert data.bureau.received == 11
    assert data.unit_count == 3  # A, B and the department
    assert data.per_unit_average("received") == pytest.approx(11 / 3)
    assert len(data.trend) == 12 and data.trend[-2].unit is not None
    assert [u for u, _load in data.load] == [station_a]


def test_bureau_dashboard_lists_every_unit_load(week, station_a, station_b, department):
    with at(local(23, 8)):
        data = dashboard_data()
    assert {u.pk for u, _load in data.load} == {station_a.pk, station_b.pk, department.pk}
    assert data.unit is None and data.unit_figures is None


def test_line_chart_draws_a_polyline_per_series_and_breaks_at_gaps():
    svg = str(
        line_chart(
            labels=["a", "b", "c"],
            series=[Series("办结率", [0.5, None, 1.0]), Series("满意率<x>", [1.0, 1.0, 1.0], dashed=True)],
            title="趋势",
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polyline") == 3  # the gap splits the first series in two
    assert "满意率&lt;x&gt;" in svg and "<x>" not in svg
    assert 'stroke-dasharray="6 4"' in svg


def test_bar_chart_scales_to_the_largest_value():
    svg = str(bar_chart(items=[("噪音扰民", 10), ("盗窃", 5)]))
    assert svg.count("<rect") == 2
    assert ">10<" in svg and ">5<" in svg
