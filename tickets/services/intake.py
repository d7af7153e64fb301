"""接单: registering a work order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import workflow
from ..events import publish
from ..exceptions import (
    MSG_INVALID_PHONE,
    MSG_LEADER_INSTRUCTION_REQUIRED,
    MSG_NOT_IN_FUTURE,
    MSG_REQUIRED,
    MSG_ROLE_NOT_ALLOWED,
    InvalidInput,
    NotPermitted,
)
from ..models import Channel, HandlingType, Nature, OrderEvent, Topic, Urgency, WorkOrder
from .common import CLOCK_SKEW, PHONE_RE, require_choice, require_fields
from .counters import next_order_number


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

    require_fields(caller_name=caller_name, caller_phone=caller_phone, content=content)
    require_choice("channel", channel, Channel)
    require_choice("nature", nature, Nature)
    require_choice("handling_type", handling_type, HandlingType)
    require_choice("urgency", urgency, Urgency)
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
                number=next_order_number(now),
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
