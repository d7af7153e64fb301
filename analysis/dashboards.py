"""The figures behind the supervisor and unit dashboards, shared by the browser and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from stations.models import Unit

from .periods import Period, last_weeks, year_to_date
from .stats import (
    Figures,
    Load,
    TrendPoint,
    breakdowns,
    figures_by_unit,
    order_units,
    rollup_window,
    total,
    unit_load,
    weekly_trend,
)

TREND_WEEKS = 12


@dataclass
class Dashboard:
    now: dt.datetime
    ytd: Period
    bureau: Figures
    unit: Unit | None
    unit_figures: Figures | None
    unit_count: int
    trend: list[TrendPoint]
    breakdowns: dict[str, list[tuple[str, int]]]
    load: list[tuple[Unit, Load]] = field(default_factory=list)

    def per_unit_average(self, name: str) -> float | None:
        """A count of the bureau divided by the units that handle orders (the “bureau average”)."""
        if not self.unit_count:
            return None
        return getattr(self.bureau, name) / self.unit_count


def dashboard_data(*, unit: Unit | None = None, now: dt.datetime | None = None, weeks: int = TREND_WEEKS) -> Dashboard:
    now = now or timezone.now()
    ytd = year_to_date(now)
    rollup = rollup_window(now)  # read once for the three selectors below
    by_unit = figures_by_unit(ytd, now, rollup=rollup)
    units = order_units(by_unit)
    loads = unit_load(now, None if unit is None else [unit.pk])
    if unit is None:
        load_rows = [(u, loads.get(u.pk, Load())) for u in order_units(loads)]
    else:
        load_rows = [(unit, loads.get(unit.pk, Load()))]
    return Dashboard(
        now=now,
        ytd=ytd,
        bureau=total(by_unit.values()),
        unit=unit,
        unit_figures=None if unit is None else by_unit.get(unit.pk, Figures()),
        unit_count=len(units),
        trend=weekly_trend(last_weeks(weeks, now), now, unit_id=None if unit is None else unit.pk, rollup=rollup),
        breakdowns=breakdowns(ytd, None if unit is None else unit.pk, rollup=rollup),
        load=load_rows,
    )
