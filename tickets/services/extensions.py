"""延期: a unit asks for more time, the dispatch desk decides."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..exceptions import MSG_EXTENSION_NOT_LATER, MSG_REASON_REQUIRED, MSG_REQUIRED, InvalidInput
from ..models import ExtensionRequest, RequestStatus, WorkOrder
from .common import iso, lock_order, record_event


@transaction.atomic
def order_request_extension(
    *,
    order: WorkOrder,
    acting_user,
    reason: str,
    requested_until: dt.datetime,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期申请: the unit asks for a later handling deadline."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "request_extension")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    if requested_until is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"requested_until": MSG_REQUIRED})
    if timezone.is_naive(requested_until):
        requested_until = timezone.make_aware(requested_until)
    floor = max(filter(None, [order.handling_deadline, timezone.now()]))
    if requested_until <= floor:
        raise InvalidInput(MSG_EXTENSION_NOT_LATER, field_errors={"requested_until": MSG_EXTENSION_NOT_LATER})
    extension = ExtensionRequest.objects.create(
        order=order,
        requested_by=acting_user,
        reason=reason.strip(),
        requested_until=requested_until,
        previous_deadline=order.handling_deadline,
    )
    record_event(
        order,
        action="request_extension",
        actor=acting_user,
        from_status=order.status,
        note=reason.strip(),
        payload={"extension": extension.pk, "requested_until": iso(requested_until)},
    )
    return extension


@transaction.atomic
def order_decide_extension(
    *, order: WorkOrder, acting_user, approve: bool, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """The dispatcher approves (the handling deadline moves) or rejects an extension request."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "decide_extension")
    if not approve and not note.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"note": MSG_REASON_REQUIRED})
    extension = ExtensionRequest.objects.select_for_update().get(order=order, status=RequestStatus.PENDING)
    extension.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save()
    if approve:
        order.handling_deadline = extension.requested_until
        order.deadline_warning = ""
    record_event(
        order,
        action="decide_extension",
        actor=acting_user,
        from_status=order.status,
        note=note.strip(),
        payload={
            "extension": extension.pk,
            "approved": approve,
            "handling_deadline": iso(order.handling_deadline),
        },
    )
    return order
