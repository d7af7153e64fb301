"""Writes on work orders: intake and every transition of the loop.

Each transition: lock the row (`select_for_update`) inside `transaction.atomic()`, check the
optimistic version if the caller gave one, check the transition table (`workflow.check`),
validate the input, write, append an `OrderEvent`, and tell listeners after commit. A refused
action raises a `WorkflowError` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from stations.models import Unit

from . import workflow
from .deadlines import compute_deadlines
from .events import publish
from .exceptions import (
    MSG_CONTACT_BEFORE_DISPATCH,
    MSG_EXTENSION_NOT_LATER,
    MSG_INVALID_CHOICE,
    MSG_INVALID_PHONE,
    MSG_LEADER_INSTRUCTION_REQUIRED,
    MSG_MERGE_PRIMARY_CLOSED,
    MSG_MERGE_SELF,
    MSG_NOT_IN_FUTURE,
    MSG_OFFICER_NOT_IN_UNIT,
    MSG_REASON_REQUIRED,
    MSG_REQUIRED,
    MSG_ROLE_NOT_ALLOWED,
    MSG_SAME_UNIT,
    MSG_STALE,
    MSG_UNIT_CANNOT_HANDLE,
    MSG_UNIT_INACTIVE,
    MSG_UNRESOLVED_REASON_REQUIRED,
    InvalidInput,
    NotPermitted,
    StaleVersion,
)
from .models import (
    Callback,
    Channel,
    ContactMethod,
    ContactRecord,
    Counter,
    ExtensionRequest,
    HandlingType,
    Nature,
    Objection,
    OrderEvent,
    Outcome,
    Report,
    RequestStatus,
    Review,
    ReviewDecision,
    Satisfaction,
    Status,
    Topic,
    Urgency,
    WorkOrder,
)
from .workcalendar import WorkCalendar

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{2,28}$")
# Clocks of other systems drift; a received time this far ahead of ours is still accepted.
CLOCK_SKEW = dt.timedelta(minutes=5)


# --- helpers -------------------------------------------------------------------------------


def next_counter(key: str) -> int:
    """The next value of a named sequence. Safe under concurrency: the row is locked."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(key=key).value


def _next_order_number(now: dt.datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    seq = next_counter(f"order:{day}")
    return f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}{seq:04d}"


def _require(**fields: Any) -> None:
    errors = {name: MSG_REQUIRED for name, value in fields.items() if not str(value or "").strip()}
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)


def _choice(field: str, value: str, choices) -> str:
    if not value:
        raise InvalidInput(MSG_REQUIRED, field_errors={field: MSG_REQUIRED})
    if value not in choices.values:
        message = MSG_INVALID_CHOICE % {"value": value}
        raise InvalidInput(message, field_errors={field: message})
    return value


def _lock(order: WorkOrder | int, expected_version: int | None) -> WorkOrder:
    """Lock the order's row for this transaction and check the caller saw its latest version."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    locked = WorkOrder.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(MSG_STALE % {"current": locked.version})
    return locked


def _record(
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
    transaction.on_commit(lambda: publish(event.pk))
    return event


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _start_round(order: WorkOrder, unit: Unit, now: dt.datetime) -> dict:
    """A new dispatch round: the unit's clocks start now."""
    deadlines = compute_deadlines(order.handling_type, now)
    order.unit = unit
    order.status = Status.DISPATCHED
    order.dispatched_at = now
    order.cycle += 1
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
        "contact_deadline": _iso(deadlines.contact),
        "handling_deadline": _iso(deadlines.handling),
        "warnings": list(deadlines.warnings),
    }


def _validate_dispatch_unit(unit: Unit | None) -> Unit:
    if unit is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"unit": MSG_REQUIRED})
    if not unit.handles_orders:
        raise InvalidInput(MSG_UNIT_CANNOT_HANDLE, field_errors={"unit": MSG_UNIT_CANNOT_HANDLE})
    if not unit.is_active:
        raise InvalidInput(MSG_UNIT_INACTIVE, field_errors={"unit": MSG_UNIT_INACTIVE})
    return unit


def _cancel_pending_extension(order: WorkOrder, actor, why: str) -> None:
    now = timezone.now()
    ExtensionRequest.objects.filter(order=order, status=RequestStatus.PENDING).update(
        status=RequestStatus.REJECTED, decided_by=actor, decided_at=now, decision_note=why
    )


