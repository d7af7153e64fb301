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
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from stations.models import Unit, UnitKind
from tickets.models import (
    UNIT_WORK_STATUSES,
    Callback,
    OrderEvent,
    Outcome,
    Review,
    ReviewDecision,
    Satisfaction,
    Status,
    Topic,
    WorkOrder,
)
from tickets.workcalendar import bureau_tz

from .models import RollupState, UnitDayBreakdown, UnitDayCount, UnitDayFeedback
from .periods import Period, local_midnight

# A result has been handed in and not (yet) returned.
RESULT_STATUSES = (Status.REPORTED, Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)
# A result was approved by review and the order has not been reopened since.
APPROVED_STATUSES = (Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)

# Handled on time: the result standing now was reported by the handling deadline.
ON_TIME = Q(status__in=RESULT_STATUSES, reported_at__lte=F("handling_deadline"))
# Responded: the officer talked with the citizen by the contact deadline (one hour after dispatch).
RESPONDED = Q(contacted_at__isnull=False, contacted_at__lte=F("contact_deadline"))
PENDING_OBJECTION = Q(status=Status.SENT_BACK)


def sign_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HOTLINE_SIGN_WITHIN_MINUTES)


def signed_in_time_q() -> Q:
    """签收及时: signed within HOTLINE_SIGN_WITHIN_MINUTES of the (latest) dispatch, on the wall clock."""
    return Q(signed_at__isnull=False, signed_at__lte=F("dispatched_at") + sign_window())


def sign_counted(cutoff: dt.datetime) -> Q:
    """In the 签收 base: dispatched, and either signed or past its signing window at `cutoff`."""
    return Q(dispatched_at__isnull=False) & (Q(signed_at__isnull=False) | Q(dispatched_at__lte=cutoff - sign_window()))

ORDER_UNIT_KINDS = (UnitKind.STATION, UnitKind.DEPARTMENT)
# The kinds of `supervision.Notice` (督办单, 提醒函), as the supervision-orders issue stores them.
NOTICE_SUPERVISION = "supervision"
NOTICE_REMINDER = "reminder"


def counted_orders() -> QuerySet[WorkOrder]:
    """Orders that count in the figures: dispatched to a unit and not merged into another."""
    return WorkOrder.objects.filter(unit__isnull=False, merged_into__isnull=True)


# --- settled orders and the daily roll-up --------------------------------------------------------
#
# An order is *settled* at a boundary B (a local midnight) when it counts, is closed, and none of
# its closing time, handling deadline and contact deadline is at or after B. Closed is final (no
# transition leaves it, the admin cannot edit orders), so a settled order never changes again,
# nor do its callbacks and reviews (all made before it closed). For any cut-off T ≥ B its
# contribution to every figure of a period depends only on which days its dates fall on: it is not
# pending, its handling deadline and contact deadline are before T. `analysis/rollup.py` adds each
# settled order once to the per-unit, per-day counters; every other order is counted live with the
# very formulas below. The two sets partition the orders, so roll-up + live = the direct count.
#
# Callbacks and returns are rows that never change, made at a moment: the roll-up holds each
# complete day of them (`UnitDayFeedback`), by the unit their order counted for when the day was
# filled. What can change that is the order's unit or merge, and every change of an order writes
# an `OrderEvent`: a day with a callback or return of an order that has an event since the
# boundary is "touched" and counted live until the next fill fills it again.

ROLLUP_NAME = "orders"
SETTLING_MOMENTS = ("closed_at", "handling_deadline", "contact_deadline")


def settled(boundary: dt.datetime, prefix: str = "") -> Q:
    """Closed, and none of its closing time, handling or contact deadline at or after `boundary`.

    A missing moment never puts an order in a cohort at any cut-off (a NULL deadline is never
    due, a NULL contact deadline never in the response base by time), so it does not keep the
    order live.
    """
    q = Q(**{f"{prefix}status": Status.CLOSED})
    for name in SETTLING_MOMENTS:
        q &= Q(**{f"{prefix}{name}__lt": boundary}) | Q(**{f"{prefix}{name}__isnull": True})
    return q


def _closed_late(boundary: dt.datetime) -> Q:
    late = Q()
    for name in SETTLING_MOMENTS:
        late |= Q(**{f"{name}__gte": boundary})
    return Q(status=Status.CLOSED) & late


