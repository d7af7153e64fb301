"""Reads for notices and the inbox: who may see what. The workbench pages use these too."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Role, Unit
from tickets.models import WorkOrder

from .models import AWAITING_RESPONSE_STATUSES, OPEN_NOTICE_STATUSES, InboxItem, Notice, Notification, Rule

SEES_ALL_NOTICES = (Role.DISPATCHER, Role.SUPERVISOR, Role.REVIEWER, Role.ADMINISTRATOR)


def notices_visible_to(user) -> QuerySet[Notice]:
    """Officers and unit heads see their unit's notices; the command center, reviewers,
    supervisors and administrators see all."""
    notices = Notice.objects.select_related("unit", "issued_by", "escalated_to")
    if user is None or not user.is_authenticated or not user.is_active:
        return notices.none()
    if user.is_superuser or user.role in SEES_ALL_NOTICES:
        return notices
    if user.works_in_unit and user.unit_id:
        return notices.filter(unit_id=user.unit_id)
    return notices.none()


def notice_for_user(user, pk) -> Notice | None:
    """The notice if `user` may see it, else None (callers answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return notices_visible_to(user).filter(pk=pk).first()


def notices_for_order(order: WorkOrder | int) -> QuerySet[Notice]:
    """Every notice that names the order, newest first."""
    pk = order.pk if isinstance(order, WorkOrder) else order
    return Notice.objects.filter(orders=pk).select_related("unit").order_by("-issued_at", "-id")


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


def unread_count(user) -> int:
    """Unread messages in the user's inbox (the header's badge)."""
    if user is None or not user.is_authenticated:
        return 0
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


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


def filter_notices(
    qs: QuerySet[Notice],
    *,
    kind: str = "",
    status: str = "",
    unit: int | None = None,
    late: str = "",
    q: str = "",
) -> QuerySet[Notice]:
    if kind:
        qs = qs.filter(kind=kind)
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
        qs = qs.filter(Q(number__icontains=q) | Q(reason__icontains=q) | Q(orders__number__icontains=q)).distinct()
    return qs
