"""The daily roll-up behind the figures: settled orders counted once, per unit and local day.

Like zulip's `analytics/lib/counts.py` (a `FillState` and count tables filled by a periodic job),
but the unit of work is an *order*, not an hour: `stats.settled` says when an order can no longer
change (closed, and no closing time or deadline at or after the boundary — a local midnight), and
`rollup_fill` adds every order that became settled since the last fill to `UnitDayCount` (and
`UnitDayBreakdown`), at the days its dates fall on, then moves `RollupState.settled_before`. The
selectors in `stats.py` read those tables for settled orders and count every other order live.

Callbacks and returns (rows that never change) are filled by day into `UnitDayFeedback`, each
day whole, by the unit their order counts for at the fill; a day with a callback or return of an
order that has had an event since (re-dispatched, merged: any change writes an `OrderEvent`) is
counted live by the selectors and filled again by the next fill.

Why the settled orders' counts are exact (and need no re-fill of late events):
- Settled orders never change: closed is final, the admin is read-only on orders, callbacks and
  reviews are made before an order closes. So a settled order's counts never go stale.
- The contribution is computed with the selectors' own formulas (`order_counts`) at cut-off = the
  boundary; for a settled order each formula gives the same answer at any later cut-off (its
  deadlines are before the boundary or missing, it is not pending).
- The roll-up holds exactly the settled orders (the delta of a fill is settled(new) minus
  settled(old), and a fill is one transaction holding the state row's lock: a crash or a second
  worker changes nothing), and the live part reads exactly the others (`stats.live_parts`).
- A closing committed after the fill read past its boundary would be missed; the fill therefore
  waits `HOTLINE_ROLLUP_LAG_MINUTES` after midnight, and `rollup_check` (run by each daily fill,
  and by `manage.py analysis_rollup --check`) compares the orders held with the settled orders in
  the table, rebuilding on a difference. The same lag covers an order event committed after the
  fill with a time before its boundary (a day it touched would keep the old unit's callbacks).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tickets.models import Callback, Outcome, Review, ReviewDecision, Satisfaction, Status
from tickets.workcalendar import bureau_tz

from .models import RollupState, UnitDayBreakdown, UnitDayCount, UnitDayFeedback
from .periods import local_date, local_midnight
from .stats import (
    APPROVED_STATUSES,
    BREAKDOWN_FIELDS,
    COUNT_FIELDS,
    FEEDBACK_FIELDS,
    ON_TIME,
    PENDING_OBJECTION,
    RESPONDED,
    ROLLUP_NAME,
    counted_orders,
    settled,
    sign_counted,
    signed_in_time_q,
    touched_days,
)

logger = logging.getLogger(__name__)


def rollup_target(now: dt.datetime | None = None) -> dt.datetime:
    """The boundary a fill at `now` may reach: the last local midnight at least the lag ago."""
    now = now or timezone.now()
    return local_midnight(local_date(now - dt.timedelta(minutes=settings.HOTLINE_ROLLUP_LAG_MINUTES)))


def newly_settled(old: dt.datetime | None, new: dt.datetime) -> QuerySet:
    """Orders that count and are settled at `new` but were not at `old` (None: never filled)."""
    orders = counted_orders().filter(settled(new))
    if old is not None:
        # Inside settled(new) the complement of settled(old) is: one of the three moments ≥ old.
        orders = orders.filter(Q(closed_at__gte=old) | Q(handling_deadline__gte=old) | Q(contact_deadline__gte=old))
    return orders


def _by_day(queryset: QuerySet, field: str, **aggregates) -> list[dict]:
    tz = bureau_tz()
    return list(
        queryset.annotate(day=TruncDate(field, tzinfo=tz)).values("unit_id", "day").annotate(**aggregates).order_by()
    )


def settled_counts(orders: QuerySet, boundary: dt.datetime) -> dict[tuple[int, dt.date], dict]:
    """The counters of `orders` (all settled at `boundary`) by (unit, local day).

    The same conditions as `stats.order_counts`, with the cut-off at the boundary; each cohort is
    grouped by the day of its own date.
    """
    counts: dict[tuple[int, dt.date], dict] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))

    def add(rows: list[dict]) -> None:
        for row in rows:
            key = (row.pop("unit_id"), row.pop("day"))
            for name, value in row.items():
                counts[key][name] += value or 0

    not_pending = ~PENDING_OBJECTION
    add(
        _by_day(
            orders,
            "received_at",
            received=Count("id"),
            response_base=Count(
                "id",
                filter=not_pending & (Q(contacted_at__isnull=False) | Q(contact_deadline__lte=boundary)),
            ),
            responded=Count("id", filter=not_pending & RESPONDED),
            sign_base=Count("id", filter=not_pending & sign_counted(boundary)),
            signed_in_time=Count("id", filter=not_pending & signed_in_time_q()),
        )
    )
    add(
        _by_day(
            orders.filter(handling_deadline__lt=boundary).exclude(PENDING_OBJECTION),
            "handling_deadline",
            due=Count("id"),
            due_closed=Count("id", filter=Q(status=Status.CLOSED)),
            on_time=Count("id", filter=ON_TIME),
        )
    )
    approved = orders.filter(reviewed_at__isnull=False, status__in=APPROVED_STATUSES)
    add(
        _by_day(
            approved,
            "reviewed_at",
            approved=Count("id"),
            resolved=Count("id", filter=Q(outcome=Outcome.RESOLVED)),
            partly=Count("id", filter=Q(outcome=Outcome.PARTLY)),
            unresolved=Count("id", filter=Q(outcome=Outcome.UNRESOLVED)),
            handling_minutes_total=Sum("handling_minutes"),
            timed=Count("handling_minutes"),
        )
    )
    add(_by_day(orders.filter(closed_at__isnull=False, status=Status.CLOSED), "closed_at", closed=Count("id")))
    return counts


def settled_breakdowns(orders: QuerySet) -> dict[tuple[int, dt.date, str, str], int]:
    """Settled orders received per (unit, local day) by handling type, topic id and channel."""
    counts: dict[tuple[int, dt.date, str, str], int] = defaultdict(int)
    for field in BREAKDOWN_FIELDS:
        column = "topic_id" if field == "topic" else field
        rows = (
            orders.annotate(day=TruncDate("received_at", tzinfo=bureau_tz()))
            .values("unit_id", "day", column)
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[(row["unit_id"], row["day"], field, str(row[column]))] += row["n"]
    return counts


def _add_counts(counts: dict[tuple[int, dt.date], dict]) -> None:
    if not counts:
        return
    days = {day for _unit, day in counts}
    existing = {
        (row.unit_id, row.day): row
        for row in UnitDayCount.objects.filter(day__in=days, unit_id__in={unit for unit, _day in counts})
    }
    new, changed = [], []
    for (unit_id, day), values in counts.items():
        row = existing.get((unit_id, day))
        if row is None:
            new.append(UnitDayCount(unit_id=unit_id, day=day, **values))
        else:
            for name, value in values.items():
                setattr(row, name, getattr(row, name) + value)
            changed.append(row)
    UnitDayCount.objects.bulk_create(new, batch_size=1000)
    UnitDayCount.objects.bulk_update(changed, COUNT_FIELDS, batch_size=1000)


def _add_breakdowns(counts: dict[tuple[int, dt.date, str, str], int]) -> None:
    if not counts:
        return
    days = {key[1] for key in counts}
    existing = {
        (row.unit_id, row.day, row.dimension, row.key): row for row in UnitDayBreakdown.objects.filter(day__in=days)
    }
    new, changed = [], []
    for (unit_id, day, dimension, key), n in counts.items():
        row = existing.get((unit_id, day, dimension, key))
        if row is None:
            new.append(UnitDayBreakdown(unit_id=unit_id, day=day, dimension=dimension, key=key, orders=n))
        else:
            row.orders += n
            changed.append(row)
    UnitDayBreakdown.objects.bulk_create(new, batch_size=1000)
    UnitDayBreakdown.objects.bulk_update(changed, ["orders"], batch_size=1000)


def feedback_counts(moments: Q | None, before: dt.datetime) -> dict[tuple[int, dt.date], dict]:
    """Callbacks and returns made before `before` (and in `moments`), by unit and local day.

    The conditions of `stats.callback_counts` and `return_counts`: orders that count, by the unit
    they count for now.
    """
    counts: dict[tuple[int, dt.date], dict] = defaultdict(lambda: dict.fromkeys(FEEDBACK_FIELDS, 0))
    scope = Q(order__unit__isnull=False, order__merged_into__isnull=True, created_at__lt=before)
    if moments is not None:
        scope &= moments
    callbacks = _by_day(
        Callback.objects.filter(scope).annotate(unit_id=F("order__unit_id")),
        "created_at",
        callbacks=Count("id"),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )
    returns = _by_day(
        Review.objects.filter(scope, decision=ReviewDecision.RETURNED).annotate(unit_id=F("order__unit_id")),
        "created_at",
        returned=Count("id"),
    )
    for row in callbacks + returns:
        key = (row.pop("unit_id"), row.pop("day"))
        for name, value in row.items():
            counts[key][name] += value or 0
    return counts


def _refill_feedback(old: dt.datetime | None, new: dt.datetime) -> int:
    """Fill the days from `old` to `new` and fill again the days touched since `old`.

    Each day is deleted and counted again whole, so a re-fill is idempotent.
    """
    if old is None:
        UnitDayFeedback.objects.all().delete()
        moments, days = None, None
    else:
        first, last = old.astimezone(bureau_tz()).date(), new.astimezone(bureau_tz()).date()
        days = {first + dt.timedelta(days=n) for n in range((last - first).days)}
        days |= {day for day in touched_days(old) if day < last}
        UnitDayFeedback.objects.filter(day__in=days).delete()
        moments = Q()
        for day in days:
            moments |= Q(created_at__gte=local_midnight(day), created_at__lt=local_midnight(day + dt.timedelta(days=1)))
    counts = feedback_counts(moments, new) if days is None or days else {}
    UnitDayFeedback.objects.bulk_create(
        [UnitDayFeedback(unit_id=unit_id, day=day, **values) for (unit_id, day), values in counts.items()],
        batch_size=1000,
    )
    return len(days) if days is not None else len({day for _unit, day in counts})


def _lock_state() -> RollupState | None:
    return RollupState.objects.select_for_update().filter(name=ROLLUP_NAME).first()


def rollup_fill(*, until: dt.datetime | None = None, now: dt.datetime | None = None) -> RollupState | None:
    """Add the orders settled since the last fill and move the boundary to `until`.

    `until` defaults to `rollup_target(now)`. Idempotent: a boundary already reached does
    nothing, so a retried or doubled task counts each order once. One transaction: the state row
    is locked first, so two workers serialise and the second finds the work done.
    """
    now = now or timezone.now()
    until = until or rollup_target(now)
    if until > now:
        raise ValueError("The roll-up cannot be filled past now.")
    with transaction.atomic():
        state = _lock_state()
        if state is None:
            # The first fill: make the row (a concurrent first fill fails on the unique name and
            # its task is retried, finding this one's work).
            RollupState.objects.create(name=ROLLUP_NAME, settled_before=until, filled_at=now, orders=0)
            state = _lock_state()
            old = None
        else:
            old = state.settled_before
            if until <= old:
                return state
        orders = newly_settled(old, until)
        counts = settled_counts(orders, until)
        _add_counts(counts)
        _add_breakdowns(settled_breakdowns(orders))
        _refill_feedback(old, until)
        added = sum(values["received"] for values in counts.values())
        state.settled_before = until
        state.filled_at = now
        state.orders += added
        state.save()
    logger.info("Roll-up filled to %s: %s orders added, %s held", until.isoformat(), added, state.orders)
    return state


def rollup_rebuild(*, until: dt.datetime | None = None, now: dt.datetime | None = None) -> RollupState:
    """Empty the roll-up and fill it again from every order (the backfill; also repairs it)."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_state()
        UnitDayCount.objects.all().delete()
        UnitDayBreakdown.objects.all().delete()
        UnitDayFeedback.objects.all().delete()
        RollupState.objects.filter(name=ROLLUP_NAME).delete()
        return rollup_fill(until=until, now=now)


def rollup_check() -> tuple[int, int] | None:
    """(orders the roll-up holds, settled orders in the orders table), or None if never filled."""
    state = RollupState.objects.filter(name=ROLLUP_NAME).first()
    if state is None:
        return None
    held = UnitDayCount.objects.aggregate(n=Sum("received"))["n"] or 0
    actual = counted_orders().filter(settled(state.settled_before)).count()
    return held, actual


def rollup_refresh(*, now: dt.datetime | None = None) -> RollupState | None:
    """The beat task's work: fill to the last midnight; after a new day, check and repair."""
    before = RollupState.objects.filter(name=ROLLUP_NAME).values_list("settled_before", flat=True).first()
    state = rollup_fill(now=now)
    if state is not None and before is not None and state.settled_before != before:
        check = rollup_check()
        if check is not None and check[0] != check[1]:
            logger.warning("Roll-up holds %s orders but %s are settled: rebuilding it", *check)
            state = rollup_rebuild(until=state.settled_before, now=now)
    return state
