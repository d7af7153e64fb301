"""The Chinese working calendar: which days are working days and how working time adds up.

Which days are working days, in order of precedence:
1. an override in the database (`CalendarDay`): local exceptions, or a year's official schedule
   entered by an administrator;
2. the `chinesecalendar` package, for the years it carries (statutory holidays and 调休 days);
3. for a year the package does not carry, the schedule entered in the database (`CalendarYear`
   marks a year as entered; its days not listed follow Monday–Friday);
4. otherwise Monday–Friday less the statutory holidays the law fixes (`holidays`: 元旦, 春节,
   清明, 劳动节, 端午, 中秋, 国庆, with the lunar and solar-term dates computed), and the computation
   says so: the make-up working days (调休) are unknown until the official schedule is imported, so
   every result carries a warning, and the warning is logged. It never crashes and never guesses
   silently.

Working hours are periods of the day (`HOTLINE_WORKING_HOURS`, default 08:30–12:00 and
13:30–17:30) in the bureau's time zone; time outside them does not count.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .holidays import is_statutory_holiday

logger = logging.getLogger(__name__)

# No deadline is ever more than this many days away; a guard against a calendar with no
# working days at all (a mis-entered year), which would otherwise loop forever.
MAX_SEARCH_DAYS = 3660


class YearSource(StrEnum):
    PACKAGE = "package"
    DATABASE = "database"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Period:
    start: dt.time
    end: dt.time

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


def parse_working_hours(spec: str) -> tuple[Period, ...]:
    """Parse "08:30-12:00,13:30-17:30" into ordered, non-overlapping periods."""
    periods = []
    try:
        for part in spec.split(","):
            start, end = (dt.time.fromisoformat(p.strip()) for p in part.split("-"))
            periods.append(Period(start, end))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"HOTLINE_WORKING_HOURS must look like '08:30-12:00,13:30-17:30', got {spec!r}"
        ) from exc
    periods.sort(key=lambda p: p.start)
    for i, period in enumerate(periods):
        if period.end <= period.start:
            raise ImproperlyConfigured(f"HOTLINE_WORKING_HOURS: period {period} ends before it starts")
        if i and period.start < periods[i - 1].end:
            raise ImproperlyConfigured("HOTLINE_WORKING_HOURS: periods overlap")
    if not periods:
        raise ImproperlyConfigured("HOTLINE_WORKING_HOURS names no period")
    return tuple(periods)


@lru_cache(maxsize=8)
def _periods_for(spec: str) -> tuple[Period, ...]:
    return parse_working_hours(spec)


def working_periods() -> tuple[Period, ...]:
    return _periods_for(settings.HOTLINE_WORKING_HOURS)


def working_day_minutes() -> int:
    """The length of one working day in minutes (450 for 7.5 hours)."""
    return sum(p.minutes for p in working_periods())


def bureau_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def fallback_warning(year: int) -> str:
    return _(
        "%(year)s 年的放假调休安排尚未录入，已按周一至周五并扣除法定节假日推算（调休上班日未知），"
        "请管理员录入官方安排。"
    ) % {"year": year}


@dataclass
class WorkCalendar:
    """One calendar computation. Loads the database overrides of a year on first use."""

    _overrides: dict[int, dict[dt.date, bool]] = field(default_factory=dict)
    _entered_years: set[int] | None = None
    fallback_years: set[int] = field(default_factory=set)

    def _year_overrides(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides:
            from .models import CalendarDay

            self._overrides[year] = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
        return self._overrides[year]

    def year_source(self, year: int) -> YearSource:
        if package_covers(year):
            return YearSource.PACKAGE
        if self._entered_years is None:
            from .models import CalendarYear

            self._entered_years = set(CalendarYear.objects.values_list("year", flat=True))
        if year in self._entered_years:
            return YearSource.DATABASE
        return YearSource.FALLBACK

    def is_workday(self, day: dt.date) -> bool:
        override = self._year_overrides(day.year).get(day)
        if override is not None:
            return override
        source = self.year_source(day.year)
        if source is YearSource.PACKAGE:
            return chinese_calendar.is_workday(day)
        if source is YearSource.DATABASE:
            return day.weekday() < 5
        if day.year not in self.fallback_years:
            self.fallback_years.add(day.year)
            logger.warning(
                "Working calendar: no official schedule for %s; assuming Mon–Fri less the statutory holidays, "
                "make-up working days unknown",
                day.year,
            )
        return day.weekday() < 5 and not is_statutory_holiday(day)

    @property
    def warnings(self) -> list[str]:
        return [fallback_warning(year) for year in sorted(self.fallback_years)]

    def _periods_of(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        tz = bureau_tz()
        if not self.is_workday(day):
            return []
        return [
            (dt.datetime.combine(day, p.start, tzinfo=tz), dt.datetime.combine(day, p.end, tzinfo=tz))
            for p in working_periods()
        ]

    def add_working_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment when `minutes` of working time have passed since `start`.

        Time before the first working period after `start` does not count: an order dispatched
        at 20:00 starts its clock at the next working period.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = dt.timedelta(minutes=minutes)
        current = start.astimezone(bureau_tz())
        day = current.date()
        for _i in range(MAX_SEARCH_DAYS):
            for period_start, period_end in self._periods_of(day):
                if current >= period_end:
                    continue
                begin = max(current, period_start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                current = period_end
            day += dt.timedelta(days=1)
        raise ValueError("No working time found within ten years; check the working calendar.")

    def subtract_working_minutes(self, end: dt.datetime, minutes: float) -> dt.datetime:
        """The moment `minutes` of working time before `end`: `add_working_minutes` run backwards
        (the escalation ladder's steps before a deadline, and its windows)."""
        if end.tzinfo is None:
            raise ValueError("end must be timezone-aware")
        remaining = dt.timedelta(minutes=minutes)
        current = end.astimezone(bureau_tz())
        day = current.date()
        for _i in range(MAX_SEARCH_DAYS):
            for period_start, period_end in reversed(self._periods_of(day)):
                if current <= period_start:
                    continue
                finish = min(current, period_end)
                available = finish - period_start
                if remaining <= available:
                    return finish - remaining
                remaining -= available
                current = period_start
            day -= dt.timedelta(days=1)
        raise ValueError("No working time found within ten years; check the working calendar.")

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working minutes in [start, end): the handling time as the bureau counts it."""
        if end <= start:
            return 0.0
        tz = bureau_tz()
        start, end = start.astimezone(tz), end.astimezone(tz)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            for period_start, period_end in self._periods_of(day):
                overlap = min(end, period_end) - max(start, period_start)
                if overlap > dt.timedelta():
                    total += overlap
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60


@dataclass(frozen=True)
class YearCoverage:
    year: int
    source: YearSource
    override_days: int

    @property
    def known(self) -> bool:
        return self.source is not YearSource.FALLBACK


def year_coverage(year: int) -> YearCoverage:
    from .models import CalendarDay

    calendar = WorkCalendar()
    return YearCoverage(
        year=year,
        source=calendar.year_source(year),
        override_days=CalendarDay.objects.filter(date__year=year).count(),
    )
