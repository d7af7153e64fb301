"""并单: repeated requests about the same matter merged into one order."""

from __future__ import annotations

from django.db import transaction

from .. import workflow
from ..exceptions import MSG_MERGE_PRIMARY_CLOSED, MSG_MERGE_SELF, MSG_REQUIRED, MSG_STALE, InvalidInput, StaleVersion
from ..models import Status, WorkOrder
from .common import cancel_pending_extension, record_event


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
        payload={"primary": primary.pk, "primary_number": primary.number},
    )
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
