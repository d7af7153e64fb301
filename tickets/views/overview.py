"""The supervisor's overview: the load and the clocks of every unit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from stations.models import Role

from .. import selectors, timewords
from ..forms import dispatch_units
from ..models import UNIT_WORK_STATUSES, Satisfaction, Status
from .common import (
    QUEUE_LIMIT,
    order_rows,
    role_required,
    url_or_none,
)


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


def suggest_acceptance() -> dict | None:
    """The suggestion model and how often dispatchers took its first guess in the last 30 days;
    None when the suggest app is not installed or has no model (looked up lazily, as supervision)."""
    try:
        from suggest import selectors as suggest_selectors
    except ImportError:
        return None
    model = suggest_selectors.current_model()
    if model is None:
        return None
    rates = suggest_selectors.acceptance_rates(since=timezone.now() - dt.timedelta(days=30))
    return {
        "model": model,
        "accuracy_percent": round(model.accuracy * 100, 1),
        "rates": [(label, rates.get(key)) for key, label in SUGGEST_TARGETS],
    }


SUGGEST_TARGETS = [("topic", _("主题")), ("handling_type", _("办理类型")), ("unit", _("承办单位"))]


@require_GET
@role_required(Role.DISPATCHER, Role.SUPERVISOR)
def overview_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/partials/unit_overview.html", {"overview": unit_overview()})


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
            "overdue_rows": order_rows(overdue[:QUEUE_LIMIT], user),
            "unsatisfied_rows": order_rows(unsatisfied[:QUEUE_LIMIT], user, with_forms=("reopen",)),
            "next_url": next_url,
            "supervision_url": url_or_none("supervision:notice_list"),
            "suggest": suggest_acceptance(),
        },
    )
