"""Reads on work orders: who may see what, and what they see of the caller."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from stations.models import Role

from .models import (
    OPEN_STATUSES,
    UNIT_WORK_STATUSES,
    ExtensionRequest,
    RequestStatus,
    Review,
    Status,
    Urgency,
    WorkOrder,
)

SEES_ALL = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def orders_visible_to(user) -> QuerySet[WorkOrder]:
    """Orders `user` may see.

    Dispatchers, supervisors and administrators see all; officers and unit heads their unit's;
    reviewers the orders waiting for review and those they reviewed.
    """
    orders = WorkOrder.objects.select_related("topic", "unit", "officer", "signed_by")
    if user is None or not user.is_authenticated or not user.is_active:
        return orders.none()
    if user.is_superuser or user.role in SEES_ALL:
        return orders
    if user.works_in_unit:
        if user.unit_id is None:
            return orders.none()
        return orders.filter(unit_id=user.unit_id)
    if user.role == Role.REVIEWER:
        # EXISTS, not a join: a join needs DISTINCT, and DISTINCT over every review a reviewer
        # ever made cannot stop at the first page of a list ordered by an index.
        reviewed = Review.objects.filter(order_id=OuterRef("pk"), reviewer=user)
        return orders.filter(Q(status=Status.REPORTED) | Exists(reviewed))
    return orders.none()


def of_visible_orders(records: QuerySet, user, field: str = "order") -> QuerySet:
    """`records` (rows that belong to an order through `field`) narrowed to the orders `user` may
    see. Nothing is added for those who see every order: `order_id IN (all orders)` could lead
    the planner to read the whole order table where the records' own index suffices."""
    if user is not None and user.is_authenticated and user.is_active and (user.is_superuser or user.role in SEES_ALL):
        return records
    return records.filter(**{f"{field}__in": orders_visible_to(user).select_related(None)})


def order_for_user(user, pk) -> WorkOrder | None:
    """The order with this id if `user` may see it, else None (so callers answer 404)."""
    return orders_visible_to(user).filter(pk=pk).first()


def linked_orders(user, order: WorkOrder) -> tuple[list[WorkOrder], list[WorkOrder]]:
    """The repeats merged into `order` (并单), oldest first, and the orders linked to it (登记并关联)
    that `user` may see, newest first: one query. Merged repeats are part of the matter, shown to
    whoever sees `order`; a linked order is another matter, under its own visibility."""
    related = orders_visible_to(user).filter(pk__in=order.related_orders.values("pk")).values("pk")
    rows = list(WorkOrder.objects.filter(Q(merged_into=order) | Q(pk__in=related)).order_by("received_at", "pk"))
    merged = [o for o in rows if o.merged_into_id == order.pk]
    return merged, [o for o in reversed(rows) if o.merged_into_id != order.pk]


def may_see_caller(user, order: WorkOrder) -> bool:
    """Whether `user` may see the caller's full name and phone number.

    Those who must call the citizen need them: the dispatch desk (intake and callback) and the
    responsible unit's officers. A confidential caller is shown only to the officer handling the
    order (or, before one is named, to the unit's staff who must make contact) and the desk.
    """
    if user.is_superuser or user.role == Role.DISPATCHER:
        return True
    if user.works_in_unit and user.unit_id and user.unit_id == order.unit_id:
        if not order.confidential:
            return True
        return order.officer_id is None or order.officer_id == user.pk
    return False


def caller_visible_q(user) -> Q | None:
    """The orders whose caller `user` may see, as a filter; None when there are none.

    The same rule as `may_see_caller`, for querysets: searching by the caller's name or phone
    must not let someone who sees a masked number confirm whose it is.
    """
    if user.is_superuser or user.role == Role.DISPATCHER:
        return Q()
    if user.works_in_unit and user.unit_id:
        return Q(unit_id=user.unit_id) & (Q(confidential=False) | Q(officer__isnull=True) | Q(officer_id=user.pk))
    return None


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits."""
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    """张** : the family name only."""
    name = name.strip()
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def caller_for(user, order: WorkOrder) -> tuple[str, str]:
    """The caller's name and phone as `user` may see them."""
    if may_see_caller(user, order):
        return order.caller_name, order.caller_phone
    name = mask_name(order.caller_name) if order.confidential else order.caller_name
    return name, mask_phone(order.caller_phone)


