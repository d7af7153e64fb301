"""What every transition shares: locking the row, recording the event, validating input, starting a dispatch round."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from stations.models import Unit

from ..deadlines import compute_deadlines
from ..events import event_written, publish
from ..exceptions import (
    MSG_INVALID_CHOICE,
    MSG_REQUIRED,
    MSG_STALE,
    MSG_UNIT_CANNOT_HANDLE,
    MSG_UNIT_INACTIVE,
    InvalidInput,
    StaleVersion,
)
from ..models import ExtensionRequest, OrderEvent, RequestStatus, Status, WorkOrder

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{2,28}$")


# Clocks of other systems drift; a received time this far ahead of ours is still accepted.
CLOCK_SKEW = dt.timedelta(minutes=5)


def require_fields(**fields: Any) -> None:
    errors = {name: MSG_REQUIRED for name, value in fields.items() if not str(value or "").strip()}
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)


def require_choice(field: str, value: str, choices) -> str:
    if not value:
        raise InvalidInput(MSG_REQUIRED, field_errors={field: MSG_REQUIRED})
    if value not in choices.values:
        message = MSG_INVALID_CHOICE % {"value": value}
        raise InvalidInput(message, field_errors={field: message})
    return value


def lock_order(order: WorkOrder | int, expected_version: int | None) -> WorkOrder:
    """Lock the order's row for this transaction and check the caller saw its latest version."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    locked = WorkOrder.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(MSG_STALE % {"current": locked.version})
    return locked


def record_event(
    order: WorkOrder,
    *,
    action: str,
    actor,
    from_status: str,
    note: str = "",
    payload: dict | None = None,
) -> OrderEvent:
    """Save the order (bumping its version) and append the event, in the caller's transaction."""
    order.version += 1
    order.save()
    event = OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=from_status,
        to_status=order.status,
        actor=actor,
        note=note,
        payload=payload or {},
    )
    # In this transaction: the connector's outbox and feed rows commit with the change or not at all.
    event_written(event)
    # Robust: the change is committed by then; a failing hook is logged, never the caller's error.
    transaction.on_commit(lambda: publish(event.pk), robust=True)
    return event


def iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def start_round(order: WorkOrder, unit: Unit, now: dt.datetime) -> dict:
    """A new dispatch round: the unit's clocks start now."""
    deadlines = compute_deadlines(order.handling_type, now)
    order.unit = unit
    order.status = Status.DISPATCHED
    order.dispatched_at = now
    order.cycle += 1
    order.signed_at = None
    order.signed_by = None
    order.contacted_at = None
    order.reported_at = None
    order.reviewed_at = None
    order.contact_deadline = deadlines.contact
    order.handling_deadline = deadlines.handling
    order.deadline_warning = deadlines.warning[:200]
    return {
        "unit": unit.pk,
        "unit_name": unit.name,
        "cycle": order.cycle,
        # The round's clocks start here; the supervision rules read past rounds from the log.
        "dispatched_at": iso(now),
        "contact_deadline": iso(deadlines.contact),
        "handling_deadline": iso(deadlines.handling),
        "warnings": list(deadlines.warnings),
    }


def validate_dispatch_unit(unit: Unit | None) -> Unit:
    if unit is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"unit": MSG_REQUIRED})
    if not unit.handles_orders:
        raise InvalidInput(MSG_UNIT_CANNOT_HANDLE, field_errors={"unit": MSG_UNIT_CANNOT_HANDLE})
    if not unit.is_active:
        raise InvalidInput(MSG_UNIT_INACTIVE, field_errors={"unit": MSG_UNIT_INACTIVE})
    return unit


def cancel_pending_extension(order: WorkOrder, actor, why: str) -> None:
    now = timezone.now()
    ExtensionRequest.objects.filter(order=order, status=RequestStatus.PENDING).update(
        status=RequestStatus.REJECTED, decided_by=actor, decided_at=now, decision_note=why
    )
