"""Work queues: the unit workbench, the review queue, the callback queue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from stations.models import Role

from .. import selectors, services, timewords
from ..forms import CallbackFilterForm, ChoiceLists
from ..models import UNIT_WORK_STATUSES, Callback, Status
from .common import (
    QUEUE_LIMIT,
    open_notices_for_unit,
    order_or_404,
    order_rows,
    role_required,
    safe_next,
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


# Orders per page of each callback list.
CALLBACK_PAGE = 20


def _page(queryset, number) -> Page:
    """One page of a small queue (`Paginator.get_page`: any input gives a page, never an error)."""
    return Paginator(queryset, CALLBACK_PAGE).get_page(number)


def _neighbours(rows: list, current) -> tuple:
    """The rows before and after `current` in this page of the list (the first row comes next
    when `current` is not on it)."""
    ids = [o.pk for o in rows]
    if current.pk not in ids:
        return None, (rows[0] if rows else None)
    at = ids.index(current.pk)
    return (rows[at - 1] if at > 0 else None), (rows[at + 1] if at + 1 < len(rows) else None)


@role_required(Role.DISPATCHER)
def callback_queue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The callback desk, one order at a time as in review: the list on the left (paged, filtered),
    the chosen order with the citizen's words and the unit's report, the satisfaction buttons and
    the next order; below, the called-back orders to close, many satisfied ones at once."""
    user = request.user
    lists = ChoiceLists()
    filters = CallbackFilterForm(request.GET or None, lists=lists)
    wanted = filters.values()
    query = {k: v for k, v in request.GET.items() if k in ("q", "unit", "page", "cpage") and v}
    waiting_page = _page(selectors.callback_waiting(user, **wanted), request.GET.get("page"))
    waiting = list(waiting_page.object_list)
    current = None
    if pk is not None:
        current = order_or_404(user, pk)
    elif waiting:
        current = waiting[0]
    # After a callback the desk comes back here, to the first order still waiting under the same filter.
    here = reverse("tickets:callback_queue") + (f"?{urlencode(query)}" if query else "")
    context = {
        "filters": filters,
        "waiting_page": waiting_page,
        "waiting": waiting,
        "current": current,
        "here": here,
        "query": query,
    }
    if current is not None:
        context.update(order_context(request, current, next_url=here))
        for form in context["action_forms"]:
            if form.action == "callback":
                form.fields["citizen_words"].widget.attrs["data-key"] = "w"  # the desk's keyboard
        context["latest_report"] = current.reports.select_related("author").order_by("-created_at", "-id").first()
        context["previous_order"], context["next_order"] = _neighbours(waiting, current)
    done_page = _page(selectors.callback_done(user, **wanted), request.GET.get("cpage"))
    called_rows = order_rows(list(done_page.object_list), user, with_forms=("close", "reopen"), lists=lists)
    callbacks = _latest_by_order(Callback, [row.order.pk for row in called_rows])
    for row in called_rows:
        row.latest_callback = callbacks.get(row.order.pk)
    context.update({"called_rows": called_rows, "done_page": done_page, "next_url": here})
    return render(request, "tickets/callback_queue.html", context)


@require_POST
@role_required(Role.DISPATCHER)
def callback_close_many(request: HttpRequest) -> HttpResponse:
    """办结 the ticked called-back orders (satisfied ones); each through `order_close`."""
    ids = [int(v) for v in request.POST.getlist("order") if v.isdigit() and len(v) < 19]
    orders = list(selectors.callback_done(request.user).filter(pk__in=ids))
    result = services.orders_close_satisfied(orders=orders, acting_user=request.user)
    if result.closed:
        messages.success(
            request,
            ngettext("已办结 %(n)s 张工单。", "已办结 %(n)s 张工单。", len(result.closed)) % {"n": len(result.closed)},
        )
    for order, reason in result.refused:
        messages.warning(request, _("工单 %(number)s 未办结：%(reason)s") % {"number": order.number, "reason": reason})
    missing = len(set(ids)) - len(orders)
    if missing > 0:
        messages.warning(request, _("%(n)s 张工单已不在待办结队列中。") % {"n": missing})
    if not ids:
        messages.info(request, _("请先勾选要办结的工单。"))
    return redirect(safe_next(request, reverse("tickets:callback_queue")))
