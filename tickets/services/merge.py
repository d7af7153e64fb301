"""并单 and 关联: repeated requests about the same matter merged into one order, or linked to it."""

from __future__ import annotations

from django.db import transaction

from .. import workflow
from ..exceptions import (
    MSG_MERGE_PRIMARY_CLOSED,
    MSG_MERGE_SELF,
    MSG_RELATE_SELF,
    MSG_REQUIRED,
    MSG_ROLE_NOT_ALLOWED,
    MSG_STALE,
    InvalidInput,
    NotPermitted,
    StaleVersion,
)
from ..models import Status, WorkOrder
from .common import cancel_pending_extension, record_event
from .instructions import carry_instructions


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
        o.pk: o for o in WorkOrder.objects.select_for_update().filter(pk__in=[order.pk, primary.pk]).order_by("pk")
    }
    order = locked[order.pk]
    primary = locked[primary.pk]
    if expected_version is not None and order.version != expected_version:
        raise StaleVersion(MSG_STALE % {"current": order.version})
    workflow.check(order, acting_user, "merge")
    if not primary.is_open or primary.merged_into_id is not None:
        raise InvalidInput(MSG_MERGE_PRIMARY_CLOSED, field_errors={"primary": MSG_MERGE_PRIMARY_CLOSED})
    cancel_pending_extension(order, acting_user, str(workflow.action_label("merge")))
    from_status = order.status
    order.status = Status.MERGED
    order.merged_into = primary
    if order.unit_id is None:
        order.unit = primary.unit
    record_event(
        order,
        action="merge",
        actor=acting_user,
        from_status=from_status,
        note=note.strip(),
        # The unit the primary is with: the repeat rule judges the merged order for it.
        payload={"primary": primary.pk, "primary_number": primary.number, "unit": primary.unit_id},
    )
    # A leader's instruction on the duplicate is an instruction on the matter: the primary gets it.
    carry_instructions(order=order, primary=primary, actor=acting_user)
    # Duplicates already merged into this order follow it to its new primary, so every merged
    # order points at an open primary and closes with it.
    for child in WorkOrder.objects.select_for_update().filter(merged_into=order, status=Status.MERGED):
        child.merged_into = primary
        record_event(
            child,
            action="merge",
            actor=acting_user,
            from_status=Status.MERGED,
            note=note.strip(),
            payload={"primary": primary.pk, "primary_number": primary.number, "via": order.number},
        )
    return order


@transaction.atomic
def order_relate(*, order: WorkOrder, related: WorkOrder, acting_user, note: str = "") -> WorkOrder:
    """关联: mark two orders as about related matters (登记并关联 at intake). Both stay as they are.

    The link goes both ways and is shown on both orders' pages; each gets an event. Linking twice
    changes nothing the second time. Only the dispatch desk links orders.
    """
    if acting_user is not None and acting_user.role not in workflow.DISPATCH_DESK:
        raise NotPermitted(MSG_ROLE_NOT_ALLOWED % {"action": workflow.action_label("relate")})
    if related is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"related": MSG_REQUIRED})
    if related.pk == order.pk:
        raise InvalidInput(MSG_RELATE_SELF, field_errors={"related": MSG_RELATE_SELF})
    # Both rows in id order, as the merge does, so two links of the same pair cannot deadlock.
    locked = {
        o.pk: o for o in WorkOrder.objects.select_for_update().filter(pk__in=[order.pk, related.pk]).order_by("pk")
    }
    order, related = locked[order.pk], locked[related.pk]
    if order.related_orders.filter(pk=related.pk).exists():
        return order
    order.related_orders.add(related)
    for this, other in ((order, related), (related, order)):
        record_event(
            this,
            action="relate",
            actor=acting_user,
            from_status=this.status,
            note=note.strip(),
            payload={"related": other.pk, "related_number": other.number},
        )
    return order
