"""Selectors for the bulletin and the dashboards: every figure is one aggregate query.

What each figure counts (README, "Bulletins, dashboards and analysis", has the formulas):

- Orders are attributed to their current responsible unit (`WorkOrder.unit`): an order re-dispatched
  after a sent-back (退单) counts for the unit that holds it now, not for the one that objected.
- Merged duplicates (并单, `merged_into` set) never count: they follow their primary order, which is
  the one the unit handles.
- Cohorts, for a period [start, end) in the bureau's time zone and a cut-off (the generation time):
  * received: orders received in the period (`received_at`);
  * due (应办结): orders whose handling deadline (as moved by an approved extension) fell in the
    period before the cut-off, except those whose sent-back is still being reviewed;
  * approved: orders whose result was approved in the period and is still approved;
  * flows: orders closed (`closed_at`), callbacks made and reviews returned in the period.

Nothing loops over orders in Python: each selector is a `values(...).annotate(...)` with conditional
`Count(filter=Q(...))`, `Sum` and `F` comparisons, grouped in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from stations.models import Unit, UnitKind
from tickets.models import (
    UNIT_WORK_STATUSES,
    Callback,
    Outcome,
    Review,
    ReviewDecision,
    Satisfaction,
    Status,
    WorkOrder,
)
from tickets.workcalendar import bureau_tz

from .periods import Period

# A result has been handed in and not (yet) returned.
RESULT_STATUSES = (Status.REPORTED, Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)
# A result was approved by review and the order has not been reopened since.
APPROVED_STATUSES = (Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)

# Handled on time: the result standing now was reported by the handling deadline.
ON_TIME = Q(status__in=RESULT_STATUSES, reported_at__lte=F("handling_deadline"))
# Responded: the officer talked with the citizen by the contact deadline (one hour after dispatch).
RESPONDED = Q(contacted_at__isnull=False, contacted_at__lte=F("contact_deadline"))
PENDING_OBJECTION = Q(status=Status.SENT_BACK)

ORDER_UNIT_KINDS = (UnitKind.STATION, UnitKind.DEPARTMENT)


def counted_orders() -> QuerySet[WorkOrder]:
    """Orders that count in the figures: dispatched to a unit and not merged into another."""
    return WorkOrder.objects.filter(unit__isnull=False, merged_into__isnull=True)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide (shown as “—”)."""
    if not denominator:
        return None
    return numerator / denominator


@dataclass
class Figures:
    """The counts behind one row of the bulletin; the rates are derived from them."""

    received: int = 0
    response_base: int = 0
    responded: int = 0
    due: int = 0
    due_closed: int = 0
    on_time: int = 0
    closed: int = 0
    approved: int = 0
    resolved: int = 0
    partly: int = 0
    unresolved: int = 0
    handling_minutes_total: float = 0.0
    timed: int = 0
    callbacks: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0
    returned: int = 0
    supervision_orders: int = 0
    reminders: int = 0
    late_responses: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def overdue(self) -> int:
        return self.due - self.on_time

    @property
    def closure_rate(self) -> float | None:
        return ratio(self.due_closed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.due)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.responded, self.response_base)

    @property
    def resolution_rate(self) -> float | None:
        return ratio(self.resolved, self.approved)

    @property
    def satisfaction_rate(self) -> float | None:
        return ratio(self.satisfied + self.basically, self.callbacks)

    @property
    def avg_handling_hours(self) -> float | None:
        average = ratio(self.handling_minutes_total, self.timed)
        return None if average is None else average / 60

    def as_dict(self) -> dict:
        data = asdict(self)
        data["handling_minutes_total"] = round(self.handling_minutes_total, 1)
        for name in RATE_NAMES + ("avg_handling_hours", "overdue"):
            value = getattr(self, name)
            data[name] = round(value, 6) if isinstance(value, float) else value
        return data


RATE_NAMES = ("closure_rate", "on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate")


