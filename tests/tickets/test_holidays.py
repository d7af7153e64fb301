"""The fallback calendar keeps the days the law gives off, for years nobody has entered yet.

Checked against the schedules the State Council published for 2025 and 2026 (as `chinesecalendar`
carries them): every statutory holiday the fallback computes must be a day off there.
"""

import datetime as dt

import chinese_calendar
import pytest

from tickets.holidays import statutory_holidays
from tickets.workcalendar import WorkCalendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_computed_statutory_holiday_is_a_holiday_in_the_official_schedule(year):
    not_off = [day for day in statutory_holidays(year) if chinese_calendar.is_workday(day)]
    assert not_off == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_law_gives_thirteen_days_a_year(year):
    assert len(statutory_holidays(year)) == 13


@pytest.mark.parametrize(
    ("year", "eve", "qingming", "dragon_boat", "mid_autumn"),
    [
        (2025, dt.date(2025, 1, 28), dt.date(2025, 4, 4), dt.date(2025, 5, 31), dt.date(2025, 10, 6)),
        (2026, dt.date(2026, 2, 16), dt.date(2026, 4, 5), dt.date(2026, 6, 19), dt.date(2026, 9, 25)),
        (2027, dt.date(2027, 2, 5), dt.date(2027, 4, 5), dt.date(2027, 6, 9), dt.date(2027, 9, 15)),
    ],
)
def test_lunar_and_solar_term_holidays_fall_on_their_dates(year, eve, qingming, dragon_boat, mid_autumn):
    days = statutory_holidays(year)
    # 春节: New Year's Eve and the first three days of the first lunar month.
    assert [eve + dt.timedelta(days=i) in days for i in range(4)] == [True] * 4
    assert {qingming, dragon_boat, mid_autumn} <= set(days)


def test_an_unentered_year_keeps_the_spring_festival_off_and_warns():
    calendar = WorkCalendar()
    # 2027-02-08 is a Monday, the third day of the first lunar month.
    assert calendar.is_workday(dt.date(2027, 2, 8)) is False
    assert calendar.is_workday(dt.date(2027, 2, 9)) is True
    assert calendar.warnings and "2027" in calendar.warnings[0]


def test_a_year_far_ahead_never_crashes():
    assert len(statutory_holidays(2099)) == 13
    assert WorkCalendar().is_workday(dt.date(2099, 10, 1)) is False
