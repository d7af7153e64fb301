"""Reads on attachments. An attachment is visible exactly when its order is."""

from __future__ import annotations

from django.db.models import QuerySet

from tickets.models import WorkOrder
from tickets.selectors import order_for_user

from .models import Attachment


def attachments_for_order(order: WorkOrder | int) -> QuerySet[Attachment]:
    """Every file of an order, oldest first, with who uploaded it: what a connector sends along."""
    order_id = order.pk if isinstance(order, WorkOrder) else order
    return Attachment.objects.filter(order_id=order_id).select_related("uploaded_by").order_by("created_at", "id")


def attachment_for_user(user, order_id, attachment_id) -> Attachment | None:
    """The attachment if `user` may see its order, else None (the caller answers 404)."""
    order = order_for_user(user, order_id)
    if order is None:
        return None
    attachment = attachments_for_order(order).filter(pk=attachment_id).first()
    if attachment is not None:
        attachment.order = order
    return attachment
