"""Statutory public holidays as the law fixes them, for a year nobody has entered yet.

《全国年节及纪念日放假办法》 (State Council, 2024 revision, in force from 2025) gives every
citizen these days off: 元旦 1 day (1 January), 春节 4 days (New Year's Eve to the third day of
the first lunar month), 清明节 1 day (the Qingming solar term), 劳动节 2 days (1–2 May), 端午节
1 day (5th of the 5th lunar month), 中秋节 1 day (15th of the 8th lunar month), 国庆节 3 days
(1–3 October).

The lunar and solar-term dates come from `lunar_python` (a maintained astronomical calendar
library), not a hand-written table. What the law does not fix — which weekend days become working
days (调休) and which weekdays are given off around a holiday — is published by the State Council
each year; until an administrator imports it the calendar warns (see `workcalendar`).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar, Solar

# The law in force from this year on; earlier years are all carried by `chinesecalendar`.
LAW_IN_FORCE_FROM = 2025

NEW_YEAR = _("元旦")
SPRING_FESTIVAL = _("春节")
QINGMING = _("清明节")
LABOUR_DAY = _("劳动节")
DRAGON_BOAT = _("端午节")
MID_AUTUMN = _("中秋节")
NATIONAL_DAY = _("国庆节")


def _date(solar: Solar) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=32)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The days off the law fixes in `year` (Gregorian), each with the holiday's name."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): NEW_YEAR}
    spring = _date(Lunar.fromYmd(year, 1, 1).getSolar())
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        days[spring + dt.timedelta(days=offset)] = SPRING_FESTIVAL
    # The Qingming term of the lunar year that contains April of this year.
    days[_date(Solar.fromYmd(year, 4, 20).getLunar().getJieQiTable()["清明"])] = QINGMING
    days[dt.date(year, 5, 1)] = LABOUR_DAY
    days[dt.date(year, 5, 2)] = LABOUR_DAY
    days[_date(Lunar.fromYmd(year, 5, 5).getSolar())] = DRAGON_BOAT
    days[_date(Lunar.fromYmd(year, 8, 15).getSolar())] = MID_AUTUMN
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = NATIONAL_DAY
    return days


def is_statutory_holiday(day: dt.date) -> bool:
    return day in statutory_holidays(day.year)
