"""领导批示: a leader's instruction recorded on an order at any time before it is closed.

Recording one changes no status; it appends an `instruct` event. If a unit has the order then
(`WITH_UNIT_STATUSES`), the event names that unit and the supervision rule raises a 提醒函 to it,
once per instruction (the instruction's number on the order is the firing's key).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .. import limits, workflow
from ..exceptions import MSG_NOT_IN_FUTURE, InvalidInput
from ..limits import MSG_TOO_LONG
from ..models import UNIT_WORK_STATUSES, LeaderInstruction, Status, WorkOrder
from .common import CLOCK_SKEW, iso, lock_order, record_event, require_fields

# A unit has the order: it owes the work, or has reported and awaits review.
WITH_UNIT_STATUSES = (*UNIT_WORK_STATUSES, Status.REPORTED)
INSTRUCTOR_MAX_LENGTH = 100


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        message = MSG_TOO_LONG % {"limit_value": limit, "show_value": len(value)}
        raise InvalidInput(message, field_errors={field: message})


def record_instruction(
    order: WorkOrder,
    *,
    actor,
    instructor: str,
    text: str,
    instructed_at: dt.datetime,
    carried_from: WorkOrder | None = None,
) -> LeaderInstruction | None:
    """Add an instruction to `order` (locked by the caller) and its `instruct` event.

    The same leader's same words on the same order are one instruction: a retried request (or a
    merge carrying an instruction the primary has already) records nothing and returns None.
    """
    if order.instructions.filter(instructor=instructor, text=text).exists():
        return None
    sequence = (order.instructions.aggregate(n=Max("sequence"))["n"] or 0) + 1
    instruction = LeaderInstruction.objects.create(
        order=order,
        sequence=sequence,
        instructor=instructor,
        text=text,
        instructed_at=instructed_at,
        recorded_by=actor,
        carried_from=carried_from,
    )
    line = f"{instructor}：{text}" if instructor else text
    order.leader_instructed = True
    order.leader_instruction = f"{order.leader_instruction}\n{line}" if order.leader_instruction else line
    payload = {
        "instruction": instruction.pk,
        "sequence": sequence,
        "instructor": instructor,
        "instructed_at": iso(instructed_at),
        "text": text,
        # The unit that has the order now, if any: the 提醒函 goes to it.
        "unit": order.unit_id if order.status in WITH_UNIT_STATUSES else None,
    }
    if carried_from is not None:
        payload.update({"carried_from": carried_from.pk, "carried_from_number": carried_from.number})
    record_event(order, action="instruct", actor=actor, from_status=order.status, note=text, payload=payload)
    return instruction


@transaction.atomic
def order_instruct(
    *,
    order: WorkOrder,
    acting_user,
    instructor: str,
    text: str,
    instructed_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """记录领导批示: who instructed (a leader's name or title), the words, and when.

    Allowed to the dispatch desk and supervisors on any order not closed or merged. The order's
    status does not change. Recording the same instruction twice changes nothing the second time.
    """
    order = lock_order(order, expected_version)
    workflow.check(order, acting_user, "instruct")
    instructor = (instructor or "").strip()
    text = (text or "").strip()
    require_fields(instructor=instructor, text=text)
    _check_length("instructor", instructor, INSTRUCTOR_MAX_LENGTH)
    _check_length("text", text, limits.LONG_TEXT)
    now = timezone.now()
    instructed_at = instructed_at or now
    if timezone.is_naive(instructed_at):
        instructed_at = timezone.make_aware(instructed_at)
    if instructed_at > now + CLOCK_SKEW:
        raise InvalidInput(MSG_NOT_IN_FUTURE, field_errors={"instructed_at": MSG_NOT_IN_FUTURE})
    record_instruction(order, actor=acting_user, instructor=instructor, text=text, instructed_at=instructed_at)
    return order


def carry_instructions(*, order: WorkOrder, primary: WorkOrder, actor) -> int:
    """并单: the merged order's instructions follow it to the primary (both locked by the caller).

    Each is recorded on the primary as an instruction of its own, so the primary's unit gets its
    提醒函 if it has the order. Returns how many were carried.
    """
    carried = 0
    for instruction in order.instructions.order_by("sequence"):
        if record_instruction(
            primary,
            actor=actor,
            instructor=instruction.instructor,
            text=instruction.text,
            instructed_at=instruction.instructed_at,
            carried_from=order,
        ):
            carried += 1
    return carried
