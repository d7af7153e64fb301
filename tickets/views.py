"""The browser workbench: thin views over the selectors (reads) and the services (writes).

Pages by role: the dispatcher board, the unit workbench, the review queue, the callback queue, the
supervisor's overview, and for everybody the order detail and the search. A view parses input
with a form, calls the service through `form.perform()`, and on a `WorkflowError` shows the
service's message next to the field. An order a user may not see is a 404, never a 403, so
nobody learns which order numbers exist elsewhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stations.models import Role, Unit, User
from stations.services import routing_suggest

from . import selectors, timewords
from .deadlines import compute_deadlines
from .exceptions import StaleVersion, WorkflowError
from .filters import OrderFilter
from .forms import (
    ACTION_FORMS,
    DateTimeLocalInput,
    IntakeForm,
    OrderActionForm,
    SuggestForm,
    dispatch_units,
)
from .models import (
    UNIT_WORK_STATUSES,
    ExtensionRequest,
    Objection,
    RequestStatus,
    Satisfaction,
    Status,
    WorkOrder,
)
from .workflow import TRANSITIONS, allowed_actions

# How many rows a queue shows before it asks for the search page.
QUEUE_LIMIT = 100
# How long an intake token is remembered in the session against a second submit.
INTAKE_TOKENS_KEPT = 20


# --- access ----------------------------------------------------------------------------------


def role_required(*roles: str):
    """Let in only these roles (and superusers); anyone else gets a 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _order_or_404(user, pk) -> WorkOrder:
    order = selectors.order_for_user(user, pk)
    if order is None:
        raise Http404
    return order


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# --- supervision (another app; wired in when present) ------------------------------------------


def _supervision_selectors():
    try:
        from supervision import selectors as supervision_selectors
    except ImportError:
        return None
    return supervision_selectors


def _notices_for_order(order: WorkOrder, user) -> list | None:
    """The order's notices this user may open (a unit does not see letters to the unit before it)."""
    sel = _supervision_selectors()
    if sel is None or not hasattr(sel, "notices_for_order"):
        return None
    notices = sel.notices_for_order(order)
    if hasattr(sel, "notices_visible_to"):
        notices = notices.filter(pk__in=sel.notices_visible_to(user).values("pk"))
    return list(notices)


def _open_notices_for_unit(unit: Unit | None) -> list | None:
    sel = _supervision_selectors()
    if sel is None or unit is None or not hasattr(sel, "open_notices_for_unit"):
        return None
    return list(sel.open_notices_for_unit(unit))


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# --- home --------------------------------------------------------------------------------------

