"""Reads for notices and the inbox: who may see what. The workbench pages use these too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Role, Unit, User
from tickets.models import WorkOrder
from tickets.selectors import SEES_ALL, orders_visible_to

from .models import (
    AWAITING_RESPONSE_STATUSES,
    OPEN_NOTICE_STATUSES,
    EscalationLevel,
    InboxItem,
    Notice,
    NoticeEvent,
    Notification,
    Rule,
)

# The notice rule follows the order rule (`tickets.selectors.orders_visible_to`): whoever sees
# every order sees every notice.
SEES_ALL_NOTICES = SEES_ALL


def notices_visible_to(user) -> QuerySet[Notice]:
    """Notices `user` may open: the one visibility rule for notices, used by every list, page,
    letter and PDF (and by a notices API, when there is one).

    - the command center, supervisors and administrators (who see every order): every notice;
    - officers and unit heads: the notices addressed to their unit (they must sign and answer
      them), whatever orders they name;
    - anybody else, reviewers among them: only a notice that names an order they may see.

    What a notice shows of its orders is `notice_orders_for`.
    """
    notices = Notice.objects.select_related("unit", "issued_by", "escalated_to")
    if user is None or not user.is_authenticated or not user.is_active:
        return notices.none()
    if user.is_superuser or user.role in SEES_ALL_NOTICES:
        return notices
    if user.works_in_unit:
        return notices.filter(unit_id=user.unit_id) if user.unit_id else notices.none()
    names_visible_order = Notice.orders.through.objects.filter(
        notice_id=OuterRef("pk"), workorder_id__in=orders_visible_to(user).values("pk")
    )
    return notices.filter(Exists(names_visible_order))


@dataclass(frozen=True)
class NoticeOrders:
    """The orders of a notice as one reader may see them.

    `shown` are described (number, time, topic, address, status …); the others are only
    counted: `other_units` are orders the addressee unit may not see (another unit's orders),
    `withheld` orders the addressee may see but this reader may not.
    """

    shown: list[WorkOrder]
    other_units: int = 0
    withheld: int = 0

    @property
    def total(self) -> int:
        return len(self.shown) + self.other_units + self.withheld

    @property
    def hidden(self) -> int:
        return self.other_units + self.withheld


def addressee_reader(notice: Notice) -> User:
    """A stand-in for the staff of the notice's unit, to ask the order rule what they may see.

    Never saved; an officer of the unit sees exactly what the unit's staff see.
    """
    return User(username="", role=Role.OFFICER, unit_id=notice.unit_id, is_active=True)


def notice_orders_for(user, notice: Notice, *, as_addressed: bool = False) -> NoticeOrders:
    """The orders of `notice` that `user` may see, and how many more there are.

    Built on `orders_visible_to`, so an order the reader would get a 404 for is never described.
    `as_addressed=True` (the letter and its PDF, which are the document sent to the unit)
    shows only what the addressee unit may see, whoever prints it: the other units' orders are
    counted, not described, even in a copy printed by the command center.
    """
    linked = Notice.orders.through.objects.filter(notice_id=notice.pk)
    total = linked.count()
    if not total:
        return NoticeOrders(shown=[])
    in_notice = orders_visible_to(user).filter(pk__in=linked.values("workorder_id"))
    if not as_addressed:
        shown = list(in_notice.order_by("received_at", "pk"))
        if user is not None and getattr(user, "works_in_unit", False):
            return NoticeOrders(shown=shown, other_units=total - len(shown))
        return NoticeOrders(shown=shown, withheld=total - len(shown))
    addressee = orders_visible_to(addressee_reader(notice)).filter(pk__in=linked.values("workorder_id"))
    addressee_ids = set(addressee.values_list("pk", flat=True))
    if user is None:  # the letter as the unit receives it
        in_notice = addressee
    shown = list(in_notice.filter(pk__in=addressee_ids).order_by("received_at", "pk"))
    return NoticeOrders(shown=shown, other_units=total - len(addressee_ids), withheld=len(addressee_ids) - len(shown))


def notice_for_user(user, pk) -> Notice | None:
    """The notice if `user` may see it, else None (callers answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return notices_visible_to(user).filter(pk=pk).first()


# --- a notice's version (ETag) ------------------------------------------------------------------
#
# Every change to a notice appends a NoticeEvent (issue, sign, respond, close, escalate, linked
# orders), and events are never updated or deleted: their count is a version that only grows,
# without a column of its own. The API sends it as the ETag; a write with If-Match checks it again
# under the notice's row lock (services._lock).


def notice_version(notice: Notice | int) -> int:
    pk = notice.pk if isinstance(notice, Notice) else notice
    return NoticeEvent.objects.filter(notice_id=pk).count()


def with_versions(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """`notices` with each one's `version` (one subquery, no GROUP BY over the list)."""
    count = NoticeEvent.objects.filter(notice_id=OuterRef("pk")).order_by().values("notice_id").annotate(n=Count("*"))
    return notices.annotate(version=Coalesce(Subquery(count.values("n")), 0))


def notices_for_order(order: WorkOrder | int) -> QuerySet[Notice]:
    """Every notice that names the order, newest first."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    return Notice.objects.filter(orders=pk).select_related("unit", "issued_by").order_by("-issued_at", "-id")


def open_notices_for_unit(unit: Unit | int) -> QuerySet[Notice]:
    """The unit's notices not yet closed, those awaiting its answer first, soonest due first."""
    pk = unit.pk if isinstance(unit, Unit) else unit
    return Notice.objects.filter(unit_id=pk, status__in=OPEN_NOTICE_STATUSES).order_by("status", "respond_by")


def late_notices(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[Notice]:
    """Notices answered late or not at all by their respond-by time (for the weekly bulletin)."""
    qs = Notice.objects.filter(is_late=True).select_related("unit")
    if since is not None:
        qs = qs.filter(respond_by__gte=since)
    if until is not None:
        qs = qs.filter(respond_by__lt=until)
    return qs


def overdue_unanswered(now: dt.datetime | None = None) -> QuerySet[Notice]:
    return Notice.objects.filter(status__in=AWAITING_RESPONSE_STATUSES, respond_by__lt=now or timezone.now())


# --- the inbox -------------------------------------------------------------------------------


def unread_items(user) -> QuerySet[InboxItem]:
    """The user's unread inbox items (`inbox_user_read_idx`)."""
    if user is None or not user.is_authenticated:
        return InboxItem.objects.none()
    return InboxItem.objects.filter(user=user, read_at__isnull=True)


def unread_count(user) -> int:
    """Unread messages in the user's inbox (the header's badge)."""
    if user is None or not user.is_authenticated:
        return 0
    return unread_items(user).count()


def inbox_for_user(user, *, unread_only: bool = False, by_order: bool = False) -> QuerySet[InboxItem]:
    """The user's inbox, newest first; `by_order` keeps each order's messages together."""
    items = InboxItem.objects.filter(user=user).select_related(
        "notification", "notification__order", "notification__notice", "notification__unit"
    )
    if unread_only:
        items = items.filter(read_at__isnull=True)
    if by_order:
        return items.order_by(
            F("notification__order__number").desc(nulls_last=True), "-notification__created_at", "-id"
        )
    return items.order_by("-notification__created_at", "-id")


# The rules whose message asks for contact, and those that ask for a result.
_ASKS_FOR_CONTACT = {Rule.DISPATCH_NOTICE, Rule.CONTACT_WARNING}
_ASKS_FOR_RESULT = {Rule.EARLY_WARNING, Rule.OVERDUE}


def handled_note(notification: Notification) -> str:
    """What has happened to the order since the message was sent ('' if it still stands).

    A message read an hour late must not send an officer to call a citizen who was called.
    Reads only the order already joined to the notification: no query.
    """
    from tickets.models import Status

    order = notification.order
    if order is None:
        return ""
    if order.status == Status.CLOSED:
        return _("该工单已办结")
    if order.status == Status.MERGED:
        return _("该工单已并入其他工单")
    if notification.unit_id and order.unit_id and order.unit_id != notification.unit_id:
        return _("该工单已改派其他单位")
    # A new dispatch round clears contacted_at and reported_at, so these speak of the current round.
    if notification.category in _ASKS_FOR_CONTACT and order.contacted_at:
        return _("该工单已联系群众")
    if notification.category in _ASKS_FOR_RESULT and order.reported_at:
        return _("该工单已上报办理结果")
    return ""


def unit_inbox(unit: Unit | int | None) -> QuerySet[Notification]:
    """Everything sent to a unit, whoever of its staff has read it."""
    if unit is None:
        return Notification.objects.none()
    pk = unit.pk if isinstance(unit, Unit) else unit
    return Notification.objects.filter(unit_id=pk).select_related("order", "notice").order_by("-created_at", "-id")


# `rule` filter value for a notice issued by hand (its rule is blank).
RULE_MANUAL = "manual"


def notice_rule_choices() -> list[tuple[str, str]]:
    """Every rule the models know (whatever rules are added), and "issued by hand"."""
    return [*Rule.choices, (RULE_MANUAL, _("人工下发"))]


def filter_notices(
    qs: QuerySet[Notice],
    *,
    kind: str = "",
    status: str = "",
    unit: int | None = None,
    late: str = "",
    q: str = "",
    order_number: str = "",
    rule: str = "",
    issued_from: dt.datetime | None = None,
    issued_until: dt.datetime | None = None,
    user=None,
) -> QuerySet[Notice]:
    """Narrow `qs` by the list's filters. With `user`, `q` and `order_number` match only the
    numbers of orders that user may see: searching by another unit's order number must not reveal
    which of one's notices name it. `rule="manual"` is a notice issued by hand; the issue times
    are a half-open range [from, until)."""
    if kind:
        qs = qs.filter(kind=kind)
    if rule == RULE_MANUAL:
        qs = qs.filter(rule="")
    elif rule:
        qs = qs.filter(rule=rule)
    if issued_from is not None:
        qs = qs.filter(issued_at__gte=issued_from)
    if issued_until is not None:
        qs = qs.filter(issued_at__lt=issued_until)
    if order_number:
        orders = orders_visible_to(user) if user is not None else WorkOrder.objects.all()
        names_order = Notice.orders.through.objects.filter(
            notice_id=OuterRef("pk"), workorder_id__in=orders.filter(number=order_number).values("pk")
        )
        qs = qs.filter(Exists(names_order))
    if status == "open":
        qs = qs.filter(status__in=OPEN_NOTICE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=unit)
    if late == "yes":
        qs = qs.filter(Q(is_late=True) | Q(status__in=AWAITING_RESPONSE_STATUSES, respond_by__lt=timezone.now()))
    elif late == "no":
        qs = qs.exclude(Q(is_late=True) | Q(status__in=AWAITING_RESPONSE_STATUSES, respond_by__lt=timezone.now()))
    if q:
        orders = orders_visible_to(user) if user is not None else WorkOrder.objects.all()
        named = Notice.orders.through.objects.filter(
            notice_id=OuterRef("pk"), workorder_id__in=orders.filter(number__icontains=q).values("pk")
        )
        qs = qs.filter(Q(number__icontains=q) | Q(reason__icontains=q) | Exists(named))
    return qs


def escalation_ladder() -> QuerySet[EscalationLevel]:
    """The ladder as the admin shows it: by clock, then level."""
    return EscalationLevel.objects.order_by("clock", "position", "id")
