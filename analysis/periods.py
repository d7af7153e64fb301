"""Reporting periods in the bureau's time zone: a week runs Monday 00:00 to the next Monday 00:00.

Every bound is an aware datetime at local midnight, so an order received on Sunday at 23:30 in
Asia/Shanghai (15:30 UTC) belongs to that Sunday's week whatever the database stores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tickets.workcalendar import bureau_tz

# The longest period a bulletin or a report may cover: a year and a day (a leap year).
MAX_PERIOD_DAYS = 366
# Dates outside these are typing mistakes (and would overflow date arithmetic near year 1 or 9999).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def in_range(day: dt.date | None) -> bool:
    return day is not None and EARLIEST <= day <= LATEST


@dataclass(frozen=True)
class Period:
    """The local dates `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @property
    def start_at(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period: midnight after its last day."""
        return local_midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_week(self) -> bool:
        return self.start.weekday() == 0 and self.days == 7

    def shifted(self, weeks: int) -> Period:
        delta = dt.timedelta(weeks=weeks)
        return Period(self.start + delta, self.end + delta)

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    def short_label(self) -> str:
        return f"{self.start:%m-%d}"


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=bureau_tz())


def local_date(moment: dt.datetime | None = None) -> dt.date:
    return (moment or timezone.now()).astimezone(bureau_tz()).date()


def week_containing(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def previous_week(now: dt.datetime | None = None) -> Period:
    """The last complete Monday–Sunday week before `now` (local time)."""
    return week_containing(local_date(now)).shifted(-1)


def last_weeks(count: int, now: dt.datetime | None = None) -> list[Period]:
    """`count` weeks ending with the current (unfinished) week, oldest first."""
    current = week_containing(local_date(now))
    return [current.shifted(-i) for i in range(count - 1, -1, -1)]


def year_to_date(now: dt.datetime | None = None) -> Period:
    today = local_date(now)
    return Period(today.replace(month=1, day=1), today)