# --- intake --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeResult:
    order: WorkOrder
    created: bool


def order_intake(
    *,
    channel: str,
    caller_name: str,
    caller_phone: str,
    content: str,
    nature: str,
    handling_type: str,
    topic: Topic,
    address: str = "",
    received_at: dt.datetime | None = None,
    urgency: str = Urgency.NORMAL,
    confidential: bool = False,
    leader_instructed: bool = False,
    leader_instruction: str = "",
    platform_number: str | None = None,
    acting_user=None,
) -> IntakeResult:
    """接单: register a work order.

    Idempotent on the 12345 platform's order number: pushing the same number again, a second
    or a week later, returns the existing order with `created=False` and changes nothing.
    """
    # A person (or a REST client's user) registers orders only at the dispatch desk; demo data
    # and imports pass no user. Checked first, so a refused user learns nothing of existing orders.
    if acting_user is not None and acting_user.role not in workflow.DISPATCH_DESK:
        raise NotPermitted(MSG_ROLE_NOT_ALLOWED % {"action": workflow.action_label("intake")})
    platform_number = (platform_number or "").strip() or None
    if platform_number:
        existing = WorkOrder.objects.filter(platform_number=platform_number).first()
        if existing is not None:
            return IntakeResult(existing, False)

    _require(caller_name=caller_name, caller_phone=caller_phone, content=content)
    _choice("channel", channel, Channel)
    _choice("nature", nature, Nature)
    _choice("handling_type", handling_type, HandlingType)
    _choice("urgency", urgency, Urgency)
    if topic is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"topic": MSG_REQUIRED})
    caller_phone = caller_phone.strip()
    if not PHONE_RE.match(caller_phone):
        raise InvalidInput(MSG_INVALID_PHONE, field_errors={"caller_phone": MSG_INVALID_PHONE})
    if leader_instructed and not leader_instruction.strip():
        raise InvalidInput(
            MSG_LEADER_INSTRUCTION_REQUIRED,
            field_errors={"leader_instruction": MSG_LEADER_INSTRUCTION_REQUIRED},
        )
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + CLOCK_SKEW:
        raise InvalidInput(MSG_NOT_IN_FUTURE, field_errors={"received_at": MSG_NOT_IN_FUTURE})

    try:
        with transaction.atomic():
            order = WorkOrder.objects.create(
                number=_next_order_number(now),
                platform_number=platform_number,
                channel=channel,
                received_at=received_at,
                caller_name=caller_name.strip(),
                caller_phone=caller_phone,
                address=address.strip(),
                content=content.strip(),
                nature=nature,
                handling_type=handling_type,
                topic=topic,
                urgency=urgency,
                confidential=confidential,
                leader_instructed=leader_instructed,
                leader_instruction=leader_instruction.strip() if leader_instructed else "",
            )
            _event = OrderEvent.objects.create(
                order=order,
                action="intake",
                from_status="",
                to_status=order.status,
                actor=acting_user,
                payload={"channel": channel, "platform_number": platform_number},
            )
            transaction.on_commit(lambda: publish(_event.pk))
    except IntegrityError:
        # The same platform order was pushed twice at the same moment: the other push won.
        if platform_number:
            existing = WorkOrder.objects.filter(platform_number=platform_number).first()
            if existing is not None:
                return IntakeResult(existing, False)
        raise
    return IntakeResult(order, True)


# --- dispatch ------------------------------------------------------------------------------


@transaction.atomic
def order_dispatch(
    *, order: WorkOrder, unit: Unit, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """转办: send a received order to the responsible station or department."""
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "dispatch")
    unit = _validate_dispatch_unit(unit)
    from_status = order.status
    payload = _start_round(order, unit, timezone.now())
    _record(order, action="dispatch", actor=acting_user, from_status=from_status, note=note, payload=payload)
    return order


