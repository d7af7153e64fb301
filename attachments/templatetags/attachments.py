"""`{% attachment_panel order %}`: the order page's files and upload form.

A template tag, so the order page (tickets) shows the files without the tickets code importing
this app: the arrow points from attachments to tickets only.
"""

from __future__ import annotations

from django import template

from ..forms import AttachmentForm
from ..selectors import attachments_for_order
from ..services import max_bytes, may_upload

register = template.Library()


@register.inclusion_tag("attachments/panel.html", takes_context=True)
def attachment_panel(context, order):
    user = context["request"].user
    can_upload = may_upload(user, order)
    # The order page has read these already (tickets.views.orders.order_context): no second query.
    records = {name: context.get(name) for name in ("reports", "callbacks", "notices")}
    return {
        "order": order,
        "attachments": list(attachments_for_order(order)),
        "form": AttachmentForm(order=order, user=user, records=records) if can_upload else None,
        "max_mb": max_bytes() // (1024 * 1024),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
