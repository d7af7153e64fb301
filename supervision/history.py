"""What was true when: an order's dispatch rounds, reconstructed from its event log.

The timed rules (no contact, the 80 % warning, overdue) judge a deadline by the order as it was
at the moment the deadline passed, not as the sweep finds it: a worker that was down while the
deadline passed, and then the order was reported, sent back, merged, given an extension or
re-dispatched, must reach the same outcome as a worker that was running. The order's columns hold
only the current round and its latest deadline; the append-only event log holds the rest:

- every round's start (dispatch, redispatch, reopen) with its unit and deadlines (payload);
- every approved extension with the handling deadline it set (`decide_extension` payload);
- every status change with its time (`from_status` → `to_status`, `created_at`).

Reading it costs one indexed query on the order's events (`event_order_time_idx`), made only for
an order a rule is about to judge, so the sweep still costs what fell due, not what exists.

Orders with no events (loaded by bulk SQL, e.g. the benchmark) are judged from their columns as
before: the current round, with the status, contact and report times they carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_datetime

from tickets.models import OrderEvent, Status, WorkOrder

ROUND_ACTIONS = ("dispatch", "redispatch", "reopen")


@dataclass(frozen=True)
class Step:
    """One entry of a round's timeline: an event, or one made up from an order's columns."""

    action: str
    at: dt.datetime
    from_status: str
    to_status: str
    payload: dict[str, Any] = field(default_factory=dict)


def _when(value) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return parsed


@dataclass
class Round:
    """One dispatch round of an order: who had it, its deadlines and what happened, in order."""

    order_id: int
    cycle: int
    unit_id: int | None
    dispatched_at: dt.datetime
    contact_deadline: dt.datetime | None
    handling_deadline: dt.datetime | None  # as set when the round started
    # (approved at, the handling deadline it set), in the order they were approved.
    extensions: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # the round's start first
    ended_at: dt.datetime | None = None  # when the next round started

    def current_at(self, moment: dt.datetime) -> bool:
        """Whether this round was the order's round at `moment`."""
        return self.dispatched_at <= moment and (self.ended_at is None or moment < self.ended_at)

    def handling_deadline_at(self, moment: dt.datetime) -> dt.datetime | None:
        """The handling deadline in force at `moment` (extensions approved by then applied)."""
        deadline = self.handling_deadline
        for approved_at, extended in self.extensions:
            if approved_at > moment:
                break
            deadline = extended
        return deadline

    def handling_deadline_passed_at(self) -> dt.datetime | None:
        """The moment the round's handling deadline passed, as far as the log tells by now.

        An extension moves the deadline only if it was approved before the deadline in force
        passed; one approved after it does not undo the miss (a running worker had raised the
        督办单 already). The moment may still be in the future.
        """
        deadline = self.handling_deadline
        for approved_at, extended in self.extensions:
            if deadline is None or deadline <= approved_at:
                break
            deadline = extended
        return deadline

    def early_warning_at(self, percent: int, calendar=None) -> dt.datetime | None:
        """When `percent` of the round's handling time (working time) had passed, by the same
        rule: an extension approved before that moment moves it, one approved after does not."""
        due = early_warning_between(self.dispatched_at, self.handling_deadline, percent, calendar)
        for approved_at, extended in self.extensions:
            if due is None or due <= approved_at:
                break
            due = early_warning_between(self.dispatched_at, extended, percent, calendar)
        return due

    def status_at(self, moment: dt.datetime) -> str | None:
        """The order's status at `moment` (None before the round started)."""
        status = None
        for step in self.steps:
            if step.at > moment:
                break
            status = step.to_status
        return status

    def owed_at(self, moment: dt.datetime, statuses) -> bool | None:
        """Whether the unit owed the work at `moment`: the status then was one of `statuses`.

        A sent-back order (退单) is judged by how the objection ended: rejected, the order went
        back to the unit in the status it had, and the unit's clocks had kept running (True if
        that status is one of `statuses`); accepted (re-dispatched), the unit owed nothing.
        None while the objection is still undecided: ask again when it is.
        """
        status = self.status_at(moment)
        if status == Status.SENT_BACK:
            decision = next((s for s in self.steps if s.at > moment and s.from_status == Status.SENT_BACK), None)
            if decision is None:
                return False if self.ended_at is not None else None
            if decision.action != "reject_objection":
                return False
            status = decision.to_status
        return status in statuses

    def first_after(self, action: str, moment: dt.datetime) -> Step | None:
        """The round's first `action` after `moment` (e.g. the late report)."""
        return next((s for s in self.steps if s.action == action and s.at > moment), None)


