"""The sweep: what has become due since the last run, found through indexed columns.

Each source is a window over one indexed column, remembered in a `SweepCursor`:

| window | column | fires |
|---|---|---|
| events | `OrderEvent.created_at` | the event-driven rules, early-warning timers |
| contact | `WorkOrder.contact_deadline` | contact_warning |
| handling | `WorkOrder.handling_deadline` | overdue (督办单) |
| early | `RuleTimer.due_at` | early_warning |
| notices | `Notice.respond_by` | escalation of unanswered notices |
| ladder:… | the clock's deadline column, shifted | the escalation ladder's steps (`supervision.ladder`) |

A run looks at (cursor − overlap, now] of each column, so its cost grows with what fell due since
the last run, not with the number of orders; after hours of downtime the window is hours wide and
everything that fell due meanwhile is raised, once. The overlap re-reads a little of the previous
window, for events committed a moment after the previous run read the log; what it finds again
is already recorded and stops at the `RuleFiring` check. A row another worker holds is skipped
and the cursor stays before it, so the next run takes it up.

The event window is also what makes a transition independent of Celery: the event listener only
*speeds up* the event-driven rules; when the broker is down the next sweep finds the events in the
log.

A deadline window sees an order's current deadlines only. What it can no longer see — the
deadlines of a round that a re-dispatch or reopen ended, a deadline an extension moved after it had
passed — the event window raises from the event that moved it (`missed_deadline_firings`). The
deadline windows also take the orders changed since their deadline passed (`updated_at`), whatever
their status now: `fire()` judges each by its state at the deadline (`supervision.history`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from tickets.models import UNIT_WORK_STATUSES, OrderEvent, Satisfaction, Status, WorkOrder

from .history import order_rounds
from .ladder import ladder_sweep
from .models import (
    AWAITING_RESPONSE_STATUSES,
    Notice,
    Rule,
    RuleFiring,
    RuleTimer,
    SupervisionPolicy,
    SweepCursor,
    SweepHeartbeat,
)
from .notifications import requeue_deliveries
from .rules import FireResult, Firing, fire, missed_deadline_firings, schedule_early_warning
from .services import notice_escalate

logger = logging.getLogger(__name__)

ROUND_ACTIONS = ("dispatch", "redispatch", "reopen")
EVENT_ACTIONS = (
    *ROUND_ACTIONS,
    "return",
    "approve",
    "callback",
    "reject_objection",
    "decide_extension",
    "merge",
    "instruct",
)
WINDOWS = ("events", "contact", "handling", "early", "notices")
BATCH = 500
EPSILON = dt.timedelta(microseconds=1)
ERROR = FireResult.ERROR


@dataclass
class SweepResult:
    counts: Counter = field(default_factory=Counter)
    more: bool = False
    seconds: float = 0.0

    def add(self, window: str, result: str) -> None:
        self.counts[f"{window}.{result}"] += 1

    @property
    def fired(self) -> int:
        return sum(v for k, v in self.counts.items() if k.endswith(".fired"))

    def summary(self) -> dict:
        return {"counts": dict(self.counts), "more": self.more, "seconds": round(self.seconds, 3)}


class _Budget:
    def __init__(self, seconds: float | None):
        self.until = time.monotonic() + seconds if seconds else None

    @property
    def exhausted(self) -> bool:
        return self.until is not None and time.monotonic() > self.until


# --- events ----------------------------------------------------------------------------------


def _round_of(event: OrderEvent) -> tuple[int, int | None]:
    """The dispatch round an event belongs to, and the unit of that round.

    The round starts with the latest dispatch/redispatch/reopen event up to this one; counting
    them gives the round number even when the event is processed long after the order moved on.
    """
    rounds = OrderEvent.objects.filter(order_id=event.order_id, id__lte=event.pk, action__in=ROUND_ACTIONS)
    latest = rounds.order_by("-id").values_list("payload", flat=True).first()
    cycle = (event.payload or {}).get("cycle") or rounds.count()
    unit_id = (latest or {}).get("unit") if latest else None
    return int(cycle), unit_id


def firings_for_event(event: OrderEvent, policy: SupervisionPolicy, now: dt.datetime) -> list[Firing]:
    """The rules an order event triggers (and the timers it sets)."""
    order = event.order
    action = event.action
    payload = event.payload or {}
    if action not in EVENT_ACTIONS:
        return []
    cycle, unit_id = _round_of(event)
    context = {"event_id": event.pk, "note": event.note}
    if unit_id:
        context["unit_id"] = unit_id
    firings: list[Firing] = []
    if action in ROUND_ACTIONS:
        firings.append(Firing(order.pk, Rule.DISPATCH_NOTICE, cycle, context=context))
        if action != "reopen":
            firings.append(Firing(order.pk, Rule.LEADER_INSTRUCTION, cycle, context=context))
            firings.append(Firing(order.pk, Rule.REPEAT_COMPLAINT, cycle, context=context))
            firings.extend(_merged_repeat_firings(order, unit_id))
        rounds = None
        if cycle > 1:
            # The previous round ended here, and its deadlines left the order's columns: what had
            # fallen due by then is judged as it was then (a worker may have been down).
            rounds = order_rounds(order)
            firings.extend(missed_deadline_firings(order, cycle - 1, policy, until=event.created_at, rounds=rounds))
        firings.extend(_timer_firings(order, cycle, policy, now, recompute=False, rounds=rounds))
    elif action == "return":
        occurrence = int(payload.get("return_count") or order.return_count or 1)
        firings.append(Firing(order.pk, Rule.REVIEW_RETURNED, cycle, occurrence=occurrence, context=context))
    elif action == "approve":
        firings.append(Firing(order.pk, Rule.UNRESOLVED, cycle, context=context))
    elif action == "merge" and not payload.get("via"):
        # The repeat is the citizen calling again, however the desk files it: a merged order is
        # judged as a dispatched one is, for the unit its primary was with (the event names it).
        # A child that follows its primary to a new primary ("via") was judged at its own merge.
        merge_context = {**context, "unit_id": payload.get("unit") or unit_id}
        if merge_context["unit_id"]:
            firings.append(Firing(order.pk, Rule.REPEAT_COMPLAINT, cycle, context=merge_context))
    elif action == "instruct" and payload.get("unit"):
        # An instruction recorded while a unit has the order: its own letter, numbered by the
        # instruction (a second instruction, a second letter; the same one retried, none).
        firings.append(
            Firing(
                order.pk,
                Rule.LEADER_INSTRUCTION,
                cycle,
                occurrence=int(payload.get("sequence") or 0),
                context={**context, "unit_id": payload["unit"], "instruction": _instruction_text(payload, event.note)},
            )
        )
    elif action == "callback" and payload.get("satisfaction") == Satisfaction.UNSATISFIED:
        firings.append(Firing(order.pk, Rule.CALLBACK_UNSATISFIED, cycle, context=context))
    elif action == "decide_extension" and payload.get("approved"):
        rounds = order_rounds(order)
        # A deadline that had passed before the approval was missed, though the columns now
        # show the new one.
        firings.extend(missed_deadline_firings(order, cycle, policy, until=event.created_at, rounds=rounds))
        firings.extend(_timer_firings(order, cycle, policy, now, recompute=True, rounds=rounds))
    elif action == "reject_objection":
        # The order is back with the unit; its clocks kept running while it was sent back, so a
        # deadline may have passed unseen by the windows.
        firings.extend(missed_deadline_firings(order, cycle, policy, until=now))
    return firings


def _instruction_text(payload: dict, note: str) -> str:
    text = payload.get("text") or note
    return f"{payload['instructor']}：{text}" if payload.get("instructor") else text


def _merged_repeat_firings(order: WorkOrder, unit_id: int | None) -> list[Firing]:
    """Repeats merged into this order before it was dispatched: judged now that it has a unit.

    A child judged already (at its own dispatch or merge) stops at its `RuleFiring`.
    """
    if not unit_id:
        return []
    children = WorkOrder.objects.filter(merged_into=order, status=Status.MERGED, unit__isnull=True)
    return [
        Firing(pk, Rule.REPEAT_COMPLAINT, cycle, context={"unit_id": unit_id})
        for pk, cycle in children.values_list("pk", "cycle")
    ]


def _timer_firings(order, cycle, policy, now, *, recompute: bool, rounds=None) -> list[Firing]:
    if not policy.early_warning_enabled:
        return []
    due = schedule_early_warning(order, cycle, policy=policy, recompute=recompute, rounds=rounds)
    if due is not None and due <= now:
        # Scheduled late (the sweep was down): the early window may be past it already.
        return [Firing(order.pk, Rule.EARLY_WARNING, cycle, due_at=due)]
    return []


def process_event(event_id: int, *, policy: SupervisionPolicy | None = None, now: dt.datetime | None = None) -> list:
    """Run the rules one order event triggers. Idempotent: safe from the listener and the sweep."""
    policy = policy or SupervisionPolicy.load()
    now = now or timezone.now()
    event = OrderEvent.objects.select_related("order").filter(pk=event_id).first()
    if event is None:
        return []
    return [fire(f, policy=policy, now=now) for f in firings_for_event(event, policy, now)]


# --- windows ---------------------------------------------------------------------------------


def _cursor(name: str, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime]:
    """(where the previous run stopped, the low end of this run's window)."""
    cursor, _created = SweepCursor.objects.get_or_create(name=name)
    if cursor.position is None:
        return None, now - dt.timedelta(days=settings.SUPERVISION_BACKFILL_DAYS)
    return cursor.position, cursor.position - dt.timedelta(seconds=settings.SUPERVISION_SWEEP_OVERLAP_SECONDS)


def _advance(name: str, position: dt.datetime, stats: dict) -> None:
    """Move the cursor forward, never back (two sweeps may finish in any order)."""
    SweepCursor.objects.filter(name=name).filter(Q(position__isnull=True) | Q(position__lt=position)).update(
        position=position, updated_at=timezone.now(), last_run=stats
    )


def _scan(qs: QuerySet, column: str, low: dt.datetime, high: dt.datetime) -> Iterator[tuple]:
    """Rows of `qs` with `column` in (low, high], in (column, pk) order, a page at a time.

    `qs` must be a values_list whose first two fields are pk and `column`.
    """
    last: tuple | None = None
    window = qs.filter(**{f"{column}__gt": low, f"{column}__lte": high}).order_by(column, "pk")
    while True:
        page = window
        if last is not None:
            page = page.filter(Q(**{f"{column}__gt": last[1]}) | Q(**{column: last[1], "pk__gt": last[0]}))
        rows = list(page[:BATCH])
        if not rows:
            return
        yield from rows
        last = (rows[-1][0], rows[-1][1])


def _run_window(name, qs, column, now, budget, result, handle, *, high=None) -> None:
    """Process one window; `handle(row)` returns the FireResults of a row."""
    high = high or now
    previous, low = _cursor(name, now)
    position = high
    held_back: dt.datetime | None = None
    counts: Counter = Counter()
    progressed = False
    out_of_time = False
    last_value = None
    for row in _scan(qs, column, low, high):
        # Stop for time only between rows with different due times (rows due at the same moment
        # are one group), and only after this run got past where the previous one stopped, so
        # even a tiny budget makes progress.
        if progressed and row[1] != last_value and budget.exhausted:
            out_of_time = True
            position = row[1] - EPSILON
            break
        try:
            outcomes = handle(row)
        except Exception:
            # One bad row must not stop the sweep; its transaction rolled back, and holding the
            # cursor before it means the next run tries again.
            logger.exception("Supervision sweep: %s window failed on %s", name, row)
            outcomes = [ERROR]
        last_value = row[1]
        progressed = progressed or previous is None or row[1] > previous
        for outcome in outcomes:
            counts[str(outcome)] += 1
            result.add(name, str(outcome))
            if outcome in (FireResult.LOCKED, FireResult.NOT_DUE, ERROR) and held_back is None:
                held_back = row[1]
    if held_back is not None:
        position = min(position, held_back - EPSILON)
    # Ask for an immediate continuation only when this run moved the cursor: a window held
    # behind a row that keeps failing would otherwise re-queue itself and spin on that row.
    # The next scheduled sweep retries the row.
    if out_of_time and (previous is None or position > previous):
        result.more = True
    _advance(name, position, {"at": now.isoformat(), "low": low.isoformat(), **counts})


def _events_window(policy, now, budget, result) -> None:
    qs = OrderEvent.objects.filter(action__in=EVENT_ACTIONS).values_list("pk", "created_at")
    _run_window(
        "events", qs, "created_at", now, budget, result, lambda row: process_event(row[0], policy=policy, now=now)
    )


def mark_swept(*, until: dt.datetime, windows: tuple[str, ...] = WINDOWS) -> None:
    """Take everything up to `until` as swept: the next run's windows start there (less the
    overlap) instead of SUPERVISION_BACKFILL_DAYS back, and nothing before it is raised. For a past
    that must stay the past, such as orders imported at go-live or the demo's history."""
    grace = dt.timedelta(minutes=SupervisionPolicy.load().contact_warning_grace_minutes)
    for name in windows:
        SweepCursor.objects.get_or_create(name=name)
        # The contact window runs over the deadline itself, `grace` behind the clock.
        _advance(name, until - grace if name == "contact" else until, {"marked_swept": until.isoformat()})


def _not_fired(rule: str) -> Exists:
    return Exists(RuleFiring.objects.filter(order_id=OuterRef("pk"), rule=rule, cycle=OuterRef("cycle")))


def _contact_window(policy, now, budget, result) -> None:
    if not policy.contact_warning_enabled:
        return _advance("contact", now, {"disabled": True})
    grace = dt.timedelta(minutes=policy.contact_warning_grace_minutes)
    # Still not contacted; or changed since the deadline passed (contacted late, sent back,
    # merged …): `fire()` judges those by the order as it was at the deadline.
    changed = Q(updated_at__gt=F("contact_deadline") + grace)
    qs = (
        WorkOrder.objects.filter(Q(status=Status.DISPATCHED) | changed)
        .filter(~_not_fired(Rule.CONTACT_WARNING))
        .values_list("pk", "contact_deadline", "cycle")
    )

    def handle(row):
        pk, deadline, cycle = row
        return [fire(Firing(pk, Rule.CONTACT_WARNING, cycle, due_at=deadline + grace), policy=policy, now=now)]

    # The window is over the deadline column itself, shifted by the grace period.
    _run_window("contact", qs, "contact_deadline", now, budget, result, handle, high=now - grace)


def _handling_window(policy, now, budget, result) -> None:
    if not policy.overdue_enabled:
        return _advance("handling", now, {"disabled": True})
    # The unit still owes the work; or the order changed since the deadline passed (reported
    # late, merged, sent back …): `fire()` judges those by the order as it was at the deadline.
    changed = Q(updated_at__gt=F("handling_deadline"))
    qs = (
        WorkOrder.objects.filter(Q(status__in=UNIT_WORK_STATUSES) | changed)
        .filter(~_not_fired(Rule.OVERDUE))
        .values_list("pk", "handling_deadline", "cycle")
    )

    def handle(row):
        pk, deadline, cycle = row
        return [fire(Firing(pk, Rule.OVERDUE, cycle, due_at=deadline), policy=policy, now=now)]

    _run_window("handling", qs, "handling_deadline", now, budget, result, handle)


def _early_window(policy, now, budget, result) -> None:
    if not policy.early_warning_enabled:
        return _advance("early", now, {"disabled": True})
    fired = RuleFiring.objects.filter(order_id=OuterRef("order_id"), rule=Rule.EARLY_WARNING, cycle=OuterRef("cycle"))
    qs = (
        RuleTimer.objects.filter(rule=Rule.EARLY_WARNING)
        .filter(~Exists(fired))
        .values_list("pk", "due_at", "order_id", "cycle")
    )

    def handle(row):
        _pk, due, order_id, cycle = row
        return [fire(Firing(order_id, Rule.EARLY_WARNING, cycle, due_at=due), policy=policy, now=now)]

    _run_window("early", qs, "due_at", now, budget, result, handle)


def _notices_window(policy, now, budget, result) -> None:
    qs = (
        Notice.objects.filter(escalated_at__isnull=True)
        .filter(Q(status__in=AWAITING_RESPONSE_STATUSES) | Q(responded_at__gt=F("respond_by")))
        .values_list("pk", "respond_by")
    )

    def handle(row):
        return ["fired" if notice_escalate(notice_id=row[0], now=now) else "already"]

    _run_window("notices", qs, "respond_by", now, budget, result, handle)


def run_sweep(*, now: dt.datetime | None = None, time_budget: float | None = None) -> SweepResult:
    """One pass over every window. Safe to run twice, or in two workers at once."""
    started = time.monotonic()
    now = now or timezone.now()
    policy = SupervisionPolicy.load()
    budget = _Budget(time_budget if time_budget is not None else settings.SUPERVISION_SWEEP_TIME_BUDGET)
    result = SweepResult()
    # Events first: they set the early-warning timers the early window reads.
    _events_window(policy, now, budget, result)
    _contact_window(policy, now, budget, result)
    _handling_window(policy, now, budget, result)
    _early_window(policy, now, budget, result)
    _notices_window(policy, now, budget, result)
    ladder_sweep(now=now, policy=policy, budget=budget, result=result, run_window=_run_window)
    requeue_deliveries(now=now)
    result.seconds = time.monotonic() - started
    record_completed_sweep(result)
    if result.fired or result.more:
        logger.info("Supervision sweep: %s", result.summary())
    return result


# --- the heartbeat: is enforcement running? ----------------------------------------------------


def record_completed_sweep(result: SweepResult) -> None:
    """Stamp the heartbeat: a sweep ran to the end just now. Never moves it back."""
    at = timezone.now()
    values = {"completed_at": at, "last_run": result.summary()}
    if not SweepHeartbeat.objects.filter(pk=1, completed_at__lt=at).update(**values):
        # The first sweep on this database; or another sweep stamped a later moment already, and
        # then this finds its row and changes nothing.
        SweepHeartbeat.objects.get_or_create(pk=1, defaults=values)


def last_sweep_completed_at() -> dt.datetime | None:
    """When a sweep last ran to the end; None if none ever did. One primary-key read."""
    return SweepHeartbeat.objects.filter(pk=1).values_list("completed_at", flat=True).first()


def sweep_stale(completed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether enforcement has stopped: no sweep finished within SUPERVISION_STALE_AFTER_SECONDS."""
    if completed_at is None:
        return True
    return (now - completed_at).total_seconds() > settings.SUPERVISION_STALE_AFTER_SECONDS
