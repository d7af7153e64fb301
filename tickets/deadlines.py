"""Contact and handling deadlines of a dispatched order, from the admin-editable policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import HandlingType, TimeLimitPolicy
from .workcalendar import WorkCalendar, working_day_minutes

# Used when an administrator has deleted a policy row: the limits the bureau publishes.
DEFAULT_POLICY = {
    HandlingType.CONSULTATION: (60, Decimal("0.5")),
    HandlingType.ENFORCEMENT: (60, Decimal("1")),
    HandlingType.SERVICE: (60, Decimal("1")),
}


@dataclass(frozen=True)
class Deadlines:
    contact: dt.datetime
    handling: dt.datetime
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> str:
        return " ".join(self.warnings)


def policy_for(handling_type: str) -> tuple[int, Decimal]:
    """(contact minutes, handling working days) for a handling type."""
    policy = TimeLimitPolicy.objects.filter(handling_type=handling_type).first()
    if policy is None:
        return DEFAULT_POLICY[HandlingType(handling_type)]
    return policy.contact_minutes, policy.handling_working_days


def handling_deadline(
    handling_type: str, start: dt.datetime, calendar: WorkCalendar | None = None
) -> tuple[dt.datetime, tuple[str, ...]]:
    """When an order of `handling_type` dispatched at `start` must be handled, and any warning."""
    calendar = calendar or WorkCalendar()
    _contact, days = policy_for(handling_type)
    due = calendar.add_working_minutes(start, float(days) * working_day_minutes())
    return due, tuple(calendar.warnings)


def compute_deadlines(handling_type: str, dispatched_at: dt.datetime) -> Deadlines:
    contact_minutes, _days = policy_for(handling_type)
    due, warnings = handling_deadline(handling_type, dispatched_at)
    return Deadlines(
        contact=dispatched_at + dt.timedelta(minutes=contact_minutes),
        handling=due,
        warnings=warnings,
    )
