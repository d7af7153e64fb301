"""典型案例: supervisors mark orders as good or bad examples; everybody may read them for training."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tickets.exceptions import InvalidInput, NotPermitted
from tickets.models import WorkOrder

from . import permissions as perms
from .models import CaseKind, TypicalCase

MSG_NOT_MANAGER = _("只有督导领导可以标记典型案例。")
MSG_REQUIRED = _("此项为必填项。")
MSG_UNKNOWN_ORDER = _("工单编号不存在。")
MSG_INVALID_KIND = _("请选择正面典型或反面典型。")


def find_order(number: str) -> WorkOrder:
    number = (number or "").strip()
    if not number:
        raise InvalidInput(MSG_REQUIRED, field_errors={"order": MSG_REQUIRED})
    order = WorkOrder.objects.filter(number=number).first()
    if order is None:
        raise InvalidInput(MSG_UNKNOWN_ORDER, field_errors={"order": MSG_UNKNOWN_ORDER})
    return order


def case_mark(*, order: WorkOrder | None, kind: str, title: str, commentary: str, acting_user) -> TypicalCase:
    """Mark `order` as a typical case, or change the case it already is (one case per order)."""
    if not perms.manages_analysis(acting_user):
        raise NotPermitted(MSG_NOT_MANAGER)
    errors = {}
    if order is None:
        errors["order"] = MSG_REQUIRED
    if kind not in CaseKind.values:
        errors["kind"] = MSG_INVALID_KIND
    if not (title or "").strip():
        errors["title"] = MSG_REQUIRED
    if not (commentary or "").strip():
        errors["commentary"] = MSG_REQUIRED
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)
    case, _created = TypicalCase.objects.update_or_create(
        order=order,
        defaults={
            "kind": kind,
            "title": title.strip(),
            "commentary": commentary.strip(),
            "marked_by": acting_user,
        },
    )
    return case


def case_unmark(*, case: TypicalCase, acting_user) -> None:
    if not perms.manages_analysis(acting_user):
        raise NotPermitted(MSG_NOT_MANAGER)
    case.delete()


def cases_list(*, topic_id: int | None = None, unit_id: int | None = None, kind: str = "") -> QuerySet[TypicalCase]:
    cases = TypicalCase.objects.select_related("order", "order__topic", "order__unit", "marked_by")
    if topic_id:
        cases = cases.filter(order__topic_id=topic_id)
    if unit_id:
        cases = cases.filter(order__unit_id=unit_id)
    if kind:
        cases = cases.filter(kind=kind)
    return cases
