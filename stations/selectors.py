"""Reads about staff: whom a user may see in the staff list."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Role, User


def staff_visible_to(user: User) -> QuerySet[User]:
    """The staff a user's role needs to see, and always the user themself.

    - a unit head: the officers and heads of their own unit (whom to assign an order to);
    - an officer: their unit's heads (whom to turn to);
    - the dispatcher and the supervisor: every unit's head, the units' duty contacts;
    - a reviewer: nobody else;
    - an administrator: everybody.

    Administrator accounts are listed to administrators only.
    """
    staff = User.objects.select_related("unit").order_by("unit__name", "username")
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return staff
    visible = Q(pk=user.pk)
    if user.role == Role.UNIT_HEAD and user.unit_id:
        visible |= Q(unit_id=user.unit_id, role__in=[Role.OFFICER, Role.UNIT_HEAD])
    elif user.role == Role.OFFICER and user.unit_id:
        visible |= Q(unit_id=user.unit_id, role=Role.UNIT_HEAD)
    elif user.role in (Role.DISPATCHER, Role.SUPERVISOR):
        visible |= Q(role=Role.UNIT_HEAD)
    administrators = Q(is_superuser=True) | Q(role=Role.ADMINISTRATOR)
    return staff.filter(visible).exclude(administrators & ~Q(pk=user.pk))
