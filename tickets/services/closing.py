"""回访 and 办结: the callback, closing, reopening."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..exceptions import MSG_BULK_CLOSE_NEEDS_SATISFIED, MSG_REASON_REQUIRED, InvalidInput, WorkflowError
from ..models import Callback, Satisfaction, Status, WorkOrder
from .common import lock_order, record_event, require_choice, start_round

# Callbacks a bulk close may close; an unsatisfied one is closed or reopened one at a time.
SATISFIED_ENOUGH = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


@transaction.atomic
def order_callback(
    *,
    order: WorkOrder,
    acting_user,
    satisfaction: str,
    citizen_words: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """回访: the citizen was called back and rated the handling."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "callback")
    require_choice("satisfaction", satisfaction, Satisfaction)
    Callback.objects.create(
        order=order,
        caller=acting_user,
        satisfaction=satisfaction,
        citizen_words=citizen_words.strip(),
        cycle=order.cycle,
    )
    from_status = order.status
    order.status = Status.CALLBACK_DONE
    order.callback_at = timezone.now()
    order.satisfaction = satisfaction
    record_event(
        order,
        action="callback",
        actor=acting_user,
        from_status=from_status,
        note=citizen_words.strip(),
        payload={"satisfaction": satisfaction},
    )
    return order


@transaction.atomic
def order_close(*, order: WorkOrder, acting_user, note: str = "", expected_version: int | None = None) -> WorkOrder:
    """办结: the loop is closed. Orders merged into this one close with it."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "close")
    now = timezone.now()
    from_status = order.status
    order.status = Status.CLOSED
    order.closed_at = now
    record_event(order, action="close", actor=acting_user, from_status=from_status, note=note.strip())
    for child in WorkOrder.objects.select_for_update().filter(merged_into=order, status=Status.MERGED):
        child.status = Status.CLOSED
        child.closed_at = now
        record_event(
            child,
            action="closed_with_primary",
            actor=acting_user,
            from_status=Status.MERGED,
            payload={"primary": order.pk, "primary_number": order.number},
        )
    return order


@transaction.atomic
def order_reopen(*, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None) -> WorkOrder:
    """重办: an unsatisfied callback sends the order back to the same unit for a new round."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "reopen")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    from_status = order.status
    order.reopen_count += 1
    order.satisfaction = ""
    order.outcome = ""
    payload = start_round(order, order.unit, timezone.now())
    payload["reopen_count"] = order.reopen_count
    record_event(
        order, action="reopen", actor=acting_user, from_status=from_status, note=reason.strip(), payload=payload
    )
    return order


@dataclass
class BulkCloseResult:
    closed: list[WorkOrder] = field(default_factory=list)
    # (order, why it was left open): not satisfied, moved on meanwhile, not this user's to close.
    refused: list[tuple[WorkOrder, str]] = field(default_factory=list)


def orders_close_satisfied(*, orders: Iterable[WorkOrder], acting_user, note: str = "") -> BulkCloseResult:
    """办结 many called-back orders at once, the desk's end-of-shift sweep of satisfied callbacks.

    Each order goes through `order_close` on its own (its own lock, transition check and event),
    so one refused order (an unsatisfied callback, which needs a decision of its own, or one that
    somebody else moved meanwhile) leaves the others closed and is reported back.
    """
    result = BulkCloseResult()
    for order in orders:
        if order.satisfaction not in SATISFIED_ENOUGH:
            result.refused.append((order, str(MSG_BULK_CLOSE_NEEDS_SATISFIED)))
            continue
        try:
            result.closed.append(order_close(order=order, acting_user=acting_user, note=note))
        except WorkflowError as exc:
            result.refused.append((order, str(exc)))
    return result
