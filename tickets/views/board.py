"""The dispatcher board: the intake form, the routing suggestion, the queues of the dispatch desk."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stations.models import Role
from stations.services import RoutingRules, routing_suggest

from .. import selectors
from ..deadlines import compute_deadlines
from ..exceptions import WorkflowError
from ..forms import ChoiceLists, DispatchForm, IntakeForm, SuggestForm, options_html
from ..models import ExtensionRequest, Objection, RequestStatus, Status, WorkOrder
from .common import (
    QUEUE_LIMIT,
    _supervision_selectors,
    order_rows,
    role_required,
)
from .overview import unit_overview

# How long an intake token is remembered in the session against a second submit.
INTAKE_TOKENS_KEPT = 20


# How often an open board asks whether its queues changed (see `desk_pulse`).
DESK_POLL_SECONDS = 5


def _unread_items(user):
    """The user's unread inbox items, when the supervision app is installed (for the pulse)."""
    sel = _supervision_selectors()
    return sel.unread_items(user) if sel is not None and hasattr(sel, "unread_items") else None


def _desk_queues(request: HttpRequest, lists: ChoiceLists) -> dict:
    """The three desk queues: each one indexed query (a partial index per queue); the rows share
    one unit list and one read of the routing rules."""
    user = request.user
    visible = selectors.orders_visible_to(user)
    waiting_rows = order_rows(
        selectors.desk_waiting_queue(user)[:QUEUE_LIMIT], user, with_forms=("dispatch",), lists=lists
    )
    rules = RoutingRules.load()
    for row in waiting_rows:
        row.suggestions = rules.suggest(address=row.order.address, topic=row.order.topic)
    sent_back = list(visible.filter(status=Status.SENT_BACK).order_by("dispatched_at", "pk")[:QUEUE_LIMIT])
    objections = {
        o.order_id: o
        for o in Objection.objects.filter(
            order__in=[o.pk for o in sent_back], status=RequestStatus.PENDING
        ).select_related("raised_by", "unit")
    }
    sent_back_rows = order_rows(sent_back, user, with_forms=("redispatch", "reject_objection"), lists=lists)
    for row in sent_back_rows:
        row.objection = objections.get(row.order.pk)
    extensions = list(
        selectors.of_visible_orders(ExtensionRequest.objects.filter(status=RequestStatus.PENDING), user)
        .select_related("order", "order__unit", "order__topic", "order__officer", "requested_by")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    orders = []
    for extension in extensions:
        # Listed because it has a pending request: the decide-extension guard need not ask again.
        extension.order.has_pending_extension = True
        orders.append(extension.order)
    extension_rows = order_rows(orders, user, with_forms=("decide_extension",), lists=lists)
    for row, extension in zip(extension_rows, extensions, strict=True):
        row.extension = extension
    return {
        "waiting_rows": waiting_rows,
        "sent_back_rows": sent_back_rows,
        "extension_rows": extension_rows,
        "unit_options": options_html(lists.units(), DispatchForm.base_fields["unit"].empty_label),
        "next_url": reverse("tickets:dispatch_board"),
        "now": timezone.now(),
        "poll_seconds": DESK_POLL_SECONDS,
    }


def _board_context(request: HttpRequest, intake_form: IntakeForm | None = None) -> dict:
    """The board in a constant number of queries, whatever the number of rows."""
    user = request.user
    visible = selectors.orders_visible_to(user)
    lists = ChoiceLists()
    if intake_form is None:
        intake_form = IntakeForm(initial={"token": uuid.uuid4().hex}, lists=lists)
    else:
        intake_form.fields["dispatch_to"].use_list(lists.units(), lists)
    intake_form.fields["caller_name"].widget.attrs["data-key"] = "i"  # the board's keyboard: start an intake
    return {
        **_desk_queues(request, lists),
        "intake_form": intake_form,
        "pulse": selectors.desk_pulse(user, _unread_items(user)),
        "overview": unit_overview(units=lists.units()),
        "callback_count": visible.filter(status__in=[Status.APPROVED, Status.CALLBACK_DONE]).count(),
    }


@role_required(Role.DISPATCHER)
def dispatch_board(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/dispatch_board.html", _board_context(request))


@require_GET
@role_required(Role.DISPATCHER)
def desk_pulse(request: HttpRequest) -> HttpResponse:
    """What an open board polls every few seconds (htmx, `hx-trigger="every 5s"`).

    Unchanged (the stamp it sent is current): 204 and nothing else, after one query. Changed: the
    header strip with the new counts and stamp, and, swapped out of band, the three queues and
    the bell. Polling rather than server-sent events: a poll is a short ordinary request that
    passes any proxy, holds no worker (gunicorn's sync workers and runserver would each be tied
    up by a stream per open board), and needs no server state; one indexed query every five
    seconds per open board is cheap.
    """
    user = request.user
    unread = _unread_items(user)
    pulse = selectors.desk_pulse(user, unread)
    if request.GET.get("since") == pulse.stamp:
        return HttpResponse(status=204)
    context = {
        **_desk_queues(request, ChoiceLists()),
        "pulse": pulse,
        "unread": pulse.unread if unread is not None else None,
    }
    return render(request, "tickets/partials/desk_live.html", context)


@require_POST
@role_required(Role.DISPATCHER)
def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST)
    if form.is_valid():
        # A second submit of the same form (a double click, a reload) shows the first order.
        token = form.cleaned_data["token"]
        done = request.session.get("intake_tokens", {})
        if token and token in done:
            order = WorkOrder.objects.filter(pk=done[token]).first()
            if order is not None:
                messages.info(request, _("工单 %(number)s 已登记，未重复提交。") % {"number": order.number})
                return redirect("tickets:order_detail", pk=order.pk)
        try:
            result = form.perform(user=request.user)
        except WorkflowError as exc:
            form.apply_workflow_error(exc)
        else:
            order = result.order
            if token:
                done[token] = order.pk
                request.session["intake_tokens"] = dict(list(done.items())[-INTAKE_TOKENS_KEPT:])
            if not result.created:
                messages.warning(
                    request,
                    _("该平台工单号已登记为工单 %(number)s，未重复登记。") % {"number": order.number},
                )
                return redirect("tickets:order_detail", pk=order.pk)
            if order.status == Status.MERGED:
                messages.success(
                    request,
                    _("工单 %(number)s 已登记，并入工单 %(primary)s。")
                    % {"number": order.number, "primary": order.merged_into.number},
                )
                return redirect("tickets:dispatch_board")
            if form.cleaned_data["relate_to"]:
                messages.info(request, _("工单 %(number)s 已与相似工单关联。") % {"number": order.number})
            if order.status == Status.DISPATCHED:
                messages.success(
                    request,
                    _("工单 %(number)s 已登记并转办至%(unit)s。") % {"number": order.number, "unit": order.unit.name},
                )
            else:
                messages.success(request, _("工单 %(number)s 已登记，等待转办。") % {"number": order.number})
            return redirect("tickets:dispatch_board")
    return render(request, "tickets/dispatch_board.html", _board_context(request, intake_form=form))


def _suggest_services():
    """The suggestion model's services, looked up lazily: tickets does not depend on the suggest app."""
    try:
        from suggest import services
    except ImportError:
        return None
    return services


@require_GET
@role_required(Role.DISPATCHER)
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """The routing suggestion and the deadline the order would get, as the dispatcher types."""
    form = SuggestForm(request.GET)
    suggestions, deadlines, handling_type, guesses = [], None, None, None
    if form.is_valid():
        data = form.cleaned_data
        if data["address"] or data["topic"]:
            suggestions = routing_suggest(address=data["address"], topic=data["topic"])
        suggest_services = _suggest_services()
        if suggest_services and data["content"]:
            # The model's guesses sit beside the rules; a rule's unit always wins (suggest app).
            guesses = suggest_services.suggest_beside_rules(
                content=data["content"], rule_unit_ids=[s.unit.pk for s in suggestions]
            )
        handling_type = data["handling_type"]
        if handling_type:
            deadlines = compute_deadlines(handling_type, timezone.now())
    now = timezone.now()
    return render(
        request,
        "tickets/partials/intake_suggest.html",
        {
            "suggestions": suggestions,
            "guesses": guesses,
            "deadlines": deadlines,
            "handling_left": deadlines.handling - now if deadlines else None,
            "searched": form.is_valid() and bool(form.cleaned_data["address"] or form.cleaned_data["topic"]),
        },
    )
