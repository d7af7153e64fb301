"""Work queues: the unit workbench, the review queue, the callback queue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from stations.models import Role

from .. import selectors, timewords
from ..forms import ChoiceLists
from ..models import UNIT_WORK_STATUSES, Callback, Report, Status
from .common import (
    QUEUE_LIMIT,
    open_notices_for_unit,
    order_or_404,
    order_rows,
    role_required,
    stamped_form,
)
from .orders import order_context

UNIT_FORMS = ("contact", "report", "send_back", "request_extension", "assign")


@role_required(Role.OFFICER, Role.UNIT_HEAD)
def workbench(request: HttpRequest) -> HttpResponse:
    """The unit's open orders, the nearest deadline first, with the forms to work them."""
    user = request.user
    visible = selectors.orders_visible_to(user)
    owed = selectors.unit_work_queue(user)
    waiting = visible.filter(status__in=[Status.REPORTED, Status.SENT_BACK]).order_by("-updated_at", "-pk")[:50]
    next_url = reverse("tickets:workbench")
    rows = order_rows(owed[:QUEUE_LIMIT], user, with_forms=UNIT_FORMS, lists=ChoiceLists())
    pending_extensions = {r.order.pk for r in rows if r.order.has_pending_extension}
    counts = selectors.unit_work_counts(
        visible.filter(status__in=UNIT_WORK_STATUSES), timezone.now(), timewords.DUE_SOON
    )
    return render(
        request,
        "tickets/workbench.html",
        {
            "rows": rows,
            "waiting_rows": order_rows(waiting, user),
            "pending_extensions": pending_extensions,
            "notices": open_notices_for_unit(user.unit, user),
            "next_url": next_url,
            "counts": counts,
        },
    )


@role_required(Role.REVIEWER)
def review_queue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Reported results waiting for review; the chosen one shown with its timeline and report."""
    user = request.user
    # `order_review_queue_idx`, walked in order.
    queue = list(
        selectors.orders_visible_to(user).filter(status=Status.REPORTED).order_by("reported_at", "pk")[:QUEUE_LIMIT]
    )
    current = None
    if pk is not None:
        current = order_or_404(user, pk)
    elif queue:
        current = queue[0]
    context = {"queue": queue, "current": current}
    if current is not None:
        context.update(order_context(request, current, next_url=reverse("tickets:review_queue")))
        context["latest_report"] = current.reports.select_related("author").order_by("-created_at", "-id").first()
    return render(request, "tickets/review_queue.html", context)


def _latest_by_order(model, order_ids: list[int]) -> dict:
    """The latest record (report, callback) of each order, in one query for the whole page."""
    latest = {}
    for record in model.objects.filter(order_id__in=order_ids).order_by("order_id", "created_at", "id"):
        latest[record.order_id] = record
    return latest


@role_required(Role.DISPATCHER)
def callback_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.orders_visible_to(user)
    next_url = reverse("tickets:callback_queue")
    # `order_callback_queue_idx` and `order_close_queue_idx`, each walked in order.
    approved = visible.filter(status=Status.APPROVED).order_by("reviewed_at", "pk")[:QUEUE_LIMIT]
    called = visible.filter(status=Status.CALLBACK_DONE).order_by("callback_at", "pk")[:QUEUE_LIMIT]
    lists = ChoiceLists()
    approved_rows = order_rows(approved, user, with_forms=("callback",), lists=lists)
    # The callback form stays open on each row (the desk works down the list); it is rendered
    # once and stamped per row.
    callback_form = stamped_form(request, "callback", next_url)
    for row in approved_rows:
        row.inline_form = callback_form(row.order) if any(t.action == "callback" for t in row.actions) else ""
    called_rows = order_rows(called, user, with_forms=("close", "reopen"), lists=lists)
    reports = _latest_by_order(Report, [row.order.pk for row in approved_rows])
    callbacks = _latest_by_order(Callback, [row.order.pk for row in called_rows])
    for row in approved_rows:
        row.latest_report = reports.get(row.order.pk)
    for row in called_rows:
        row.latest_callback = callbacks.get(row.order.pk)
    return render(
        request,
        "tickets/callback_queue.html",
        {"approved_rows": approved_rows, "called_rows": called_rows, "next_url": next_url},
    )
