"""接单: registering a work order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import workflow
from ..events import event_written, publish
from ..exceptions import (
    MSG_INVALID_CHOICE,
    MSG_INVALID_PHONE,
    MSG_LEADER_INSTRUCTION_REQUIRED,
    MSG_NOT_IN_FUTURE,
    MSG_RECEIVED_LONG_AGO,
    MSG_REQUIRED,
    MSG_ROLE_NOT_ALLOWED,
    MSG_SIMILAR_NOT_FOUND,
    InvalidInput,
    NotPermitted,
    WorkflowError,
)
from ..models import Channel, HandlingType, LeaderInstruction, Nature, OrderEvent, Topic, Urgency, WorkOrder
from ..selectors import orders_visible_to
from .common import CLOCK_SKEW, PHONE_RE
from .counters import next_order_number, order_counter_catch_up
from .dispatch import order_dispatch
from .merge import order_merge, order_relate

# Tries at a free order number (`_create_numbered`): after a collision the counter catches up
# with the orders, so the second try succeeds; one more is a margin, not a loop.
NUMBER_ATTEMPTS = 3

# A received time further back than this is more often a typo than a fact: the caller confirms it.
RECEIVED_CONFIRM_AFTER = dt.timedelta(days=30)


def intake_errors(
    *,
    channel: str | None,
    caller_name: str | None,
    caller_phone: str | None,
    content: str | None,
    nature: str | None,
    handling_type: str | None,
    topic: Topic | None,
    urgency: str | None,
    received_at: dt.datetime | None,
    received_at_confirmed: bool = False,
    leader_instructed: bool = False,
    leader_instruction: str | None = "",
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Every reason an intake would be refused, by field, in the order a form shows them.

    The browser form calls this too, so a person sees all of them in one round (a bad phone
    number together with a missing name), and with the same words the API gives.
    """
    errors: dict[str, str] = {}
    for field, value in (("caller_name", caller_name), ("caller_phone", caller_phone), ("content", content)):
        if not str(value or "").strip():
            errors[field] = MSG_REQUIRED
    for field, value, choices in (
        ("channel", channel, Channel),
        ("nature", nature, Nature),
        ("handling_type", handling_type, HandlingType),
        ("urgency", urgency, Urgency),
    ):
        if not value:
            errors[field] = MSG_REQUIRED
        elif value not in choices.values:
            errors[field] = MSG_INVALID_CHOICE % {"value": value}
    if topic is None:
        errors["topic"] = MSG_REQUIRED
    if "caller_phone" not in errors and not PHONE_RE.match(str(caller_phone).strip()):
        errors["caller_phone"] = MSG_INVALID_PHONE
    if leader_instructed and not str(leader_instruction or "").strip():
        errors["leader_instruction"] = MSG_LEADER_INSTRUCTION_REQUIRED
    if received_at is not None:
        now = now or timezone.now()
        if received_at > now + CLOCK_SKEW:
            errors["received_at"] = MSG_NOT_IN_FUTURE
        elif received_at < now - RECEIVED_CONFIRM_AFTER and not received_at_confirmed:
            errors["received_at"] = MSG_RECEIVED_LONG_AGO % {"days": RECEIVED_CONFIRM_AFTER.days}
    return errors


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
    received_at_confirmed: bool = False,
    acting_user=None,
) -> IntakeResult:
    """接单: register a work order.

    Idempotent on the 12345 platform's order number: pushing the same number again, a second
    or a week later, returns the existing order with `created=False` and changes nothing.
    Refused input raises one `InvalidInput` naming every field that is wrong (`intake_errors`).
    A received time more than RECEIVED_CONFIRM_AFTER ago is taken only with
    `received_at_confirmed` (a typo in the year must not start an order long overdue).
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

    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    errors = intake_errors(
        channel=channel,
        caller_name=caller_name,
        caller_phone=caller_phone,
        content=content,
        nature=nature,
        handling_type=handling_type,
        topic=topic,
        urgency=urgency,
        received_at=received_at,
        received_at_confirmed=received_at_confirmed,
        leader_instructed=leader_instructed,
        leader_instruction=leader_instruction,
        now=now,
    )
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)
    caller_phone = caller_phone.strip()

    try:
        order = _create_numbered(
            now,
            acting_user=acting_user,
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
    except IntegrityError:
        # The same platform order was pushed twice at the same moment: the other push won.
        if platform_number:
            existing = WorkOrder.objects.filter(platform_number=platform_number).first()
            if existing is not None:
                return IntakeResult(existing, False)
        raise
    return IntakeResult(order, True)


def _create_numbered(now: dt.datetime, *, acting_user, **fields) -> WorkOrder:
    """Create the order under the day's next number, with its intake event.

    The counter can fall behind the numbers already given (set back by hand, restored from an
    older backup). A number that is taken is not the caller's fault: the counter catches up with
    the orders and the next number is taken.
    """
    attempt = 1
    while True:
        number = ""
        try:
            with transaction.atomic():
                number = next_order_number(now)
                order = WorkOrder(number=number, **fields)
                order.refresh_search_vector()  # the words of content and address, for search
                order.save(force_insert=True)
                if order.leader_instructed:
                    # The instruction that came with the request: the order's first (领导批示).
                    LeaderInstruction.objects.create(
                        order=order,
                        sequence=1,
                        text=order.leader_instruction,
                        instructed_at=order.received_at,
                        recorded_by=acting_user,
                    )
                event = OrderEvent.objects.create(
                    order=order,
                    action="intake",
                    from_status="",
                    to_status=order.status,
                    actor=acting_user,
                    payload={"channel": fields["channel"], "platform_number": fields["platform_number"]},
                )
                event_written(event)
                # Robust: the order is committed by then; a failing hook is logged, not raised.
                transaction.on_commit(lambda event_id=event.pk: publish(event_id), robust=True)
                return order
        except IntegrityError:
            if attempt >= NUMBER_ATTEMPTS or not WorkOrder.objects.filter(number=number).exists():
                raise
        order_counter_catch_up(now)
        attempt += 1


@transaction.atomic
def order_register(
    *,
    acting_user,
    merge_into: int | None = None,
    relate_to: int | None = None,
    dispatch_to=None,
    **intake_fields,
) -> IntakeResult:
    """接单 as the dispatch desk does it, in the browser and over REST: intake, then merge the new
    order into one the user may see (并入此工单), or link it to one (登记并关联) and dispatch it
    if a unit is given. One transaction: a refused merge, link or dispatch undoes the intake too.

    `merge_into` / `relate_to` are order ids; an id the user may not see is refused like a
    missing one. A platform number already registered answers the existing order, untouched.
    """
    target = None
    for field, pk in (("merge_into", merge_into), ("relate_to", relate_to)):
        if pk:
            target = orders_visible_to(acting_user).filter(pk=pk).first() if acting_user is not None else None
            if target is None:
                raise InvalidInput(MSG_SIMILAR_NOT_FOUND, field_errors={field: MSG_SIMILAR_NOT_FOUND})
            break
    result = order_intake(acting_user=acting_user, **intake_fields)
    if not result.created:
        return result
    if merge_into:
        # A duplicate follows its primary: it is not dispatched on its own.
        order = order_merge(order=result.order, primary=target, acting_user=acting_user, note=str(_("登记时并入")))
        return IntakeResult(order, True)
    order = result.order
    if relate_to:
        order = order_relate(order=order, related=target, acting_user=acting_user)
    if dispatch_to is not None:
        try:
            order = order_dispatch(order=order, unit=dispatch_to, acting_user=acting_user)
        except WorkflowError as exc:
            # Name the field the dispatcher filled, not the service's argument.
            if exc.field_errors:
                exc.field_errors = {"dispatch_to": next(iter(exc.field_errors.values()))}
            raise
    return IntakeResult(order, True)
