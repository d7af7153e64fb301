"""The unit's work: signing for the order (签收), contact within the hour (联系) and the reported result (上报)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..exceptions import MSG_CONTACT_BEFORE_DISPATCH, MSG_NOT_IN_FUTURE, MSG_UNRESOLVED_REASON_REQUIRED, InvalidInput
from ..models import ContactMethod, ContactRecord, Outcome, Report, Status, WorkOrder
from .common import CLOCK_SKEW, iso, lock_order, record_event, require_choice, require_fields


@transaction.atomic
def order_sign(*, order: WorkOrder, acting_user, note: str = "", expected_version: int | None = None) -> WorkOrder:
    """签收: the unit takes the dispatched order (who, when). The platform's first step.

    Optional: a contact without it signs the order at the contact time (`order_contact`).
    """
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "sign")
    now = timezone.now()
    order.signed_at = now
    order.signed_by = acting_user
    record_event(
        order,
        action="sign",
        actor=acting_user,
        from_status=order.status,
        note=note.strip(),
        payload={"signed_at": iso(now)},
    )
    return order


@transaction.atomic
def order_contact(
    *,
    order: WorkOrder,
    acting_user,
    method: str,
    note: str,
    contacted_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """联系: the officer talked with the citizen (within an hour of dispatch)."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "contact")
    require_choice("method", method, ContactMethod)
    require_fields(note=note)
    now = timezone.now()
    contacted_at = contacted_at or now
    if contacted_at > now + CLOCK_SKEW:
        raise InvalidInput(MSG_NOT_IN_FUTURE, field_errors={"contacted_at": MSG_NOT_IN_FUTURE})
    if order.dispatched_at and contacted_at < order.dispatched_at:
        raise InvalidInput(MSG_CONTACT_BEFORE_DISPATCH, field_errors={"contacted_at": MSG_CONTACT_BEFORE_DISPATCH})
    ContactRecord.objects.create(
        order=order,
        officer=acting_user,
        method=method,
        contacted_at=contacted_at,
        note=note.strip(),
        cycle=order.cycle,
    )
    from_status = order.status
    order.status = Status.CONTACTED
    order.contacted_at = contacted_at
    if order.officer_id is None:
        order.officer = acting_user
    payload = {"method": method, "contacted_at": iso(contacted_at)}
    if order.signed_at is None:
        # Signing is implied by the contact: the contacting officer took the order then. The
        # contact event says so (no second event), and the platform still hears "signed" first.
        order.signed_at = min(contacted_at, now)
        order.signed_by = acting_user
        payload["implied_sign"] = True
    payload["signed_at"] = iso(order.signed_at)
    record_event(
        order,
        action="contact",
        actor=acting_user,
        from_status=from_status,
        note=note.strip(),
        payload=payload,
    )
    return order


@transaction.atomic
def order_report(
    *,
    order: WorkOrder,
    acting_user,
    outcome: str,
    text: str,
    unresolved_reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """上报: the unit reports what it did and the outcome."""
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "report")
    require_choice("outcome", outcome, Outcome)
    require_fields(text=text)
    if outcome != Outcome.RESOLVED and not unresolved_reason.strip():
        raise InvalidInput(
            MSG_UNRESOLVED_REASON_REQUIRED,
            field_errors={"unresolved_reason": MSG_UNRESOLVED_REASON_REQUIRED},
        )
    Report.objects.create(
        order=order,
        author=acting_user,
        outcome=outcome,
        text=text.strip(),
        unresolved_reason=unresolved_reason.strip() if outcome != Outcome.RESOLVED else "",
        cycle=order.cycle,
    )
    from_status = order.status
    order.status = Status.REPORTED
    order.reported_at = timezone.now()
    order.outcome = outcome
    if order.officer_id is None:
        order.officer = acting_user
    record_event(
        order,
        action="report",
        actor=acting_user,
        from_status=from_status,
        note=text.strip(),
        payload={"outcome": outcome, "unresolved_reason": unresolved_reason.strip()},
    )
    return order