def live_parts(boundary: dt.datetime | None) -> list[Q | None]:
    """The orders a selector counts live, as disjoint parts each read by its own index.

    Without a roll-up: everything, in one part (None). With one: exactly the orders `settled`
    leaves out, split in two because one OR of both cannot use either index well —
    orders not closed (read by an index-only scan of `analysis_open_order_idx`, a partial covering
    index on them: migration analysis 0003), and closed orders whose closing or deadlines are at or
    after the boundary (today's closings, early ones: a bitmap of three date indexes).
    """
    if boundary is None:
        return [None]
    return [~Q(status=Status.CLOSED), _closed_late(boundary)]


def rollup_boundary(cutoff: dt.datetime | None = None) -> dt.datetime | None:
    """The boundary the roll-up is filled to, if it can serve figures cut off at `cutoff`.

    None (count everything live) while the roll-up was never filled, and for a cut-off before the
    boundary: a settled order's figures are only fixed for cut-offs at or after it. Also while it
    holds fewer than `HOTLINE_ROLLUP_MIN_ORDERS` orders: a small table is counted faster directly
    than through the roll-up's extra queries (both give the same figures).
    """
    state = RollupState.objects.filter(name=ROLLUP_NAME).values_list("settled_before", "orders").first()
    if state is None or state[1] < settings.HOTLINE_ROLLUP_MIN_ORDERS:
        return None
    boundary = state[0]
    if cutoff is not None and cutoff < boundary:
        return None
    return boundary


COUNT_FIELDS = tuple(f.name for f in UnitDayCount._meta.get_fields() if f.name not in ("id", "unit", "day"))
FEEDBACK_FIELDS = tuple(f.name for f in UnitDayFeedback._meta.get_fields() if f.name not in ("id", "unit", "day"))


def touched_days(boundary: dt.datetime) -> set[dt.date]:
    """Local days before the boundary with a callback or a return of an order changed since it.

    Such a day's roll-up row may count a callback for the unit its order left (re-dispatch) or
    for an order since merged: it is counted live until the next fill recomputes it.
    """
    tz = bureau_tz()
    # The orders first (the events since the boundary, an index range: today's), then their rows
    # by order; a join would let the planner scan every callback.
    changed = list(OrderEvent.objects.filter(created_at__gte=boundary).values_list("order_id", flat=True).distinct())
    days: set[dt.date] = set()
    if not changed:
        return days
    for model, extra in ((Callback, {}), (Review, {"decision": ReviewDecision.RETURNED})):
        rows = model.objects.filter(order_id__in=changed, created_at__lt=boundary, **extra)
        days.update(rows.annotate(day=TruncDate("created_at", tzinfo=tz)).values_list("day", flat=True).distinct())
    return days


@dataclass(frozen=True)
class FeedbackWindow:
    """Which callbacks and returns a selector reads where: rolled-up days, and a live condition."""

    boundary: dt.datetime
    touched: frozenset[dt.date]

    @classmethod
    def at(cls, boundary: dt.datetime | None) -> FeedbackWindow | None:
        return None if boundary is None else cls(boundary, frozenset(touched_days(boundary)))

    def rolled_days(self, first: dt.date, last: dt.date) -> Q:
        """Complete, untouched days from `first` to `last` (a condition on a roll-up row's day)."""
        last = min(last, self.boundary.astimezone(bureau_tz()).date() - dt.timedelta(days=1))
        return Q(day__gte=first, day__lte=last) & ~Q(day__in=sorted(self.touched))

    def live(self, start: dt.datetime, end: dt.datetime) -> Q | None:
        """The moments in [start, end) the roll-up does not serve: since the boundary, touched days."""
        parts = []
        if end > max(start, self.boundary):
            parts.append(_in("created_at", max(start, self.boundary), end))
        for day in sorted(self.touched):
            lo, hi = max(start, local_midnight(day)), min(end, local_midnight(day + dt.timedelta(days=1)))
            if hi > lo:
                parts.append(_in("created_at", lo, hi))
        if not parts:
            return None
        q = Q()
        for part in parts:
            q |= part
        return q


# Selectors find the roll-up themselves unless the caller passes what it found (a page that calls
# several selectors reads the fill state and the touched days once).
AUTO = object()


def rollup_window(cutoff: dt.datetime | None = None) -> FeedbackWindow | None:
    """The roll-up as it serves figures cut off at `cutoff`: its boundary and touched days, or None."""
    return FeedbackWindow.at(rollup_boundary(cutoff))


