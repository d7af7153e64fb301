"""Search over the orders a user may see."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stations.models import Role, User

from .. import selectors, services
from ..exceptions import WorkflowError
from ..exports import EXPORT_MAX_ROWS, orders_xlsx
from ..filters import OrderFilter, clamp, order_by_spec, order_spec
from ..forms import DateTimeLocalInput, dispatch_units
from ..models import SavedSearch
from .common import order_rows, safe_next

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


def _filterset(request: HttpRequest) -> OrderFilter:
    # The API's FilterSet: the browser search filters exactly as GET /api/orders/ does.
    filterset = OrderFilter(
        request.GET or None,
        queryset=selectors.orders_visible_to(request.user).order_by("-received_at", "-id"),
        request=request,
    )
    _fit_search_form(filterset.form, request.user)
    return filterset


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    filterset = _filterset(request)
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

    def sort_link(column: str) -> dict:
        """A column head's link: sorted by this column, the other way round when it already is."""
        params = query.copy()
        params["ordering"] = column if (field == column and descending) else f"-{column}"
        if column == "handling_deadline":  # nearest deadline first is the natural first click
            params["ordering"] = f"-{column}" if (field == column and not descending) else column
        active = field == column
        return {"url": "?" + params.urlencode(), "active": active, "descending": descending if active else None}

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
            # A column head's sort link sets `ordering`: that alone does not unfold the other conditions.
            "more_used": any(request.GET.get(f.name) for f in more if f.name != "ordering")
            or any(f.errors for f in more),
            "rows": order_rows(page.rows, user),
            "count": count if count <= COUNT_CAP else None,
            "count_cap": COUNT_CAP,
            "next_link": link(page.position_after()),
            "previous_link": previous,
            "sort": {column: sort_link(column) for column in ("received_at", "handling_deadline")},
            "saved_searches": list(SavedSearch.objects.filter(user=user)),
            "current_query": services.saved_searches.clean_query(request.GET.urlencode()),
            "export_query": query.urlencode(),
            "export_max": EXPORT_MAX_ROWS,
        },
    )


@require_GET
@login_required
def search_export(request: HttpRequest) -> HttpResponse:
    """The search's result as an Excel file, in the list's order; refused above EXPORT_MAX_ROWS."""
    filterset = _filterset(request)
    field, descending = order_spec(request.GET.get("ordering"))
    results = order_by_spec(filterset.qs, field, descending)
    back = reverse("tickets:search") + ("?" + request.GET.urlencode() if request.GET else "")
    if results.order_by()[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:
        messages.warning(
            request,
            _("查询结果超过 %(n)s 张工单，请缩小查询条件（如受理日期）后再导出。") % {"n": EXPORT_MAX_ROWS},
        )
        return redirect(back)
    content = orders_xlsx(results.iterator(chunk_size=1000), request.user)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
    return response


@require_POST
@login_required
def saved_search_save(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        saved = services.saved_search_save(user=request.user, name=request.POST.get("name", ""), query=query)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("tickets:search") + "?" + services.saved_searches.clean_query(query))
    messages.success(request, _("已保存常用查询「%(name)s」。") % {"name": saved.name})
    return redirect(reverse("tickets:search") + ("?" + saved.query if saved.query else ""))


@require_POST
@login_required
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if services.saved_search_delete(user=request.user, pk=pk):
        messages.success(request, _("已删除常用查询。"))
    return redirect(safe_next(request, reverse("tickets:search")))
