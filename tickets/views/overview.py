"""The supervisor's overview: the load and the clocks of every unit."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from stations.models import Role, Unit

from .. import selectors, timewords
from ..forms import ChoiceLists, dispatch_units
from ..models import UNIT_WORK_STATUSES, Satisfaction, Status
from .common import (
    QUEUE_LIMIT,
    order_rows,
    role_required,
    url_or_none,
)


def unit_overview(now: dt.datetime | None = None, units: list[Unit] | None = None) -> list[Unit]:
    """Per handling unit: orders it owes work on, how many are due soon, how many overdue, sent back.

    Reads only the open orders, grouped by unit (`selectors.unit_workload`), and sets the counts
    on each unit of `units` (default: every unit orders may be dispatched to), busiest first.
    """
    now = now or timezone.now()
    counts = selectors.unit_workload(now, timewords.DUE_SOON)
    units = list(dispatch_units()) if units is None else list(units)
    for unit in units:
        for name, value in counts.get(unit.pk, {"open": 0, "due_soon": 0, "overdue": 0, "sent_back": 0}).items():
            setattr(unit, name, value)
    units.sort(key=lambda u: (-u.overdue, -u.due_soon, -u.open, u.name))
    return units


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
    now = timezone.now()
    # Both lists walk a partial index in order (`order_open_work_idx`, `order_close_queue_idx`).
    overdue = visible.filter(status__in=UNIT_WORK_STATUSES, handling_deadline__lt=now).order_by(
        "handling_deadline", "pk"
    )
    unsatisfied = visible.filter(status=Status.CALLBACK_DONE, satisfaction=Satisfaction.UNSATISFIED).order_by(
        "callback_at", "pk"
    )
    lists = ChoiceLists()
    next_url = reverse("tickets:overview")
    return render(
        request,
        "tickets/overview.html",
        {
            "overview": unit_overview(now, units=lists.units()),
            "overdue_rows": order_rows(overdue[:QUEUE_LIMIT], user),
            "unsatisfied_rows": order_rows(unsatisfied[:QUEUE_LIMIT], user, with_forms=("reopen",), lists=lists),
            "next_url": next_url,
            "supervision_url": url_or_none("supervision:notice_list"),
            "suggest": suggest_acceptance(),
        },
    )