def _window(given, cutoff: dt.datetime | None) -> FeedbackWindow | None:
    window = rollup_window(cutoff) if given is AUTO else given
    if window is not None and cutoff is not None and cutoff < window.boundary:
        return None
    return window


def rolled_up_feedback(
    window: FeedbackWindow, period: Period, unit_ids: Iterable[int] | None = None
) -> dict[int, dict]:
    rows = UnitDayFeedback.objects.filter(window.rolled_days(period.start, period.end))
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    sums = _grouped(rows, "unit_id", **{f"sum_{name}": Sum(name) for name in FEEDBACK_FIELDS})
    return {unit: {name.removeprefix("sum_"): value for name, value in row.items()} for unit, row in sums.items()}


def rolled_up_counts(period: Period, unit_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """The settled orders' figures of each unit over the days of the period."""
    rows = UnitDayCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    # Annotations may not take a field's name: sum into "sum_<name>", then give the names back.
    sums = _grouped(rows, "unit_id", **{f"sum_{name}": Sum(name) for name in COUNT_FIELDS})
    return {unit: {name.removeprefix("sum_"): value for name, value in row.items()} for unit, row in sums.items()}


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
    sign_base: int = 0
    signed_in_time: int = 0
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
    def sign_rate(self) -> float | None:
        return ratio(self.signed_in_time, self.sign_base)

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


RATE_NAMES = ("closure_rate", "on_time_rate", "response_rate", "sign_rate", "resolution_rate", "satisfaction_rate")


def _in(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _grouped(queryset: QuerySet, group: str, **aggregates) -> dict[int, dict]:
    """Run one grouped aggregate; `order_by()` drops the model ordering from the GROUP BY."""
    rows = queryset.values(group).annotate(**aggregates).order_by()
    return {row.pop(group): row for row in rows}


def order_cohorts(period: Period, cutoff: dt.datetime) -> dict[str, Q]:
    """The order cohorts of a period (see the module docstring), as conditions on the order."""
    due_end = min(period.end_at, cutoff)
    return {
        "received": _in("received_at", period.start_at, period.end_at),
        "due": _in("handling_deadline", period.start_at, due_end) & ~PENDING_OBJECTION
        if due_end > period.start_at
        else Q(pk__in=[]),
        "approved": _in("reviewed_at", period.start_at, period.end_at) & Q(status__in=APPROVED_STATUSES),
        "closed": _in("closed_at", period.start_at, period.end_at) & Q(status=Status.CLOSED),
    }


def order_counts(period: Period, cutoff: dt.datetime, orders: QuerySet) -> dict[int, dict]:
    """Every order-based figure of every unit in one grouped query.

    The WHERE clause is the union of the four cohorts (each on an indexed column, so a short
    period is a bitmap OR of four index ranges and a long one a single pass over the table); each
    figure is a conditional aggregate over its own cohort.
    """
    c = order_cohorts(period, cutoff)
    received, due, approved, closed = c["received"], c["due"], c["approved"], c["closed"]
    response_counted = received & ~PENDING_OBJECTION & (Q(contacted_at__isnull=False) | Q(contact_deadline__lte=cutoff))
    return _grouped(
        orders.filter(received | due | approved | closed),
        "unit_id",
        received=Count("id", filter=received),
        response_base=Count("id", filter=response_counted),
        responded=Count("id", filter=received & ~PENDING_OBJECTION & RESPONDED),
        sign_base=Count("id", filter=received & ~PENDING_OBJECTION & sign_counted(cutoff)),
        signed_in_time=Count("id", filter=received & ~PENDING_OBJECTION & signed_in_time_q()),
        due=Count("id", filter=due),
        due_closed=Count("id", filter=due & Q(status=Status.CLOSED)),
        on_time=Count("id", filter=due & ON_TIME),
        approved=Count("id", filter=approved),
        resolved=Count("id", filter=approved & Q(outcome=Outcome.RESOLVED)),
        partly=Count("id", filter=approved & Q(outcome=Outcome.PARTLY)),
        unresolved=Count("id", filter=approved & Q(outcome=Outcome.UNRESOLVED)),
        handling_minutes_total=Sum("handling_minutes", filter=approved),
        timed=Count("handling_minutes", filter=approved),
        closed=Count("id", filter=closed),
    )


def _order_scope(prefix: str, unit_ids: Iterable[int] | None) -> Q:
    scope = Q(**{f"{prefix}unit__isnull": False, f"{prefix}merged_into__isnull": True})
    if unit_ids is not None:
        scope &= Q(**{f"{prefix}unit_id__in": list(unit_ids)})
    return scope


def callbacks_in(
    start: dt.datetime,
    end: dt.datetime,
    unit_ids: Iterable[int] | None = None,
    moments: Q | None = None,
) -> QuerySet[Callback]:
    """Callbacks made in [start, end) on orders that count.

    `order.callback_at` is the time of the order's latest callback and is never cleared (a reopen
    starts a new round but keeps it), so every callback made since `start` belongs to an order
    called back since `start`. Saying so lets the database join only those orders (an index
    range) instead of scanning every order to join the callbacks of a long period. `moments`
    narrows `created_at` further (the parts of the period the roll-up does not serve).
    """
    callbacks = Callback.objects.filter(
        _in("created_at", start, end), _order_scope("order__", unit_ids), order__callback_at__gte=start
    )
    return callbacks if moments is None else callbacks.filter(moments)


def callback_counts(period: Period, unit_ids: Iterable[int] | None = None, moments: Q | None = None) -> dict[int, dict]:
    callbacks = callbacks_in(period.start_at, period.end_at, unit_ids, moments).annotate(unit_id=F("order__unit_id"))
    return _grouped(
        callbacks,
        "unit_id",
        callbacks=Count("id"),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )


def return_counts(period: Period, unit_ids: Iterable[int] | None = None, moments: Q | None = None) -> dict[int, dict]:
    reviews = Review.objects.filter(
        _in("created_at", period.start_at, period.end_at),
        _order_scope("order__", unit_ids),
        decision=ReviewDecision.RETURNED,
    )
    if moments is not None:
        reviews = reviews.filter(moments)
    reviews = reviews.annotate(unit_id=F("order__unit_id"))
    return _grouped(reviews, "unit_id", returned=Count("id"))


# --- notices (督办单 / 提醒函) ----------------------------------------------------------------


def notice_model():
    """`supervision.Notice` (督办单, 提醒函, the supervision-orders issue), or None while it is not installed."""
    try:
        return apps.get_model("supervision", "Notice")
    except LookupError:
        return None


def notices_available() -> bool:
    return notice_model() is not None


def _notices_issued(period: Period, unit_ids: Iterable[int] | None = None) -> QuerySet:
    notices = notice_model().objects.filter(_in("issued_at", period.start_at, period.end_at))
    if unit_ids is not None:
        notices = notices.filter(unit_id__in=list(unit_ids))
    return notices


def late_response(cutoff: dt.datetime, prefix: str = "") -> Q:
    """The answer-by time passed before the cut-off without an answer by then (late or missing)."""
    return Q(**{f"{prefix}respond_by__lt": cutoff}) & (
        Q(**{f"{prefix}responded_at__isnull": True}) | Q(**{f"{prefix}responded_at__gt": F(f"{prefix}respond_by")})
    )


def notice_counts(period: Period, cutoff: dt.datetime, unit_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """督办单 and 提醒函 issued to each unit in the period, and how many were answered late.

    A notice counts for the unit it was issued to. Needs the Notice model of the supervision
    orders issue; while it is not installed there is nothing to count (`notices_available`).
    """
    if notice_model() is None:
        return {}
    return _grouped(
        _notices_issued(period, unit_ids),
        "unit_id",
        supervision_orders=Count("id", filter=Q(kind=NOTICE_SUPERVISION)),
        reminders=Count("id", filter=Q(kind=NOTICE_REMINDER)),
        late_responses=Count("id", filter=late_response(cutoff)),
    )


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def notice_orders(period: Period, cutoff: dt.datetime) -> list[dict]:
    """The orders behind the notices issued in the period: one row per notice and order."""
    Notice = notice_model()
    if Notice is None:
        return []
    through = Notice.orders.through
    rows = (
        through.objects.filter(notice__issued_at__gte=period.start_at, notice__issued_at__lt=period.end_at)
        .annotate(
            late=Case(When(late_response(cutoff, "notice__"), then=True), default=False, output_field=BooleanField())
        )
        .values(
            "late",
            kind=F("notice__kind"),
            notice_number=F("notice__number"),
            unit=F("notice__unit__name"),
            order_number=F("workorder__number"),
            topic=F("workorder__topic__name"),
            reason=F("notice__reason"),
            issued_at=F("notice__issued_at"),
            respond_by=F("notice__respond_by"),
            responded_at=F("notice__responded_at"),
            remedy=F("notice__response"),
        )
        .order_by("notice__issued_at", "notice__id", "workorder__number")
    )
    return [{**row, **{key: _iso(row[key]) for key in ("issued_at", "respond_by", "responded_at")}} for row in rows]


def supervised_order_ids(period: Period) -> set[int]:
    """Orders a 督办单 was issued on in the period (重点督办)."""
    Notice = notice_model()
    if Notice is None:
        return set()
    return set(
        Notice.orders.through.objects.filter(
            notice__kind=NOTICE_SUPERVISION,
            notice__issued_at__gte=period.start_at,
            notice__issued_at__lt=period.end_at,
        ).values_list("workorder_id", flat=True)
    )


def notice_remedies(period: Period, order_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The remedies (整改措施) units gave in answer to the notices issued in the period on these orders."""
    Notice = notice_model()
    if Notice is None:
        return {}
    rows = (
        Notice.orders.through.objects.filter(
            workorder_id__in=list(order_ids),
            notice__issued_at__gte=period.start_at,
            notice__issued_at__lt=period.end_at,
        )
        .exclude(notice__response="")
        .values("workorder_id", "notice__number", "notice__kind", "notice__response", "notice__responded_at")
        .order_by("notice__issued_at", "notice__id")
    )
    remedies: dict[int, list[dict]] = {}
    for row in rows:
        remedies.setdefault(row["workorder_id"], []).append(
            {
                "number": row["notice__number"],
                "kind": row["notice__kind"],
                "measures": row["notice__response"],
                "responded_at": _iso(row["notice__responded_at"]),
            }
        )
    return remedies


# --- the figures -------------------------------------------------------------------------------


def figures_by_unit(
    period: Period, cutoff: dt.datetime | None = None, unit_ids: Iterable[int] | None = None, *, rollup=AUTO
) -> dict[int, Figures]:
    """Every unit's figures for the period, keyed by unit id (units without orders are absent).

    Settled orders come from the daily roll-up (when it is filled and the cut-off is not before
    its boundary); the others are counted live. Each part adds to the same counters.
    """
    cutoff = cutoff or timezone.now()
    unit_ids = None if unit_ids is None else list(unit_ids)
    window = _window(rollup, cutoff)
    boundary = None if window is None else window.boundary
    orders = counted_orders()
    if unit_ids is not None:
        orders = orders.filter(unit_id__in=unit_ids)
    parts = [notice_counts(period, cutoff, unit_ids)]
    for live in live_parts(boundary):
        parts.append(order_counts(period, cutoff, orders if live is None else orders.filter(live)))
    if window is None:
        parts += [callback_counts(period, unit_ids), return_counts(period, unit_ids)]
    else:
        parts += [rolled_up_counts(period, unit_ids), rolled_up_feedback(window, period, unit_ids)]
        moments = window.live(period.start_at, period.end_at)
        if moments is not None:
            parts += [callback_counts(period, unit_ids, moments), return_counts(period, unit_ids, moments)]
    result: dict[int, Figures] = {}
    for part in parts:
        for unit_id, values in part.items():
            figures = result.setdefault(unit_id, Figures())
            for name, value in values.items():
                setattr(figures, name, getattr(figures, name) + (value or 0))
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
    weeks: list[Period], cutoff: dt.datetime | None = None, unit_id: int | None = None, *, rollup=AUTO
) -> list[TrendPoint]:
    """Closure, on-time and satisfaction counts per week, bureau-wide and (optionally) for one unit.

    Two grouped queries in all: the due orders by the week of their deadline, the callbacks by the
    week they were made. The unit's counts come from conditional aggregates in the same queries.
    With the roll-up filled, settled orders come from it (a third query, by day) and the two
    queries read only the others.
    """
    cutoff = cutoff or timezone.now()
    tz = bureau_tz()
    start, end = weeks[0].start_at, min(weeks[-1].end_at, cutoff)
    points = {w.start: TrendPoint(week=w, bureau=Figures(), unit=Figures() if unit_id else None) for w in weeks}
    window = _window(rollup, cutoff)
    boundary = None if window is None else window.boundary
    if boundary is not None:
        for model, names, days in (
            (UnitDayCount, ("due", "due_closed", "on_time"), Q(day__gte=weeks[0].start, day__lte=weeks[-1].end)),
            (
                UnitDayFeedback,
                ("callbacks", "satisfied", "basically"),
                window.rolled_days(weeks[0].start, weeks[-1].end),
            ),
        ):
            # Annotations may not take a field's name: sum into "sum_<name>", then fill by name.
            aggregates = {f"sum_{name}": Sum(name) for name in names}
            if unit_id:
                aggregates |= {f"sum_u_{name}": Sum(name, filter=Q(unit_id=unit_id)) for name in names}
            for row in model.objects.filter(days).values("day").annotate(**aggregates).order_by():
                day = row.pop("day")
                values = {name.removeprefix("sum_"): value for name, value in row.items()}
                _fill(points, {"week": day - dt.timedelta(days=day.weekday()), **values}, tz)

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
    for live in live_parts(boundary) if end > start else ():
        due_orders = counted_orders() if live is None else counted_orders().filter(live)
        due_rows = (
            due_orders.filter(_in("handling_deadline", start, end))
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
    moments = None if window is None else window.live(start, end)
    if end > start and (window is None or moments is not None):
        callback_rows = (
            callbacks_in(start, end, moments=moments)
            .annotate(week=TruncWeek("created_at", tzinfo=tz))
            .values("week")
            .annotate(**callback_aggregates)
            .order_by()
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
                setattr(point.unit, name[2:], getattr(point.unit, name[2:]) + (value or 0))
        else:
            setattr(point.bureau, name, getattr(point.bureau, name) + (value or 0))


BREAKDOWN_FIELDS = ("handling_type", "topic", "channel")


def breakdowns(period: Period, unit_id: int | None = None, *, rollup=AUTO) -> dict[str, list[tuple[str, int]]]:
    """Orders received in the period by handling type, topic and channel, largest first.

    Counts every order that is not a merged duplicate, dispatched or not. One grouped query by
    (type, topic, channel), at most a few hundred groups, added up per field here; with the
    roll-up filled, that query reads only the orders not settled and one more adds the settled
    ones' daily counts.
    """
    window = _window(rollup, None)
    boundary = None if window is None else window.boundary
    orders = WorkOrder.objects.filter(_in("received_at", period.start_at, period.end_at), merged_into__isnull=True)
    if unit_id:
        orders = orders.filter(unit_id=unit_id)
    totals: dict[str, dict[str, int]] = {name: {} for name in BREAKDOWN_FIELDS}
    if boundary is not None:
        rolled = UnitDayBreakdown.objects.filter(day__gte=period.start, day__lte=period.end)
        if unit_id:
            rolled = rolled.filter(unit_id=unit_id)
        topic_names = dict(Topic.objects.values_list("pk", "name"))
        for row in rolled.values("dimension", "key").annotate(n=Sum("orders")).order_by():
            key = topic_names.get(int(row["key"])) if row["dimension"] == "topic" else row["key"]
            counts = totals[row["dimension"]]
            counts[key] = counts.get(key, 0) + row["n"]
    rows = [
        row
        for live in live_parts(boundary)
        for row in (orders if live is None else orders.filter(live))
        .values("handling_type", "topic__name", "channel")
        .annotate(n=Count("id"))
        .order_by()
    ]
    for row in rows:
        for name, key in (
            ("handling_type", row["handling_type"]),
            ("topic", row["topic__name"]),
            ("channel", row["channel"]),
        ):
            totals[name][key] = totals[name].get(key, 0) + row["n"]
    labels = {
        "handling_type": dict(WorkOrder._meta.get_field("handling_type").choices),
        "channel": dict(WorkOrder._meta.get_field("channel").choices),
    }
    result = {}
    for name, counts in totals.items():
        items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        names = labels.get(name, {})
        result[name] = [(str(names.get(key, key)), n) for key, n in items]
    return result


def breakdown(period: Period, field: str, unit_id: int | None = None) -> list[tuple[str, int]]:
    return breakdowns(period, unit_id)[field]


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
    # `merged_into` is empty on every order in a unit work status (a merge makes the order merged);
    # saying so lets PostgreSQL read them from the partial index on open orders (migration 0003).
    orders = WorkOrder.objects.filter(status__in=UNIT_WORK_STATUSES, unit__isnull=False, merged_into__isnull=True)
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
