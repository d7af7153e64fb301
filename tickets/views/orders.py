"""One order: its page and every action on it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stations.models import Role
from stations.services import routing_suggest

from .. import selectors
from ..exceptions import StaleVersion, WorkflowError
from ..forms import ACTION_FORMS, OrderActionForm
from ..models import WorkOrder
from ..workflow import TRANSITIONS, allowed_actions
from .common import (
    notices_for_order,
    order_or_404,
    safe_next,
    url_or_none,
)


@dataclass(frozen=True)
class NoticeEntry:
    """A notice issued on the order, as a line of its timeline: which rule raised it (or by hand)."""

    notice: object
    created_at: object
    is_notice: bool = True


def timeline(events, notices: list | None) -> list:
    """The order's events and the notices issued on it (those this user may open), by time."""
    entries = [*events, *(NoticeEntry(n, n.issued_at) for n in notices or [])]
    return sorted(entries, key=lambda e: e.created_at)


def order_context(
    request: HttpRequest, order: WorkOrder, *, failed: OrderActionForm | None = None, next_url: str = ""
) -> dict:
    user = request.user
    caller_name, caller_phone = selectors.caller_for(user, order)
    forms = []
    for transition in allowed_actions(order, user):
        if failed is not None and failed.action == transition.action:
            forms.append(failed)
        else:
            forms.append(ACTION_FORMS[transition.action](order=order, user=user))
    suggestions = []
    if any(f.action in ("dispatch", "redispatch") for f in forms):
        suggestions = [
            s for s in routing_suggest(address=order.address, topic=order.topic) if s.unit.pk != order.unit_id
        ]
    merged, related = selectors.linked_orders(user, order)
    notices = notices_for_order(order, user)
    events = order.events.select_related("actor").order_by("created_at", "id")
    return {
        "order": order,
        "suggestions": suggestions,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "may_call": selectors.may_see_caller(user, order),
        "time_left": selectors.time_left(order),
        "events": timeline(events, notices),
        "contacts": order.contacts.select_related("officer"),
        "reports": order.reports.select_related("author"),
        "reviews": order.reviews.select_related("reviewer"),
        "callbacks": order.callbacks.select_related("caller"),
        "extensions": order.extensions.select_related("requested_by", "decided_by").order_by("created_at"),
        "objections": order.objections.select_related("raised_by", "unit", "decided_by").order_by("created_at"),
        "merged_orders": merged,
        "related_orders": related,
        "notices": notices,
        "supervise_links": supervise_links(order, user),
        "action_forms": forms,
        "open_action": failed.action if failed is not None else "",
        "next_url": next_url or reverse("tickets:order_detail", args=[order.pk]),
    }


def supervise_links(order: WorkOrder, user) -> list[tuple[str, str]]:
    """What a supervisor can do from an order's page: issue a notice, mark a typical case.

    The supervision and analysis pages check the permission again; these are only the way there.
    """
    if not (user.is_superuser or user.role == Role.SUPERVISOR):
        return []
    links = []
    issue = url_or_none("supervision:notice_issue")
    if issue:
        query = {"order": order.number}
        links.append((_("下发督办单"), f"{issue}?{urlencode({**query, 'kind': 'supervision'})}"))
        links.append((_("下发提醒函"), f"{issue}?{urlencode({**query, 'kind': 'reminder'})}"))
    case = url_or_none("analysis:case_new")
    if case:
        links.append((_("标记典型案例"), f"{case}?{urlencode({'order': order.number})}"))
    return links


@login_required
def order_by_number(request: HttpRequest, number: str) -> HttpResponse:
    """An order named by its number (as figures, letters and bulletins name them): its page, or 404."""
    order = selectors.orders_visible_to(request.user).filter(number=number).values("pk").first()
    if order is None:
        raise Http404
    return redirect("tickets:order_detail", pk=order["pk"])


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(request.user, pk)
    return render(request, "tickets/order_detail.html", order_context(request, order))


def _already_done(order: WorkOrder, user, action: str) -> bool:
    """Whether this user's last act on the order was this very action (a repeated submit)."""
    last = order.events.order_by("-created_at", "-id").first()
    return last is not None and last.actor_id == user.pk and last.action == action


def _action_form(request: HttpRequest, order: WorkOrder, action: str, detail_url: str) -> HttpResponse:
    """The form of one action, for a list row that opens it (the lists do not render every form)."""
    if action not in {t.action for t in allowed_actions(order, request.user)}:
        return render(request, "tickets/partials/action_gone.html", {"order": order, "detail_url": detail_url})
    form = ACTION_FORMS[action](order=order, user=request.user)
    return render(
        request, "tickets/partials/action_form.html", {"form": form, "next_url": safe_next(request, detail_url)}
    )


@require_GET
@login_required
def order_action_form(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The form of one action: what a list row loads when a person opens that action."""
    order = order_or_404(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    return _action_form(request, order, action, reverse("tickets:order_detail", args=[order.pk]))


@require_POST
@login_required
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action on an order. The buttons come from `allowed_actions`; the service decides."""
    order = order_or_404(request.user, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    detail_url = reverse("tickets:order_detail", args=[order.pk])
    form = form_class(request.POST, order=order, user=request.user)
    if form.is_valid():
        try:
            form.perform()
        except StaleVersion as exc:
            if _already_done(order, request.user, action):
                # The same submit arrived twice: the first one did the work.
                messages.info(request, _("该操作已完成，未重复提交。"))
                return redirect(safe_next(request, detail_url))
            form.apply_workflow_error(exc)
        except WorkflowError as exc:
            form.apply_workflow_error(exc)
        else:
            order.refresh_from_db()
            label = TRANSITIONS[action].label
            messages.success(
                request, _("工单 %(number)s：%(action)s 已完成。") % {"number": order.number, "action": label}
            )
            target = safe_next(request, detail_url)
            # After an action the order may have left this user's sight (a reviewer's approved order
            # stays visible, a unit's redispatched one does not); never send them to a 404.
            if target == detail_url and selectors.order_for_user(request.user, order.pk) is None:
                target = reverse("home")
            return redirect(target)
    order.refresh_from_db()
    context = order_context(request, order, failed=form, next_url=safe_next(request, detail_url))
    if form in context["action_forms"]:
        messages.error(request, _("未能完成操作，请检查下面标出的内容。"))
    else:
        # The action is no longer on offer (somebody else moved the order): say why up top.
        for error in form.non_field_errors() or [_("未能完成操作，请检查下面标出的内容。")]:
            messages.error(request, error)
    return render(request, "tickets/order_detail.html", context)
