"""转办 and its corrections: dispatch, redispatch (改派), send back (退单), objection review, assigning an officer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stations.models import Unit

from .. import workflow
from ..exceptions import MSG_OFFICER_NOT_IN_UNIT, MSG_REASON_REQUIRED, MSG_SAME_UNIT, InvalidInput
from ..models import Objection, RequestStatus, Status, WorkOrder
from .common import cancel_pending_extension, lock_order, record_event, start_round, validate_dispatch_unit


@transaction.atomic
def order_dispatch(
    *, order: WorkOrder, unit: Unit, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """转办: send a received order to the responsible station or department."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "dispatch")
    unit = validate_dispatch_unit(unit)
    from_status = order.status
    payload = start_round(order, unit, timezone.now())
    record_event(order, action="dispatch", actor=acting_user, from_status=from_status, note=note, payload=payload)
    return order


@transaction.atomic
def order_redispatch(
    *, order: WorkOrder, unit: Unit, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """改派: move the order to another unit. On a sent-back order this accepts the objection."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "redispatch")
    unit = validate_dispatch_unit(unit)
    if unit.pk == order.unit_id:
        raise InvalidInput(MSG_SAME_UNIT, field_errors={"unit": MSG_SAME_UNIT})
    now = timezone.now()
    from_status = order.status
    previous_unit = order.unit
    Objection.objects.filter(order=order, status=RequestStatus.PENDING).update(
        status=RequestStatus.APPROVED, decided_by=acting_user, decided_at=now, decision_note=note
    )
    cancel_pending_extension(order, acting_user, str(workflow.action_label("redispatch")))
    order.officer = None
    payload = start_round(order, unit, now)
    payload["previous_unit"] = previous_unit.pk if previous_unit else None
    record_event(order, action="redispatch", actor=acting_user, from_status=from_status, note=note, payload=payload)
    return order


@transaction.atomic
def order_send_back(*, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None) -> WorkOrder:
    """退单: the unit objects that the order is not theirs; the dispatcher reviews it."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "send_back")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    from_status = order.status
    Objection.objects.create(
        order=order,
        unit=order.unit,
        raised_by=acting_user,
        reason=reason.strip(),
        previous_status=from_status,
    )
    order.status = Status.SENT_BACK
    record_event(order, action="send_back", actor=acting_user, from_status=from_status, note=reason.strip())
    return order


@transaction.atomic
def order_reject_objection(
    *, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """派单异议审核 — rejected: the order stays with the unit, in the state it was in."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "reject_objection")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    objection = Objection.objects.get(order=order, status=RequestStatus.PENDING)
    objection.status = RequestStatus.REJECTED
    objection.decided_by = acting_user
    objection.decided_at = timezone.now()
    objection.decision_note = reason.strip()
    objection.save()
    from_status = order.status
    order.status = objection.previous_status
    record_event(
        order,
        action="reject_objection",
        actor=acting_user,
        from_status=from_status,
        note=reason.strip(),
        payload={"objection": objection.pk},
    )
    return order


@transaction.atomic
def order_assign(*, order: WorkOrder, acting_user, officer, expected_version: int | None = None) -> WorkOrder:
    """The unit head names the officer responsible for the order."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "assign")
    if officer is None or officer.unit_id != order.unit_id or not officer.works_in_unit:
        raise InvalidInput(MSG_OFFICER_NOT_IN_UNIT, field_errors={"officer": MSG_OFFICER_NOT_IN_UNIT})
    order.officer = officer
    record_event(
        order,
        action="assign",
        actor=acting_user,
        from_status=order.status,
        payload={"officer": officer.pk, "officer_name": officer.display_name},
    )
    return order