def _in(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _grouped(queryset: QuerySet, group: str, **aggregates) -> dict[int, dict]:
    """Run one grouped aggregate; `order_by()` drops the model ordering from the GROUP BY."""
    rows = queryset.values(group).annotate(**aggregates).order_by()
    return {row.pop(group): row for row in rows}


def received_counts(period: Period, cutoff: dt.datetime, orders: QuerySet) -> dict[int, dict]:
    counted = ~PENDING_OBJECTION & (Q(contacted_at__isnull=False) | Q(contact_deadline__lte=cutoff))
    return _grouped(
        orders.filter(_in("received_at", period.start_at, period.end_at)),
        "unit_id",
        received=Count("id"),
        response_base=Count("id", filter=counted),
        responded=Count("id", filter=~PENDING_OBJECTION & RESPONDED),
    )


def due_counts(period: Period, cutoff: dt.datetime, orders: QuerySet) -> dict[int, dict]:
    end = min(period.end_at, cutoff)
    if end <= period.start_at:
        return {}
    return _grouped(
        orders.filter(_in("handling_deadline", period.start_at, end)).exclude(PENDING_OBJECTION),
        "unit_id",
        due=Count("id"),
        due_closed=Count("id", filter=Q(status=Status.CLOSED)),
        on_time=Count("id", filter=ON_TIME),
    )


def approved_counts(period: Period, orders: QuerySet) -> dict[int, dict]:
    return _grouped(
        orders.filter(_in("reviewed_at", period.start_at, period.end_at), status__in=APPROVED_STATUSES),
        "unit_id",
        approved=Count("id"),
        resolved=Count("id", filter=Q(outcome=Outcome.RESOLVED)),
        partly=Count("id", filter=Q(outcome=Outcome.PARTLY)),
        unresolved=Count("id", filter=Q(outcome=Outcome.UNRESOLVED)),
        handling_minutes_total=Sum("handling_minutes"),
        timed=Count("handling_minutes"),
    )


def closed_counts(period: Period, orders: QuerySet) -> dict[int, dict]:
    return _grouped(
        orders.filter(_in("closed_at", period.start_at, period.end_at), status=Status.CLOSED),
        "unit_id",
        closed=Count("id"),
    )


def _order_scope(prefix: str, unit_ids: Iterable[int] | None) -> Q:
    scope = Q(**{f"{prefix}unit__isnull": False, f"{prefix}merged_into__isnull": True})
    if unit_ids is not None:
        scope &= Q(**{f"{prefix}unit_id__in": list(unit_ids)})
    return scope


def callback_counts(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict]:
    callbacks = Callback.objects.filter(
        _in("created_at", period.start_at, period.end_at), _order_scope("order__", unit_ids)
    ).annotate(unit_id=F("order__unit_id"))
    return _grouped(
        callbacks,
        "unit_id",
        callbacks=Count("id"),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )


def return_counts(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict]:
    reviews = Review.objects.filter(
        _in("created_at", period.start_at, period.end_at),
        _order_scope("order__", unit_ids),
        decision=ReviewDecision.RETURNED,
    ).annotate(unit_id=F("order__unit_id"))
    return _grouped(reviews, "unit_id", returned=Count("id"))


# --- notices (督办单 / 提醒函) ----------------------------------------------------------------


def notice_model():
    """The timers branch's Notice model, or None while it is not installed."""
    try:
        return apps.get_model("supervision", "Notice")
    except LookupError:
        return None


def notices_available() -> bool:
    return notice_model() is not None


def notice_counts(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """督办单 and 提醒函 issued to each unit in the period, and how many were answered late.

    Needs the Notice model of the supervision-orders issue; until it is installed there is
    nothing to count and every unit shows 0 (the bulletin says so: `notices_available`).
    """
    if notice_model() is None:
        return {}
    return {}


def notice_orders(period: Period) -> list[dict]:
    """The orders behind the notices issued in the period, one row per notice and order."""
    if notice_model() is None:
        return []
    return []


def key_notice_orders(period: Period) -> dict[int, list[dict]]:
    """Orders a 督办单 was issued on in the period (重点督办), per order id, with the remedies."""
    if notice_model() is None:
        return {}
    return {}


# --- the figures -------------------------------------------------------------------------------


def figures_by_unit(
    period: Period, cutoff: dt.datetime | None = None, unit_ids: Iterable[int] | None = None
) -> dict[int, Figures]:
    """Every unit's figures for the period, keyed by unit id (units without orders are absent)."""
    cutoff = cutoff or timezone.now()
    unit_ids = None if unit_ids is None else list(unit_ids)
    orders = counted_orders()
    if unit_ids is not None:
        orders = orders.filter(unit_id__in=unit_ids)
    parts = [
        received_counts(period, cutoff, orders),
        due_counts(period, cutoff, orders),
        approved_counts(period, orders),
        closed_counts(period, orders),
        callback_counts(period, unit_ids),
        return_counts(period, unit_ids),
        notice_counts(period, unit_ids),
    ]
    result: dict[int, Figures] = {}
    for part in parts:
        for unit_id, values in part.items():
            figures = result.setdefault(unit_id, Figures())
            for name, value in values.items():
                setattr(figures, name, value or 0)
    return result


def total(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


def bureau_figures(period: Period, cutoff: dt.datetime | None = None) -> Figures:
    return total(figures_by_unit(period, cutoff).values())


def order_units(extra_ids: Iterable[int] = ()) -> list[Unit]:
    """The units the bulletin lists: active stations and departments, and any unit with figures."""
    units = Unit.objects.filter(Q(kind__in=ORDER_UNIT_KINDS, is_active=True) | Q(pk__in=list(extra_ids)))
    kind_order = {UnitKind.STATION: 0, UnitKind.DEPARTMENT: 1}
    return sorted(units, key=lambda u: (kind_order.get(u.kind, 2), u.name))


# --- trend, breakdowns and load (dashboards) ---------------------------------------------------


@dataclass
class TrendPoint:
    week: Period
    bureau: Figures
    unit: Figures | None = None


def weekly_trend(
    weeks: list[Period], cutoff: dt.datetime | None = None, unit_id: int | None = None
) -> list[TrendPoint]:
    """Closure, on-time and satisfaction counts per week, bureau-wide and (optionally) for one unit.

    Two grouped queries in all: the due orders by the week of their deadline, the callbacks by the
    week they were made. The unit's counts come from conditional aggregates in the same queries.
    """
    cutoff = cutoff or timezone.now()
    tz = bureau_tz()
    start, end = weeks[0].start_at, min(weeks[-1].end_at, cutoff)
    points = {w.start: TrendPoint(week=w, bureau=Figures(), unit=Figures() if unit_id else None) for w in weeks}

    due_aggregates = {
        "due": Count("id"),
        "due_closed": Count("id", filter=Q(status=Status.CLOSED)),
        "on_time": Count("id", filter=ON_TIME),
    }
    if unit_id:
        due_aggregates |= {
            "u_due": Count("id", filter=Q(unit_id=unit_id)),
            "u_due_closed": Count("id", filter=Q(unit_id=unit_id, status=Status.CLOSED)),
            "u_on_time": Count("id", filter=ON_TIME & Q(unit_id=unit_id)),
        }
    if end > start:
        due_rows = (
            counted_orders()
            .filter(_in("handling_deadline", start, end))
            .exclude(PENDING_OBJECTION)
            .annotate(week=TruncWeek("handling_deadline", tzinfo=tz))
            .values("week")
            .annotate(**due_aggregates)
            .order_by()
        )
        for row in due_rows:
            _fill(points, row, tz)

    callback_aggregates = {
        "callbacks": Count("id"),
        "satisfied": Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
    }
    if unit_id:
        callback_aggregates |= {
            "u_callbacks": Count("id", filter=Q(order__unit_id=unit_id)),
            "u_satisfied": Count("id", filter=Q(order__unit_id=unit_id, satisfaction=Satisfaction.SATISFIED)),
            "u_basically": Count("id", filter=Q(order__unit_id=unit_id, satisfaction=Satisfaction.BASICALLY)),
        }
    callback_rows = (
        []
        if end <= start
        else (
            Callback.objects.filter(_in("created_at", start, end), _order_scope("order__", None))
            .annotate(week=TruncWeek("created_at", tzinfo=tz))
            .values("week")
            .annotate(**callback_aggregates)
            .order_by()
        )
    )
    for row in callback_rows:
        _fill(points, row, tz)
    return list(points.values())


def _fill(points: dict[dt.date, TrendPoint], row: dict, tz) -> None:
    week = row.pop("week")
    if isinstance(week, dt.datetime):
        week = week.astimezone(tz).date() if timezone.is_aware(week) else week.date()
    point = points.get(week)
    if point is None:
        return
    for name, value in row.items():
        if name.startswith("u_"):
            if point.unit is not None:
                setattr(point.unit, name[2:], value or 0)
        else:
            setattr(point.bureau, name, value or 0)


def breakdown(period: Period, field: str, unit_id: int | None = None) -> list[tuple[str, int]]:
    """Orders received in the period by `field` (handling_type, channel or topic), largest first.

    Counts every order that is not a merged duplicate, dispatched or not.
    """
    orders = WorkOrder.objects.filter(_in("received_at", period.start_at, period.end_at), merged_into__isnull=True)
    if unit_id:
        orders = orders.filter(unit_id=unit_id)
    if field == "topic":
        rows = orders.values("topic__name").annotate(n=Count("id")).order_by("-n", "topic__name")
        return [(row["topic__name"], row["n"]) for row in rows]
    choices = dict(WorkOrder._meta.get_field(field).choices)
    rows = orders.values(field).annotate(n=Count("id")).order_by("-n", field)
    return [(str(choices.get(row[field], row[field])), row["n"]) for row in rows]


@dataclass
class Load:
    open: int = 0
    due_soon: int = 0
    overdue: int = 0


def unit_load(now: dt.datetime | None = None, unit_ids: Iterable[int] | None = None) -> dict[int, Load]:
    """Each unit's current work: orders it still owes (dispatched, contacted or returned), those
    due within `HOTLINE_DUE_SOON_MINUTES` and those past their handling deadline."""
    now = now or timezone.now()
    soon = now + dt.timedelta(minutes=settings.HOTLINE_DUE_SOON_MINUTES)
    orders = WorkOrder.objects.filter(status__in=UNIT_WORK_STATUSES, unit__isnull=False)
    if unit_ids is not None:
        orders = orders.filter(unit_id__in=list(unit_ids))
    rows = _grouped(
        orders,
        "unit_id",
        open=Count("id"),
        due_soon=Count("id", filter=Q(handling_deadline__gte=now, handling_deadline__lt=soon)),
        overdue=Count("id", filter=Q(handling_deadline__lt=now)),
    )
    return {unit_id: Load(**values) for unit_id, values in rows.items()}
