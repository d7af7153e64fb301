"""The work-order state machine: one table of allowed transitions, and who may make each.

Everything that decides whether an action is allowed reads `TRANSITIONS`: the services before
they act, the browser when it draws buttons and the API when it lists actions. So the UI never
offers what a service would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from stations.models import Role

from .exceptions import (
    MSG_FORBIDDEN_IN_STATE,
    MSG_NOT_YOUR_UNIT,
    MSG_ROLE_NOT_ALLOWED,
    InvalidTransition,
    NotPermitted,
)
from .models import RequestStatus, Satisfaction, Status, WorkOrder

S = Status
UNIT_STAFF = frozenset({Role.OFFICER, Role.UNIT_HEAD})
DISPATCH_DESK = frozenset({Role.DISPATCHER})
REVIEWERS = frozenset({Role.REVIEWER})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    # The status the order moves to; None when it stays where it is (extension, assignment)
    # or goes back to where it came from (a rejected objection).
    target: str | None
    roles: frozenset[str]
    # The actor must work in the order's responsible unit.
    own_unit: bool = False
    # An extra condition on the order, with the message to give when it fails.
    guard: Callable[[WorkOrder], bool] | None = None
    guard_message: str = ""


def _callback_unsatisfied(order: WorkOrder) -> bool:
    return order.satisfaction == Satisfaction.UNSATISFIED


def _pending_extension(order: WorkOrder) -> bool:
    # A list of orders annotates this (`selectors.with_pending_extension`) so drawing its buttons
    # does not ask once per row; a single order (and every service, on the locked row) asks.
    known = getattr(order, "has_pending_extension", None)
    if known is not None:
        return known
    return order.extensions.filter(status=RequestStatus.PENDING).exists()


def _no_pending_extension(order: WorkOrder) -> bool:
    return not _pending_extension(order)


def _has_pending_extension(order: WorkOrder) -> bool:
    return _pending_extension(order)


def _not_signed(order: WorkOrder) -> bool:
    return order.signed_at is None


_TABLE = [
    Transition("dispatch", _("转办"), frozenset({S.RECEIVED}), S.DISPATCHED, DISPATCH_DESK),
    Transition(
        "redispatch",
        _("改派"),
        frozenset({S.DISPATCHED, S.CONTACTED, S.RETURNED, S.SENT_BACK}),
        S.DISPATCHED,
        DISPATCH_DESK,
    ),
    Transition(
        "sign",
        _("签收"),
        frozenset({S.DISPATCHED}),
        None,
        UNIT_STAFF,
        True,
        guard=_not_signed,
        guard_message=_("该工单已签收。"),
    ),
    Transition("contact", _("联系群众"), frozenset({S.DISPATCHED}), S.CONTACTED, UNIT_STAFF, True),
    Transition("report", _("上报结果"), frozenset({S.CONTACTED, S.RETURNED}), S.REPORTED, UNIT_STAFF, True),
    Transition("approve", _("审核通过"), frozenset({S.REPORTED}), S.APPROVED, REVIEWERS),
    Transition("return", _("退回重办"), frozenset({S.REPORTED}), S.RETURNED, REVIEWERS),
    Transition("callback", _("回访"), frozenset({S.APPROVED}), S.CALLBACK_DONE, DISPATCH_DESK),
    Transition("close", _("办结"), frozenset({S.CALLBACK_DONE}), S.CLOSED, DISPATCH_DESK),
    Transition(
        "reopen",
        _("重办"),
        frozenset({S.CALLBACK_DONE}),
        S.DISPATCHED,
        frozenset({Role.DISPATCHER, Role.SUPERVISOR}),
        guard=_callback_unsatisfied,
        guard_message=_("只有回访不满意的工单才能重办。"),
    ),
    Transition(
        "send_back",
        _("退单"),
        frozenset({S.DISPATCHED, S.CONTACTED}),
        S.SENT_BACK,
        UNIT_STAFF,
        True,
    ),
    Transition("reject_objection", _("驳回退单"), frozenset({S.SENT_BACK}), None, DISPATCH_DESK),
    Transition(
        "merge",
        _("并单"),
        frozenset({S.RECEIVED, S.DISPATCHED, S.CONTACTED}),
        S.MERGED,
        DISPATCH_DESK,
    ),
    Transition(
        "request_extension",
        _("申请延期"),
        frozenset({S.DISPATCHED, S.CONTACTED, S.RETURNED}),
        None,
        UNIT_STAFF,
        True,
        guard=_no_pending_extension,
        guard_message=_("该工单已有待审批的延期申请。"),
    ),
    Transition(
        "decide_extension",
        _("审批延期"),
        frozenset({S.DISPATCHED, S.CONTACTED, S.RETURNED}),
        None,
        DISPATCH_DESK,
        guard=_has_pending_extension,
        guard_message=_("该工单没有待审批的延期申请。"),
    ),
    Transition(
        "instruct",
        _("记录领导批示"),
        frozenset(s for s in S if s not in (S.CLOSED, S.MERGED)),
        None,
        frozenset({Role.DISPATCHER, Role.SUPERVISOR}),
    ),
    Transition(
        "assign",
        _("指定承办民警"),
        frozenset({S.DISPATCHED, S.CONTACTED, S.RETURNED}),
        None,
        frozenset({Role.UNIT_HEAD}),
        True,
    ),
]

TRANSITIONS: dict[str, Transition] = {t.action: t for t in _TABLE}

# Actions written by the system, not a person: they appear in the timeline but are not offered.
SYSTEM_ACTIONS = {
    "intake": _("接单"),
    "closed_with_primary": _("随主工单办结"),
    "extension_cancelled": _("延期申请撤销"),
    "relate": _("关联"),
    # Written by the attachments app (attachments.services.attachment_upload).
    "attachment_upload": _("上传附件"),
    # Written by the supervision sweep (supervision.ladder): a step of the escalation ladder.
    "ladder": _("升级提醒"),
}


def action_label(action: str) -> str:
    if action in TRANSITIONS:
        return str(TRANSITIONS[action].label)
    return str(SYSTEM_ACTIONS.get(action, action))


def _refusal(transition: Transition, order: WorkOrder, user) -> str | None:
    """Which rule stops `user` taking `transition` on `order` now ("state", "role", "unit",
    "guard"), in the order `check` applies them; None when nothing does."""
    if order.status not in transition.sources:
        return "state"
    if user is None or user.role not in transition.roles:
        return "role"
    if transition.own_unit and (user.unit_id is None or user.unit_id != order.unit_id):
        return "unit"
    if transition.guard is not None and not transition.guard(order):
        return "guard"
    return None


def check(order: WorkOrder, user, action: str) -> Transition:
    """Raise unless `user` may perform `action` on `order` now; return the transition."""
    transition = TRANSITIONS[action]
    refusal = _refusal(transition, order, user)
    if refusal == "state":
        raise InvalidTransition(
            MSG_FORBIDDEN_IN_STATE % {"status": order.get_status_display(), "action": transition.label}
        )
    if refusal == "role":
        raise NotPermitted(MSG_ROLE_NOT_ALLOWED % {"action": transition.label})
    if refusal == "unit":
        raise NotPermitted(MSG_NOT_YOUR_UNIT % {"action": transition.label})
    if refusal == "guard":
        raise InvalidTransition(transition.guard_message)
    return transition


def allowed_actions(order: WorkOrder, user) -> list[Transition]:
    """The actions `user` may take on `order` now, in table order (for buttons and the API).

    The same rules as `check`, without building (and translating) a refusal message for each
    action not allowed: a page of 100 rows asks this 1,500 times.
    """
    return [transition for transition in _TABLE if _refusal(transition, order, user) is None]
