"""审核: a reviewer approves the reported result or returns it for rework."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..exceptions import MSG_REASON_REQUIRED, InvalidInput
from ..models import Report, Review, ReviewDecision, Status, WorkOrder
from ..workcalendar import WorkCalendar
from .common import lock_order, record_event


def _latest_report(order: WorkOrder) -> Report:
    return order.reports.order_by("-created_at", "-id").first()


@transaction.atomic
def order_approve(*, order: WorkOrder, acting_user, note: str = "", expected_version: int | None = None) -> WorkOrder:
    """审核通过: a reviewer accepts the reported result."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "approve")
    Review.objects.create(
        order=order,
        report=_latest_report(order),
        reviewer=acting_user,
        decision=ReviewDecision.APPROVED,
        reason=note.strip(),
    )
    from_status = order.status
    order.status = Status.APPROVED
    order.reviewed_at = timezone.now()
    if order.dispatched_at and order.reported_at:
        order.handling_minutes = round(
            WorkCalendar().working_minutes_between(order.dispatched_at, order.reported_at), 1
        )
    record_event(order, action="approve", actor=acting_user, from_status=from_status, note=note.strip())
    return order


@transaction.atomic
def order_return(*, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None) -> WorkOrder:
    """退回: a reviewer sends the result back to the unit to redo and report again."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "return")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    Review.objects.create(
        order=order,
        report=_latest_report(order),
        reviewer=acting_user,
        decision=ReviewDecision.RETURNED,
        reason=reason.strip(),
    )
    from_status = order.status
    order.status = Status.RETURNED
    order.reviewed_at = timezone.now()
    order.return_count += 1
    record_event(
        order,
        action="return",
        actor=acting_user,
        from_status=from_status,
        note=reason.strip(),
        payload={"return_count": order.return_count},
    )
    return order
