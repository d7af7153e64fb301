"""Search over the orders a user may see."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stations.models import Role, User

from .. import selectors
from ..filters import OrderFilter, clamp, order_spec
from ..forms import DateTimeLocalInput, dispatch_units
from .common import (
    order_rows,
)

# Shown at once on the search page; the FilterSet's other filters sit under "more conditions".
SEARCH_PRIMARY_FIELDS = ("q", "status", "unit", "topic", "overdue", "received", "received_after", "received_before")
PAGE_SIZE = 50
# The count above the results stops here: counting every match of a broad search at a million
# orders would cost more than the page itself.
COUNT_CAP = 1000


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
    # An invalid filter is shown with its error; the valid ones still apply. Pages are keyset
    # pages as in the API (`?cursor=`, previous / next): page 500 costs what page 1 costs.
    field, descending = order_spec(request.GET.get("ordering"))
    results = filterset.qs
    try:
        position = selectors.decode_position(request.GET["cursor"], clamp=clamp) if request.GET.get("cursor") else None
        # Words without an ordering: the best matches first, as in the API.
        page = selectors.order_page(results, field=field, descending=descending, size=PAGE_SIZE, position=position)
    except ValueError:  # a mangled link, or one kept from another search: the first page
        page = selectors.order_page(results, field=field, descending=descending, size=PAGE_SIZE)
    count = results.order_by()[: COUNT_CAP + 1].count()
    query = request.GET.copy()
    for name in ("cursor", "page"):
        query.pop(name, None)

    def link(target):
        if target is None:
            return None
        params = query.copy()
        params["cursor"] = selectors.encode_position(target)
        return "?" + params.urlencode()

    previous = link(page.position_before())
    if page.has_previous and previous is None:
        previous = "?" + query.urlencode()  # walked back past the start: the first page
    return render(
        request,
        "tickets/search.html",
        {
            "filter": filterset,
            "primary_fields": primary,
            "more_fields": more,
            "more_used": any(request.GET.get(f.name) for f in more) or any(f.errors for f in more),
            "rows": order_rows(page.rows, user),
            "count": count if count <= COUNT_CAP else None,
            "count_cap": COUNT_CAP,
            "next_link": link(page.position_after()),
            "previous_link": previous,
        },
    )