def early_warning_between(
    dispatched_at: dt.datetime | None, deadline: dt.datetime | None, percent: int, calendar=None
) -> dt.datetime | None:
    """When `percent` of the working time from dispatch to the deadline has passed."""
    if dispatched_at is None or deadline is None:
        return None
    from tickets.workcalendar import WorkCalendar

    calendar = calendar or WorkCalendar()
    total = calendar.working_minutes_between(dispatched_at, deadline)
    due = calendar.add_working_minutes(dispatched_at, total * percent / 100)
    return min(due, deadline)


def _step(event: OrderEvent) -> Step:
    return Step(event.action, event.created_at, event.from_status, event.to_status, event.payload or {})


def rounds_from_events(order_id: int, events: list[OrderEvent]) -> list[Round]:
    """Split an order's events (oldest first) into its dispatch rounds."""
    rounds: list[Round] = []
    for event in events:
        payload = event.payload or {}
        if event.action in ROUND_ACTIONS:
            if rounds:
                rounds[-1].ended_at = event.created_at
            rounds.append(
                Round(
                    order_id=order_id,
                    cycle=int(payload.get("cycle") or len(rounds) + 1),
                    unit_id=payload.get("unit"),
                    dispatched_at=_when(payload.get("dispatched_at")) or event.created_at,
                    contact_deadline=_when(payload.get("contact_deadline")),
                    handling_deadline=_when(payload.get("handling_deadline")),
                    steps=[_step(event)],
                )
            )
        elif rounds:
            rounds[-1].steps.append(_step(event))
            if event.action == "decide_extension" and payload.get("approved"):
                deadline = _when(payload.get("handling_deadline"))
                if deadline is not None:
                    rounds[-1].extensions.append((event.created_at, deadline))
    return rounds


def _round_from_columns(order: WorkOrder) -> Round | None:
    """The current round as the order's columns tell it (an order with no events)."""
    if order.dispatched_at is None:
        return None
    steps = [Step("dispatch", order.dispatched_at, Status.RECEIVED, Status.DISPATCHED)]
    if order.contacted_at is not None:
        steps.append(Step("contact", order.contacted_at, Status.DISPATCHED, Status.CONTACTED))
    if order.reported_at is not None:
        steps.append(Step("report", order.reported_at, steps[-1].to_status, Status.REPORTED))
    if order.status != steps[-1].to_status:
        # When it got there is unknown; no later than now, no earlier than the last known step.
        at = max(order.updated_at or steps[-1].at, steps[-1].at)
        steps.append(Step("status", at, steps[-1].to_status, order.status))
    return Round(
        order_id=order.pk,
        cycle=order.cycle,
        unit_id=order.unit_id,
        dispatched_at=order.dispatched_at,
        contact_deadline=order.contact_deadline,
        handling_deadline=order.handling_deadline,
        steps=steps,
    )


def order_rounds(order: WorkOrder) -> list[Round]:
    """Every dispatch round of the order, oldest first, from its event log."""
    events = list(OrderEvent.objects.filter(order_id=order.pk).order_by("created_at", "id"))
    rounds = rounds_from_events(order.pk, events)
    if not rounds:
        fallback = _round_from_columns(order)
        return [fallback] if fallback is not None else []
    return rounds


def round_of(order: WorkOrder, cycle: int, rounds: list[Round] | None = None) -> Round | None:
    """The order's round `cycle`, or None if the log has no such round."""
    for candidate in rounds if rounds is not None else order_rounds(order):
        if candidate.cycle == cycle:
            return candidate
    return None
