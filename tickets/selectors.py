"""Reads on work orders: who may see what, and what they see of the caller."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from stations.models import Role

from .models import OPEN_STATUSES, UNIT_WORK_STATUSES, Status, WorkOrder

SEES_ALL = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def orders_visible_to(user) -> QuerySet[WorkOrder]:
    """Orders `user` may see.

    Dispatchers, supervisors and administrators see all; officers and unit heads their unit's;
    reviewers the orders waiting for review and those they reviewed.
    """
    orders = WorkOrder.objects.select_related("topic", "unit", "officer")
    if user is None or not user.is_authenticated or not user.is_active:
        return orders.none()
    if user.is_superuser or user.role in SEES_ALL:
        return orders
    if user.works_in_unit:
        if user.unit_id is None:
            return orders.none()
        return orders.filter(unit_id=user.unit_id)
    if user.role == Role.REVIEWER:
        return orders.filter(Q(status=Status.REPORTED) | Q(reviews__reviewer=user)).distinct()
    return orders.none()


def order_for_user(user, pk) -> WorkOrder | None:
    """The order with this id if `user` may see it, else None (so callers answer 404)."""
    return orders_visible_to(user).filter(pk=pk).first()


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


def open_orders() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(status__in=OPEN_STATUSES)


def overdue_orders(now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    """Orders whose unit still owes work past the handling deadline."""
    return WorkOrder.objects.filter(
        status__in=UNIT_WORK_STATUSES, handling_deadline__lt=now or timezone.now()
    )
