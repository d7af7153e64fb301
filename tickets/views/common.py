"""What the pages share: role checks, the order-or-404 rule, the safe `next`, list rows, the notices of an order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from stations.models import Unit

from .. import selectors
from ..forms import ACTION_FORMS, ChoiceLists
from ..models import WorkOrder
from ..workflow import allowed_actions

# How many rows a queue shows before it asks for the search page.
QUEUE_LIMIT = 100


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


def order_or_404(user, pk) -> WorkOrder:
    order = selectors.order_for_user(user, pk)
    if order is None:
        raise Http404
    return order


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _supervision_selectors():
    try:
        from supervision import selectors as supervision_selectors
    except ImportError:
        return None
    return supervision_selectors


def notices_for_order(order: WorkOrder, user) -> list | None:
    """The order's notices this user may open (a unit does not see letters to the unit before it)."""
    sel = _supervision_selectors()
    if sel is None or not hasattr(sel, "notices_for_order"):
        return None
    notices = sel.notices_for_order(order)
    if hasattr(sel, "notices_visible_to"):
        notices = notices.filter(pk__in=sel.notices_visible_to(user).values("pk"))
    return list(notices)


def open_notices_for_unit(unit: Unit | None, user) -> list | None:
    """The unit's open notices, as far as this user may open them (the one notice rule)."""
    sel = _supervision_selectors()
    if sel is None or unit is None or not hasattr(sel, "open_notices_for_unit"):
        return None
    notices = sel.open_notices_for_unit(unit)
    if hasattr(sel, "notices_visible_to"):
        notices = notices.filter(pk__in=sel.notices_visible_to(user).values("pk"))
    return list(notices)


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@dataclass
class Row:
    """An order as a list shows it: the caller as this user may see them, the time left, the actions.

    `actions` are the transitions offered on the row; their forms load when a person opens one
    (`partials/row_actions_lazy.html`), except those in `forms`, built now and shown inline.
    """

    order: WorkOrder
    caller_name: str
    caller_phone: str
    time_left: dt.timedelta | None
    actions: list
    forms: list
    url: str = ""
    # Whether this user may see the caller's number, and so gets it as a tap-to-call link.
    may_call: bool = False


def _detail_url_maker():
    """The detail URL of an order from its id: one reverse() for the whole list, not one per row."""
    marker = 987654321987
    pattern = reverse("tickets:order_detail", args=[marker])
    head, tail = pattern.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def order_rows(
    orders, user, *, with_forms: tuple[str, ...] = (), inline: tuple[str, ...] = (), lists: ChoiceLists | None = None
) -> list[Row]:
    """Rows for a list page: a constant number of queries whatever the number of rows.

    `with_forms` names the actions a row offers (their forms load on demand); `inline` those
    whose forms are built now and rendered in the row, sharing `lists` (the unit and officer
    choices, read once). Pass orders annotated by `selectors.with_pending_extension` when the
    extension actions may be offered, so their guards do not ask once per row.
    """
    now = timezone.now()
    lists = lists or ChoiceLists()
    url = _detail_url_maker()
    offered = set(with_forms) | set(inline)
    rows = []
    for order in orders:
        name, phone = selectors.caller_for(user, order)
        may_call = selectors.may_see_caller(user, order)
        actions = [t for t in allowed_actions(order, user) if t.action in offered] if offered else []
        forms = [ACTION_FORMS[t.action](order=order, user=user, lists=lists) for t in actions if t.action in inline]
        lazy = [t for t in actions if t.action not in inline]
        rows.append(Row(order, name, phone, selectors.time_left(order, now), lazy, forms, url(order.pk), may_call))
    return rows

