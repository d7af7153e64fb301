"""Week boundaries in the bureau's time zone (Asia/Shanghai, UTC+8)."""

import datetime as dt

import pytest

from analysis.periods import Period, last_weeks, previous_week, week_containing, year_to_date
from analysis.stats import figures_by_unit
from tests.analysis.conftest import TZ, local

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_week_runs_from_monday_midnight_local_to_the_next_monday():
    week = week_containing(dt.date(2026, 11, 19))
    assert (week.start, week.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert week.start_at == dt.datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
    assert week.end_at == dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert week.is_week


def test_previous_week_on_monday_morning_is_the_week_just_ended():
    assert previous_week(local(23, 8)) == Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    # Monday 07:30 local is still Sunday 23:30 UTC: the local date decides.
    assert previous_week(dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == Period(
        dt.date(2026, 11, 16), dt.date(2026, 11, 22)
    )


def test_last_weeks_end_with_the_current_week():
    weeks = last_weeks(12, local(25, 10))
    assert len(weeks) == 12
    assert weeks[-1].start == dt.date(2026, 11, 23)
    assert weeks[0].start == dt.date(2026, 9, 7)


def test_year_to_date_starts_on_the_first_of_january_local():
    # 2026-12-31 20:00 UTC is already 2027-01-01 in Shanghai.
    period = year_to_date(dt.datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    assert (period.start, period.end) == (dt.date(2027, 1, 1), dt.date(2027, 1, 1))


def test_a_custom_period_is_not_a_week():
    assert not Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)).is_week


def test_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(dt.date(2026, 11, 2), dt.date(2026, 11, 1))


def test_order_received_sunday_2330_local_belongs_to_that_week(cast, station_a):
    # Sunday 22nd 23:30 in Shanghai is 15:30 UTC; a UTC-based week would agree, but Monday 00:30
    # local (Sunday 16:30 UTC) must already be the next week.
    cast.receive(dt.datetime(2026, 11, 22, 23, 30, tzinfo=TZ)).dispatch(local(22, 23, 35), station_a)
    cast.receive(dt.datetime(2026, 11, 23, 0, 30, tzinfo=TZ)).dispatch(local(23, 0, 35), station_a)
    this_week = figures_by_unit(week_containing(dt.date(2026, 11, 22)), local(23, 1))
    next_week = figures_by_unit(week_containing(dt.date(2026, 11, 23)), local(23, 1))
    assert this_week[station_a.pk].received == 1
    assert next_week[station_a.pk].received == 1


def test_order_received_monday_0000_local_belongs_to_the_new_week(cast, station_a):
    cast.receive(dt.datetime(2026, 11, 23, 0, 0, tzinfo=TZ)).dispatch(local(23, 0, 5), station_a)
    assert station_a.pk not in figures_by_unit(week_containing(dt.date(2026, 11, 22)), local(23, 1))
    assert figures_by_unit(week_containing(dt.date(2026, 11, 23)), local(23, 1))[station_a.pk].received == 1
