"""Reads for notices and the inbox: who may see what. The workbench pages use these too."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from stations.models import Role, Unit
from tickets.models import WorkOrder

from .models import AWAITING_RESPONSE_STATUSES, OPEN_NOTICE_STATUSES, InboxItem, Notice, Notification

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


def inbox_for_user(user, *, unread_only: bool = False) -> QuerySet[InboxItem]:
    items = InboxItem.objects.filter(user=user).select_related(
        "notification", "notification__order", "notification__notice", "notification__unit"
    )
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-notification__created_at", "-id")


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