HOME_BY_ROLE = {
    Role.DISPATCHER: "tickets:dispatch_board",
    Role.OFFICER: "tickets:workbench",
    Role.UNIT_HEAD: "tickets:workbench",
    Role.REVIEWER: "tickets:review_queue",
    Role.SUPERVISOR: "tickets:overview",
    Role.ADMINISTRATOR: "tickets:search",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page."""
    return redirect(HOME_BY_ROLE.get(request.user.role, "tickets:search"))


# --- rows shown in lists -----------------------------------------------------------------------


@dataclass
class Row:
    """An order as a list shows it: the caller as this user may see them, the time left, the actions."""

    order: WorkOrder
    caller_name: str
    caller_phone: str
    time_left: dt.timedelta | None
    actions: list
    forms: list


def _rows(orders, user, *, with_forms: tuple[str, ...] = ()) -> list[Row]:
    now = timezone.now()
    rows = []
    for order in orders:
        name, phone = selectors.caller_for(user, order)
        actions = allowed_actions(order, user)
        forms = [
            ACTION_FORMS[t.action](order=order, user=user) for t in actions if t.action in with_forms
        ]
        rows.append(Row(order, name, phone, selectors.time_left(order, now), actions, forms))
    return rows


def unit_overview(now: dt.datetime | None = None) -> list[dict]:
    """Per handling unit: orders it owes work on, how many are due soon, how many overdue."""
    now = now or timezone.now()
    owed = Q(orders__status__in=UNIT_WORK_STATUSES)
    units = (
        dispatch_units()
        .annotate(
            open=Count("orders", filter=owed),
            due_soon=Count(
                "orders",
                filter=owed
                & Q(orders__handling_deadline__gte=now, orders__handling_deadline__lt=now + timewords.DUE_SOON),
            ),
            overdue=Count("orders", filter=owed & Q(orders__handling_deadline__lt=now)),
            sent_back=Count("orders", filter=Q(orders__status=Status.SENT_BACK)),
        )
        .order_by("-overdue", "-due_soon", "-open", "name")
    )
    return list(units)


# --- dispatcher board ----------------------------------------------------------------------------


def _board_context(request: HttpRequest, intake_form: IntakeForm | None = None) -> dict:
    user = request.user
    visible = selectors.orders_visible_to(user)
    next_url = reverse("tickets:dispatch_board")
    waiting = list(visible.filter(status=Status.RECEIVED).order_by("received_at")[:QUEUE_LIMIT])
    waiting_rows = _rows(waiting, user, with_forms=("dispatch",))
    for row in waiting_rows:
        row.suggestions = routing_suggest(address=row.order.address, topic=row.order.topic)
    sent_back = visible.filter(status=Status.SENT_BACK).order_by("dispatched_at")[:QUEUE_LIMIT]
    objections = {
        o.order_id: o
        for o in Objection.objects.filter(order__in=sent_back, status=RequestStatus.PENDING).select_related(
            "raised_by", "unit"
        )
    }
    sent_back_rows = _rows(sent_back, user, with_forms=("redispatch", "reject_objection"))
    for row in sent_back_rows:
        row.objection = objections.get(row.order.pk)
    extensions = list(
        ExtensionRequest.objects.filter(status=RequestStatus.PENDING, order__in=visible)
        .select_related("order", "order__unit", "requested_by")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    extension_rows = _rows([e.order for e in extensions], user, with_forms=("decide_extension",))
    for row, extension in zip(extension_rows, extensions, strict=True):
        row.extension = extension
    if intake_form is None:
        intake_form = IntakeForm(initial={"token": uuid.uuid4().hex})
    return {
        "intake_form": intake_form,
        "waiting_rows": waiting_rows,
        "sent_back_rows": sent_back_rows,
        "extension_rows": extension_rows,
        "overview": unit_overview(),
        "callback_count": visible.filter(status__in=[Status.APPROVED, Status.CALLBACK_DONE]).count(),
        "next_url": next_url,
    }


@role_required(Role.DISPATCHER)
def dispatch_board(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/dispatch_board.html", _board_context(request))


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
            if order.status == Status.DISPATCHED:
                messages.success(
                    request,
                    _("工单 %(number)s 已登记并转办至%(unit)s。") % {"number": order.number, "unit": order.unit.name},
                )
            else:
                messages.success(request, _("工单 %(number)s 已登记，等待转办。") % {"number": order.number})
            return redirect("tickets:dispatch_board")
    return render(request, "tickets/dispatch_board.html", _board_context(request, intake_form=form))


@require_GET
@role_required(Role.DISPATCHER)
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """The routing suggestion and the deadline the order would get, as the dispatcher types."""
    form = SuggestForm(request.GET)
    suggestions, deadlines, handling_type = [], None, None
    if form.is_valid():
        data = form.cleaned_data
        if data["address"] or data["topic"]:
            suggestions = routing_suggest(address=data["address"], topic=data["topic"])
        handling_type = data["handling_type"]
        if handling_type:
            deadlines = compute_deadlines(handling_type, timezone.now())
    now = timezone.now()
    return render(
        request,
        "tickets/partials/intake_suggest.html",
        {
            "suggestions": suggestions,
            "deadlines": deadlines,
            "handling_left": deadlines.handling - now if deadlines else None,
            "searched": form.is_valid() and bool(form.cleaned_data["address"] or form.cleaned_data["topic"]),
        },
    )


@require_GET
@role_required(Role.DISPATCHER, Role.SUPERVISOR)
def overview_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/partials/unit_overview.html", {"overview": unit_overview()})


# --- supervisor overview -----------------------------------------------------------------------


@role_required(Role.SUPERVISOR, Role.DISPATCHER)
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.orders_visible_to(user)
    overdue = visible.filter(pk__in=selectors.overdue_orders().values("pk")).order_by("handling_deadline")
    unsatisfied = visible.filter(status=Status.CALLBACK_DONE, satisfaction=Satisfaction.UNSATISFIED).order_by(
        "callback_at"
    )
    next_url = reverse("tickets:overview")
    return render(
        request,
        "tickets/overview.html",
        {
            "overview": unit_overview(),
            "overdue_rows": _rows(overdue[:QUEUE_LIMIT], user),
            "unsatisfied_rows": _rows(unsatisfied[:QUEUE_LIMIT], user, with_forms=("reopen",)),
            "next_url": next_url,
            "supervision_url": _url_or_none("supervision:notice_list"),
        },
    )


# --- unit workbench ------------------------------------------------------------------------------

UNIT_FORMS = ("contact", "report", "send_back", "request_extension", "assign")


@role_required(Role.OFFICER, Role.UNIT_HEAD)
def workbench(request: HttpRequest) -> HttpResponse:
    """The unit's open orders, the nearest deadline first, with the forms to work them."""
    user = request.user
    visible = selectors.orders_visible_to(user)
    owed = visible.filter(status__in=UNIT_WORK_STATUSES).order_by("handling_deadline", "received_at")
    waiting = visible.filter(status__in=[Status.REPORTED, Status.SENT_BACK]).order_by("-updated_at")[:50]
    next_url = reverse("tickets:workbench")
    rows = _rows(owed[:QUEUE_LIMIT], user, with_forms=UNIT_FORMS)
    states = [timewords.deadline_state(r.time_left) for r in rows if r.time_left is not None]
    pending_extensions = set(
        ExtensionRequest.objects.filter(order__in=[r.order for r in rows], status=RequestStatus.PENDING).values_list(
            "order_id", flat=True
        )
    )
    return render(
        request,
        "tickets/workbench.html",
        {
            "rows": rows,
            "waiting_rows": _rows(waiting, user),
            "pending_extensions": pending_extensions,
            "notices": _open_notices_for_unit(user.unit),
            "next_url": next_url,
            "counts": {
                "open": len(rows),
                "soon": sum(1 for s in states if s == timewords.SOON),
                "overdue": sum(1 for s in states if s == timewords.OVERDUE),
            },
        },
    )


# --- review queue ----------------------------------------------------------------------------------


@role_required(Role.REVIEWER)
def review_queue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Reported results waiting for review; the chosen one shown with its timeline and report."""
    user = request.user
    queue = list(selectors.orders_visible_to(user).filter(status=Status.REPORTED).order_by("reported_at")[:QUEUE_LIMIT])
    current = None
    if pk is not None:
        current = _order_or_404(user, pk)
    elif queue:
        current = queue[0]
    context = {"queue": queue, "current": current}
    if current is not None:
        context.update(_order_context(request, current, next_url=reverse("tickets:review_queue")))
        context["latest_report"] = current.reports.select_related("author").order_by("-created_at", "-id").first()
    return render(request, "tickets/review_queue.html", context)


# --- callback queue --------------------------------------------------------------------------------


@role_required(Role.DISPATCHER)
def callback_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.orders_visible_to(user)
    next_url = reverse("tickets:callback_queue")
    approved = visible.filter(status=Status.APPROVED).order_by("reviewed_at")[:QUEUE_LIMIT]
    called = visible.filter(status=Status.CALLBACK_DONE).order_by("callback_at")[:QUEUE_LIMIT]
    approved_rows = _rows(approved, user, with_forms=("callback",))
    called_rows = _rows(called, user, with_forms=("close", "reopen"))
    for row in approved_rows:
        row.latest_report = row.order.reports.order_by("-created_at", "-id").first()
    for row in called_rows:
        row.latest_callback = row.order.callbacks.order_by("-created_at", "-id").first()
    return render(
        request,
        "tickets/callback_queue.html",
        {"approved_rows": approved_rows, "called_rows": called_rows, "next_url": next_url},
    )


# --- order detail and actions ------------------------------------------------------------------------


def _order_context(
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
    return {
        "order": order,
        "suggestions": suggestions,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "time_left": selectors.time_left(order),
        "events": order.events.select_related("actor").order_by("created_at", "id"),
        "contacts": order.contacts.select_related("officer"),
        "reports": order.reports.select_related("author"),
        "reviews": order.reviews.select_related("reviewer"),
        "callbacks": order.callbacks.select_related("caller"),
        "extensions": order.extensions.select_related("requested_by", "decided_by").order_by("created_at"),
        "objections": order.objections.select_related("raised_by", "unit", "decided_by").order_by("created_at"),
        "merged_orders": order.merged_orders.all(),
        "notices": _notices_for_order(order, user),
        "action_forms": forms,
        "open_action": failed.action if failed is not None else "",
        "next_url": next_url or reverse("tickets:order_detail", args=[order.pk]),
    }


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request.user, pk)
    return render(request, "tickets/order_detail.html", _order_context(request, order))


def _already_done(order: WorkOrder, user, action: str) -> bool:
    """Whether this user's last act on the order was this very action (a repeated submit)."""
    last = order.events.order_by("-created_at", "-id").first()
    return last is not None and last.actor_id == user.pk and last.action == action


@require_POST
@login_required
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action on an order. The buttons come from `allowed_actions`; the service decides."""
    order = _order_or_404(request.user, pk)
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
                return redirect(_safe_next(request, detail_url))
            form.apply_workflow_error(exc)
        except WorkflowError as exc:
            form.apply_workflow_error(exc)
        else:
            order.refresh_from_db()
            label = TRANSITIONS[action].label
            messages.success(
                request, _("工单 %(number)s：%(action)s 已完成。") % {"number": order.number, "action": label}
            )
            target = _safe_next(request, detail_url)
            # After an action the order may have left this user's sight (a reviewer's approved order
            # stays visible, a unit's redispatched one does not); never send them to a 404.
            if target == detail_url and selectors.order_for_user(request.user, order.pk) is None:
                target = reverse("home")
            return redirect(target)
    order.refresh_from_db()
    context = _order_context(request, order, failed=form, next_url=_safe_next(request, detail_url))
    if form in context["action_forms"]:
        messages.error(request, _("未能完成操作，请检查下面标出的内容。"))
    else:
        # The action is no longer on offer (somebody else moved the order): say why up top.
        for error in form.non_field_errors() or [_("未能完成操作，请检查下面标出的内容。")]:
            messages.error(request, error)
    return render(request, "tickets/order_detail.html", context)


# --- search --------------------------------------------------------------------------------------


# Shown at once on the search page; the FilterSet's other filters sit under "more conditions".
SEARCH_PRIMARY_FIELDS = ("q", "status", "unit", "topic", "overdue", "received", "received_after", "received_before")


def _fit_search_form(form, user) -> None:
    """Browser widgets for the shared FilterSet's fields; the filtering itself is untouched.

    Multiple choices become checkboxes, date ranges date pickers, ISO date-times the browser's
    date-time picker; the unit and officer lists hold only units that take orders and their staff.
    """
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        elif isinstance(getattr(field, "widget", None), forms.MultiWidget):
            for widget in field.widget.widgets:
                widget.input_type = "date"
        elif isinstance(field, forms.DateTimeField) and not isinstance(field.widget, forms.HiddenInput):
            field.widget = DateTimeLocalInput()
        if name == "unit" and hasattr(field, "queryset"):
            field.queryset = dispatch_units()
        if name == "officer" and hasattr(field, "queryset"):
            staff = User.objects.filter(role__in=[Role.OFFICER, Role.UNIT_HEAD], is_active=True)
            if user.works_in_unit:
                staff = staff.filter(unit_id=user.unit_id)
            field.queryset = staff.select_related("unit").order_by("unit__name", "full_name", "username")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    # The API's FilterSet: the browser search filters exactly as GET /api/orders/ does.
    filterset = OrderFilter(
        request.GET or None, queryset=selectors.orders_visible_to(user).order_by("-received_at", "-id"), request=request
    )
    _fit_search_form(filterset.form, user)
    primary = sorted(
        (f for f in filterset.form.visible_fields() if f.name in SEARCH_PRIMARY_FIELDS),
        key=lambda f: SEARCH_PRIMARY_FIELDS.index(f.name),
    )
    more = [f for f in filterset.form.visible_fields() if f.name not in SEARCH_PRIMARY_FIELDS]
    # An invalid filter is shown with its error; the valid ones still apply.
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tickets/search.html",
        {
            "filter": filterset,
            "primary_fields": primary,
            "more_fields": more,
            "more_used": any(request.GET.get(f.name) for f in more) or any(f.errors for f in more),
            "page": page,
            "rows": _rows(page.object_list, user),
            "query": query.urlencode(),
        },
    )