@transaction.atomic
def order_redispatch(
    *, order: WorkOrder, unit: Unit, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """改派: move the order to another unit. On a sent-back order this accepts the objection."""
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "redispatch")
    unit = _validate_dispatch_unit(unit)
    if unit.pk == order.unit_id:
        raise InvalidInput(MSG_SAME_UNIT, field_errors={"unit": MSG_SAME_UNIT})
    now = timezone.now()
    from_status = order.status
    previous_unit = order.unit
    Objection.objects.filter(order=order, status=RequestStatus.PENDING).update(
        status=RequestStatus.APPROVED, decided_by=acting_user, decided_at=now, decision_note=note
    )
    _cancel_pending_extension(order, acting_user, str(workflow.action_label("redispatch")))
    order.officer = None
    payload = _start_round(order, unit, now)
    payload["previous_unit"] = previous_unit.pk if previous_unit else None
    _record(order, action="redispatch", actor=acting_user, from_status=from_status, note=note, payload=payload)
    return order


# --- the unit's work -----------------------------------------------------------------------


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
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "contact")
    _choice("method", method, ContactMethod)
    _require(note=note)
    now = timezone.now()
    contacted_at = contacted_at or now
    if contacted_at > now + CLOCK_SKEW:
        raise InvalidInput(MSG_NOT_IN_FUTURE, field_errors={"contacted_at": MSG_NOT_IN_FUTURE})
    if order.dispatched_at and contacted_at < order.dispatched_at:
        raise InvalidInput(
            MSG_CONTACT_BEFORE_DISPATCH, field_errors={"contacted_at": MSG_CONTACT_BEFORE_DISPATCH}
        )
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
    _record(
        order,
        action="contact",
        actor=acting_user,
        from_status=from_status,
        note=note.strip(),
        payload={"method": method, "contacted_at": _iso(contacted_at)},
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
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "report")
    _choice("outcome", outcome, Outcome)
    _require(text=text)
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
    _record(
        order,
        action="report",
        actor=acting_user,
        from_status=from_status,
        note=text.strip(),
        payload={"outcome": outcome, "unresolved_reason": unresolved_reason.strip()},
    )
    return order


