"""Search over the orders a user may see."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stations.models import Role, User

from .. import selectors
from ..filters import OrderFilter
from ..forms import DateTimeLocalInput, dispatch_units
from .common import (
    order_rows,
)

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
            "rows": order_rows(page.object_list, user),
            "query": query.urlencode(),
        },
    )