def time_left(order: WorkOrder, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Time left to the handling deadline while the unit still owes work; negative if overdue."""
    if order.status not in UNIT_WORK_STATUSES or order.handling_deadline is None:
        return None
    return order.handling_deadline - (now or timezone.now())


def with_pending_extension(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Annotate `has_pending_extension`, which the workflow's extension guards read instead of
    asking the database once per row (a list of 100 orders would otherwise ask 100 times)."""
    pending = ExtensionRequest.objects.filter(order_id=OuterRef("pk"), status=RequestStatus.PENDING)
    return orders.annotate(has_pending_extension=Exists(pending))


def next_deadline_expression():
    """The nearer of an order's two clocks: the one-hour contact deadline while the order is not
    yet contacted (status 已转办), the handling deadline otherwise (and always the earlier of the
    two: a consultation's half day may end before an hour is up at the end of a working day)."""
    return Case(
        When(
            status=Status.DISPATCHED,
            contact_deadline__isnull=False,
            then=Least(F("contact_deadline"), Coalesce(F("handling_deadline"), F("contact_deadline"))),
        ),
        default=F("handling_deadline"),
    )


def unit_work_queue(user) -> QuerySet[WorkOrder]:
    """The open orders of `user`'s unit (as far as they may see them), the nearest deadline first.

    Annotated `next_due` (see `next_deadline_expression`) and `has_pending_extension`. The unit's
    open rows come from `order_open_work_idx`; sorting them by an expression is a sort of one
    unit's open work (tens to a few hundred rows), not of the table.
    """
    owed = orders_visible_to(user).filter(status__in=UNIT_WORK_STATUSES)
    return with_pending_extension(
        owed.annotate(next_due=next_deadline_expression()).order_by(
            F("next_due").asc(nulls_last=True), "received_at", "pk"
        )
    )


def unit_work_counts(orders: QuerySet[WorkOrder], now: dt.datetime, due_soon: dt.timedelta) -> dict[str, int]:
    """In one query: how many of `orders` are open, due within `due_soon` and overdue, each order
    by its nearest clock, so an order due for contact in 45 minutes counts as 临期 even when its
    handling deadline is tomorrow."""
    return (
        orders.annotate(next_due=next_deadline_expression())
        .order_by()
        .aggregate(
            open=Count("pk"),
            soon=Count("pk", filter=Q(next_due__gte=now, next_due__lt=now + due_soon)),
            overdue=Count("pk", filter=Q(next_due__lt=now)),
        )
    )


def unit_workload(now: dt.datetime, due_soon: dt.timedelta) -> dict[int, dict[str, int]]:
    """Per unit id: orders it owes work on (`open`), due within `due_soon`, overdue, sent back.

    Only the open orders are read, grouped by unit: two index-only scans of the partial
    indexes `order_open_work_idx` and `order_sent_back_idx`, whatever the size of the history.
    """
    counts: dict[int, dict[str, int]] = {}
    empty = {"open": 0, "due_soon": 0, "overdue": 0, "sent_back": 0}
    owed = (
        WorkOrder.objects.filter(status__in=UNIT_WORK_STATUSES, unit__isnull=False)
        .values("unit_id")
        .annotate(
            # Counting a column of the index (unit_id, never NULL here) keeps the scan index-only.
            open=Count("unit"),
            due_soon=Count("unit", filter=Q(handling_deadline__gte=now, handling_deadline__lt=now + due_soon)),
            overdue=Count("unit", filter=Q(handling_deadline__lt=now)),
        )
        .order_by()
    )
    for row in owed:
        counts[row["unit_id"]] = {**empty, "open": row["open"], "due_soon": row["due_soon"], "overdue": row["overdue"]}
    sent_back = (
        WorkOrder.objects.filter(status=Status.SENT_BACK, unit__isnull=False)
        .values("unit_id")
        .annotate(n=Count("unit"))
        .order_by()
    )
    for row in sent_back:
        counts.setdefault(row["unit_id"], dict(empty))["sent_back"] = row["n"]
    return counts


def open_orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(status__in=OPEN_STATUSES)


def overdue_orders(now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """Orders whose unit still owes work past the handling deadline."""
    return WorkOrder.objects.filter(status__in=UNIT_WORK_STATUSES, handling_deadline__lt=now or timezone.now())


# --- keyset pages of an order list (the REST list and the browser's order search) ---


@dataclass(frozen=True)
class Position:
    """Where a page starts: just after the row (`value`, `pk`) in the list's order, or just
    before it when `backwards` (the previous page)."""

    value: dt.datetime | float | None  # a time, or the rank of a ranked search
    pk: int
    backwards: bool = False


@dataclass
class KeysetPage:
    rows: list[WorkOrder]
    field: str
    has_next: bool
    has_previous: bool

    def position_after(self) -> Position | None:
        """The position the next page starts from, or None on the last page."""
        if not self.has_next or not self.rows:
            return None
        return Position(getattr(self.rows[-1], self.field), self.rows[-1].pk, backwards=False)

    def position_before(self) -> Position | None:
        if not self.has_previous or not self.rows:
            return None
        return Position(getattr(self.rows[0], self.field), self.rows[0].pk, backwards=True)


_MAX_ID = 2**63 - 1


def encode_position(position: Position) -> str:
    if isinstance(position.value, float):
        # A rank is a double (see search_orders): its exact value survives the trip through JSON.
        data = {"r": position.value, "i": position.pk, "b": position.backwards}
    else:
        value = position.value.isoformat() if position.value is not None else None
        data = {"v": value, "i": position.pk, "b": position.backwards}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_position(raw: str, clamp=None) -> Position:
    """The position in a cursor string; ValueError when it is not one of ours."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        pk, backwards = data["i"], data["b"]
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk <= _MAX_ID:
            raise ValueError
        if not isinstance(backwards, bool):
            raise ValueError
        if "r" in data:
            rank = data["r"]
            if isinstance(rank, bool) or not isinstance(rank, int | float) or not math.isfinite(rank):
                raise ValueError
            return Position(float(rank), pk, backwards)
        value = data["v"]
        position = None if value is None else dt.datetime.fromisoformat(value)
        if position is not None:
            if position.tzinfo is None:
                raise ValueError
            if clamp is not None:
                position = clamp(position)
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, OverflowError):
        raise ValueError("not a cursor") from None
    return Position(position, pk, backwards)


def _ordered(orders: QuerySet, field: str, descending: bool, presort: bool = False) -> QuerySet:
    # No NULLS FIRST/LAST here: the plain direction is what a forward or backward scan of the
    # column's B-tree returns, so the list stops after a page instead of sorting the table.
    # `presort` orders by an expression of the column instead, which no index provides: the
    # database then finds the filtered rows first (by their own index) and sorts just those.
    expression = F(field) + Value(dt.timedelta(0)) if presort else F(field)
    column = expression.desc() if descending else expression.asc()
    return orders.order_by(column, "-pk" if descending else "pk")


# A time-range filter on another column than the list's order: PostgreSQL plans to walk the
# order's index and stop after a page, assuming the matches are spread evenly. They are not:
# orders received (or closed) last week all have recent deadlines, so walking the deadlines
# from the oldest reads nearly the whole table first. When the filter leaves few enough rows,
# the page is taken from those rows, sorted (see `_ordered`). A range on the deadline itself
# (`overdue`, `due_before`) is left to the walk: the orders still open past their deadline are
# spread over the receipt times, and sorting them all costs more than walking to a page.
PRESORT_MAX_ROWS = 50_000
_TIME_COLUMNS = {"received_at", "closed_at", "reviewed_at", "callback_at"}


def _range_lookups(node, negated: bool = False):
    """(column, lookup, value) of the time-range conditions ANDed into a query's WHERE."""
    for child in getattr(node, "children", []):
        if hasattr(child, "children"):
            # Only conjunctions bound the rows; an OR or a NOT may let others in.
            if child.connector == "AND" and not child.negated and not negated:
                yield from _range_lookups(child)
        elif getattr(child, "lookup_name", None) in ("gt", "gte", "lt", "lte", "range") and not negated:
            target = getattr(getattr(child, "lhs", None), "target", None)
            if target is not None and target.column in _TIME_COLUMNS:
                yield target.column, child.lookup_name, child.rhs


def _range_columns(node) -> set[str]:
    return {column for column, _lookup, _value in _range_lookups(node)}


def _estimated_rows(orders: QuerySet) -> int | None:
    """The planner's estimate of how many rows `orders` holds (PostgreSQL), without reading them."""
    if connection.vendor != "postgresql":
        return None
    plan = json.loads(orders.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _presort(orders: QuerySet, field: str) -> bool:
    if not _range_columns(orders.query.where) - {field}:
        return False
    estimate = _estimated_rows(orders)
    return estimate is not None and estimate <= PRESORT_MAX_ROWS


def _beyond(field: str, value, pk: int, descending: bool) -> Q:
    """Rows strictly after (value, pk) in the order; the first term is the index range to scan."""
    op = "lt" if descending else "gt"
    return Q(**{f"{field}__{op}e": value}) & (Q(**{f"{field}__{op}": value}) | Q(**{f"pk__{op}": pk}))


def keyset_page(
    orders: QuerySet[WorkOrder], *, field: str, descending: bool, size: int, position: Position | None = None
) -> KeysetPage:
    """One page of `orders` ordered by `field` (then id, the same way), NULLs last, from `position`.

    Every page costs what the first costs: the next page is `WHERE (field, id) > position`,
    never an OFFSET, and no COUNT(*) of the whole list is made. A nullable column is read in
    two segments — its values, then its NULLs by id — so each segment is one ordered index scan
    (`ORDER BY x DESC NULLS LAST` matches no B-tree scan and sorts the whole table).
    """
    backwards = bool(position and position.backwards)
    # Going back walks the same order reversed: the NULLs, which come last, then come first.
    desc = descending != backwards
    nulls_last = not backwards
    want = size + 1
    presort = _presort(orders, field)
    if not orders.model._meta.get_field(field).null:
        page = _ordered(orders, field, desc, presort)
        if position is not None:
            page = page.filter(_beyond(field, position.value, position.pk, desc))
        rows = list(page[:want])
    else:
        values = _ordered(orders.filter(**{f"{field}__isnull": False}), field, desc, presort)
        nulls = orders.filter(**{f"{field}__isnull": True}).order_by("-pk" if desc else "pk")
        if position is None:
            segments = [values, nulls] if nulls_last else [nulls, values]
        elif position.value is None:
            after = nulls.filter(**{f"pk__{'lt' if desc else 'gt'}": position.pk})
            segments = [after] if nulls_last else [after, values]
        else:
            after = values.filter(_beyond(field, position.value, position.pk, desc))
            segments = [after, nulls] if nulls_last else [after]
        rows = []
        for segment in segments:
            if len(rows) >= want:
                break
            rows.extend(segment[: want - len(rows)])
    return _keyset_result(rows, field, size, position)


def _keyset_result(rows: list[WorkOrder], field: str, size: int, position: Position | None) -> KeysetPage:
    """The page from up to `size + 1` rows read in the walk's direction (the extra one tells
    whether there is more); a backward walk's rows are put back in the list's order."""
    more = len(rows) > size
    rows = rows[:size]
    if position is not None and position.backwards:
        rows.reverse()
        return KeysetPage(rows, field, has_next=True, has_previous=more)
    return KeysetPage(rows, field, has_next=more, has_previous=position is not None)


# --- pages of a ranked text search (`q` words, no ordering asked for): best match first ---

RANK = "search_rank"


def is_ranked(orders) -> bool:
    """Whether `orders` is a ranked search (`tickets.search.search_orders` annotates the rank)."""
    return isinstance(orders, QuerySet) and RANK in orders.query.annotations


def rank_page(orders: QuerySet[WorkOrder], *, size: int, position: Position | None = None) -> KeysetPage:
    """One page of a ranked search, best first, then by id: the same keyset walk as `keyset_page`.

    The ranked list holds at most `search.RANK_WINDOW` rows, so ordering it by rank is cheap.
    """
    descending = not (position and position.backwards)
    page = _ordered(orders, RANK, descending)
    if position is not None:
        page = page.filter(_beyond(RANK, position.value, position.pk, descending))
    return _keyset_result(list(page[: size + 1]), RANK, size, position)


def order_page(
    orders: QuerySet[WorkOrder], *, field: str, descending: bool, size: int, position: Position | None = None
) -> KeysetPage:
    """A page of an order list, the REST list's and the browser search's: a ranked search best
    first, any other list by `field`. ValueError when `position` belongs to the other kind of
    list (a cursor kept from before the search words changed)."""
    ranked = is_ranked(orders)
    if position is not None and isinstance(position.value, float) != ranked:
        raise ValueError("a cursor of another list")
    if ranked:
        return rank_page(orders, size=size, position=position)
    return keyset_page(orders, field=field, descending=descending, size=size, position=position)


# --- the dispatch desk: its queues' order, and the live board's pulse ---

URGENCY_RANK = Case(
    When(urgency=Urgency.CRITICAL, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
)


def desk_waiting_queue(user) -> QuerySet[WorkOrder]:
    """Orders waiting for dispatch: 特急, then 紧急, then the rest; the longest waiting first
    within each. The waiting orders are few (found by `order_status_received_idx`), so sorting
    them by an expression costs a sort of those rows, not of the table."""
    return (
        orders_visible_to(user)
        .filter(status=Status.RECEIVED)
        .annotate(urgency_rank=URGENCY_RANK)
        .order_by("urgency_rank", "received_at", "pk")
    )


@dataclass(frozen=True)
class DeskPulse:
    """What the live dispatcher board polls: how many wait in each desk queue, and a stamp that
    changes whenever any of those queues (or the user's unread count) changes."""

    waiting: int
    sent_back: int
    extensions: int
    unread: int
    urgent_top: int
    stamp: str

    @property
    def total(self) -> int:
        return self.waiting + self.sent_back + self.extensions


def desk_pulse(user, unread: QuerySet | None = None) -> DeskPulse:
    """The desk's counts and change stamp in one round trip: a UNION ALL of small aggregates, each
    over a partial index (`order_status_received_idx`, `order_sent_back_idx`, the pending
    extensions' unique index; `inbox_user_read_idx` for `unread`, the user's unread inbox items,
    passed in by the caller so this module does not depend on the supervision app).

    (count, latest change, highest id) of a set changes whenever a row enters it (the newest
    change and id are then that row's) or leaves it (the count drops), so it stands for the
    whole list without reading it. `urgent_top` is the highest id among the 紧急/特急 orders
    waiting: it grows when one arrives (the board's optional sound).
    """
    none_time = Value(None, output_field=DateTimeField())

    def part(queryset, kind: str, last, top):
        return (
            queryset.order_by()
            .annotate(kind=Value(kind))
            .values("kind")
            .annotate(n=Count("pk"), last=last, top=Coalesce(top, Value(0)))
            .values_list("kind", "n", "last", "top")
        )

    visible = orders_visible_to(user).select_related(None)
    urgent = Q(urgency__in=[Urgency.URGENT, Urgency.CRITICAL])
    pending = of_visible_orders(ExtensionRequest.objects.filter(status=RequestStatus.PENDING), user)
    parts = [
        part(visible.filter(status=Status.RECEIVED), "w", Max("updated_at"), Max("pk", filter=urgent)),
        part(visible.filter(status=Status.SENT_BACK), "s", Max("updated_at"), Max("pk")),
        part(pending, "e", Max("created_at"), Max("pk")),
    ]
    if unread is not None:
        parts.append(part(unread, "u", none_time, Max("pk")))
    found = {kind: (n, last, top) for kind, n, last, top in parts[0].union(*parts[1:], all=True)}
    empty = (0, None, 0)
    stamp = "|".join(
        "{}{}:{}:{}".format(k, *(v.isoformat() if isinstance(v, dt.datetime) else v for v in found.get(k, empty)))
        for k in "wseu"
    )
    return DeskPulse(
        waiting=found.get("w", empty)[0],
        sent_back=found.get("s", empty)[0],
        extensions=found.get("e", empty)[0],
        unread=found.get("u", empty)[0],
        urgent_top=found.get("w", empty)[2] or 0,
        stamp=stamp,
    )


# --- the callback desk ---


def _callback_filter(orders: QuerySet[WorkOrder], *, q: str = "", unit_id: int | None = None) -> QuerySet[WorkOrder]:
    """Narrow a callback queue by an order number, the caller's number or words of the address
    or content (`q`), and by the responsible unit. The queues are small (a partial index each),
    so a substring match on their rows is cheap."""
    if unit_id:
        orders = orders.filter(unit_id=unit_id)
    q = q.strip()
    if q:
        orders = orders.filter(
            Q(number__iexact=q) | Q(platform_number__iexact=q) | Q(caller_phone=q) | Q(address__icontains=q)
            | Q(content__icontains=q)
        )
    return orders


def callback_waiting(user, *, q: str = "", unit_id: int | None = None) -> QuerySet[WorkOrder]:
    """Approved orders waiting for their callback, the longest waiting first (`order_callback_queue_idx`)."""
    orders = orders_visible_to(user).filter(status=Status.APPROVED)
    return _callback_filter(orders, q=q, unit_id=unit_id).order_by("reviewed_at", "pk")


def callback_done(user, *, q: str = "", unit_id: int | None = None) -> QuerySet[WorkOrder]:
    """Called-back orders waiting to be closed or reopened, oldest callback first (`order_close_queue_idx`)."""
    orders = orders_visible_to(user).filter(status=Status.CALLBACK_DONE)
    return _callback_filter(orders, q=q, unit_id=unit_id).order_by("callback_at", "pk")