@transaction.atomic
def order_send_back(
    *, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """退单: the unit objects that the order is not theirs; the dispatcher reviews it."""
    order = _lock(order, expected_version)
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
    _record(order, action="send_back", actor=acting_user, from_status=from_status, note=reason.strip())
    return order


@transaction.atomic
def order_reject_objection(
    *, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """派单异议审核 — rejected: the order stays with the unit, in the state it was in."""
    order = _lock(order, expected_version)
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
    _record(
        order,
        action="reject_objection",
        actor=acting_user,
        from_status=from_status,
        note=reason.strip(),
        payload={"objection": objection.pk},
    )
    return order


@transaction.atomic
def order_assign(
    *, order: WorkOrder, acting_user, officer, expected_version: int | None = None
) -> WorkOrder:
    """The unit head names the officer responsible for the order."""
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "assign")
    if officer is None or officer.unit_id != order.unit_id or not officer.works_in_unit:
        raise InvalidInput(MSG_OFFICER_NOT_IN_UNIT, field_errors={"officer": MSG_OFFICER_NOT_IN_UNIT})
    order.officer = officer
    _record(
        order,
        action="assign",
        actor=acting_user,
        from_status=order.status,
        payload={"officer": officer.pk, "officer_name": officer.display_name},
    )
    return order


# --- extensions ----------------------------------------------------------------------------


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
    order = _lock(order, expected_version)
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
    _record(
        order,
        action="request_extension",
        actor=acting_user,
        from_status=order.status,
        note=reason.strip(),
        payload={"extension": extension.pk, "requested_until": _iso(requested_until)},
    )
    return extension


@transaction.atomic
def order_decide_extension(
    *, order: WorkOrder, acting_user, approve: bool, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """The dispatcher approves (the handling deadline moves) or rejects an extension request."""
    order = _lock(order, expected_version)
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
    _record(
        order,
        action="decide_extension",
        actor=acting_user,
        from_status=order.status,
        note=note.strip(),
        payload={
            "extension": extension.pk,
            "approved": approve,
            "handling_deadline": _iso(order.handling_deadline),
        },
    )
    return order


# --- review, callback, close ---------------------------------------------------------------


def _latest_report(order: WorkOrder) -> Report:
    return order.reports.order_by("-created_at", "-id").first()


@transaction.atomic
def order_approve(
    *, order: WorkOrder, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """审核通过: a reviewer accepts the reported result."""
    order = _lock(order, expected_version)
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
    _record(order, action="approve", actor=acting_user, from_status=from_status, note=note.strip())
    return order


@transaction.atomic
def order_return(
    *, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """退回: a reviewer sends the result back to the unit to redo and report again."""
    order = _lock(order, expected_version)
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
    _record(
        order,
        action="return",
        actor=acting_user,
        from_status=from_status,
        note=reason.strip(),
        payload={"return_count": order.return_count},
    )
    return order


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
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "callback")
    _choice("satisfaction", satisfaction, Satisfaction)
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
    _record(
        order,
        action="callback",
        actor=acting_user,
        from_status=from_status,
        note=citizen_words.strip(),
        payload={"satisfaction": satisfaction},
    )
    return order


@transaction.atomic
def order_close(
    *, order: WorkOrder, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """办结: the loop is closed. Orders merged into this one close with it."""
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "close")
    now = timezone.now()
    from_status = order.status
    order.status = Status.CLOSED
    order.closed_at = now
    _record(order, action="close", actor=acting_user, from_status=from_status, note=note.strip())
    for child in WorkOrder.objects.select_for_update().filter(merged_into=order, status=Status.MERGED):
        child.status = Status.CLOSED
        child.closed_at = now
        _record(
            child,
            action="closed_with_primary",
            actor=acting_user,
            from_status=Status.MERGED,
            payload={"primary": order.pk, "primary_number": order.number},
        )
    return order


@transaction.atomic
def order_reopen(
    *, order: WorkOrder, acting_user, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """重办: an unsatisfied callback sends the order back to the same unit for a new round."""
    order = _lock(order, expected_version)
    workflow.check(order, acting_user, "reopen")
    if not reason.strip():
        raise InvalidInput(MSG_REASON_REQUIRED, field_errors={"reason": MSG_REASON_REQUIRED})
    from_status = order.status
    order.reopen_count += 1
    order.satisfaction = ""
    order.outcome = ""
    payload = _start_round(order, order.unit, timezone.now())
    payload["reopen_count"] = order.reopen_count
    _record(order, action="reopen", actor=acting_user, from_status=from_status, note=reason.strip(), payload=payload)
    return order


# --- merge ---------------------------------------------------------------------------------


@transaction.atomic
def order_merge(
    *, order: WorkOrder, primary: WorkOrder, acting_user, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """并单: a duplicate request joins an open order about the same matter and follows it."""
    if primary is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"primary": MSG_REQUIRED})
    if primary.pk == order.pk:
        raise InvalidInput(MSG_MERGE_SELF, field_errors={"primary": MSG_MERGE_SELF})
    # Lock both rows in id order so two merges of the same pair cannot deadlock.
    locked = {
        o.pk: o
        for o in WorkOrder.objects.select_for_update().filter(pk__in=[order.pk, primary.pk]).order_by("pk")
    }
    order = locked[order.pk]
    primary = locked[primary.pk]
    if expected_version is not None and order.version != expected_version:
        raise StaleVersion(MSG_STALE % {"current": order.version})
    workflow.check(order, acting_user, "merge")
    if not primary.is_open or primary.merged_into_id is not None:
        raise InvalidInput(MSG_MERGE_PRIMARY_CLOSED, field_errors={"primary": MSG_MERGE_PRIMARY_CLOSED})
    _cancel_pending_extension(order, acting_user, str(workflow.action_label("merge")))
    from_status = order.status
    order.status = Status.MERGED
    order.merged_into = primary
    if order.unit_id is None:
        order.unit = primary.unit
    _record(
        order,
        action="merge",
        actor=acting_user,
        from_status=from_status,
        note=note.strip(),
        payload={"primary": primary.pk, "primary_number": primary.number},
    )
    # Duplicates already merged into this order follow it to its new primary, so every merged
    # order points at an open primary and closes with it.
    for child in WorkOrder.objects.select_for_update().filter(merged_into=order, status=Status.MERGED):
        child.merged_into = primary
        _record(
            child,
            action="merge",
            actor=acting_user,
            from_status=Status.MERGED,
            note=note.strip(),
            payload={"primary": primary.pk, "primary_number": primary.number, "via": order.number},
        )
    return order


# --- housekeeping --------------------------------------------------------------------------


def idempotency_records_purge(*, older_than: dt.timedelta) -> int:
    """Forget stored answers to Idempotency-Key requests older than `older_than`.

    A client retries within minutes or days; after the retention period a reused key is treated
    as a new request. Returns how many records were deleted.
    """
    from .models import IdempotencyRecord

    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
