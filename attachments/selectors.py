"""Reads on attachments. An attachment is visible exactly when its order is."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tickets.models import Report, WorkOrder
from tickets.selectors import order_for_user

from .models import AttachedTo, Attachment


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


def attachments_for_report(report: Report) -> QuerySet[Attachment]:
    """The files a report sends to the 12345 platform: those uploaded in the round it closes.

    A unit uploads its evidence to the order while it works (no report exists yet), and the
    dispatch desk may add to a report afterwards; so: the order's own files uploaded since the
    previous report (for the first report, since the order was dispatched) and the files of this
    report. Files of an earlier report, of callbacks and of notices stay out.
    """
    previous = (
        Report.objects.filter(order_id=report.order_id, created_at__lt=report.created_at)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    since = previous or WorkOrder.objects.filter(pk=report.order_id).values_list("dispatched_at", flat=True).first()
    own = Q(kind=AttachedTo.ORDER, created_at__lte=report.created_at)
    if since is not None:
        own &= Q(created_at__gt=since)
    return attachments_for_order(report.order_id).filter(own | Q(kind=AttachedTo.REPORT, report=report))


def attachments_by_ids(ids: list[int]) -> dict[int, Attachment]:
    """The attachments still stored among `ids`, by id (what a transport reads the content of)."""
    return Attachment.objects.in_bulk(ids)
