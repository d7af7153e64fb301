"""Writes on notices (督办单, 提醒函): issue, sign for, respond, close, escalate.

Like the order services: one table says who may do what in which status (`NOTICE_TRANSITIONS`);
each transition locks the notice row, re-checks the table, writes, appends a `NoticeEvent` and
notifies, all in one transaction. The browser views, the rules and the sweep call these.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from stations.models import Role, Unit
from tickets.events import event_written
from tickets.models import WorkOrder
from tickets.services import next_counter
from tickets.workcalendar import WorkCalendar, working_day_minutes

from .exceptions import (
    MSG_INVALID_KIND,
    MSG_NOT_ALLOWED_TO_ISSUE,
    MSG_NOTICE_FORBIDDEN_IN_STATE,
    MSG_NOTICE_NOT_YOUR_UNIT,
    MSG_NOTICE_ROLE_NOT_ALLOWED,
    MSG_NOTICE_STALE,
    MSG_ORDER_HAS_NO_UNIT,
    MSG_ORDER_REQUIRED,
    MSG_REASON_REQUIRED,
    MSG_RESPOND_BY_PAST,
    MSG_RESPONSE_REQUIRED,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    StaleVersion,
)
from .models import (
    DEFAULT_REMINDER_FORMAT,
    DEFAULT_SUPERVISION_FORMAT,
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeStatus,
    NotificationLevel,
    SupervisionPolicy,
)
from .notifications import notify_command_center, notify_unit
from .selectors import notice_version

logger = logging.getLogger(__name__)

UNIT_STAFF = frozenset({Role.OFFICER, Role.UNIT_HEAD})
SUPERVISORS = frozenset({Role.SUPERVISOR})


@dataclass(frozen=True)
class NoticeTransition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    own_unit: bool = False


_TABLE = [
    NoticeTransition(
        "sign", gettext_lazy("签收"), frozenset({NoticeStatus.ISSUED}), NoticeStatus.SIGNED, UNIT_STAFF, True
    ),
    NoticeTransition(
        "respond",
        gettext_lazy("反馈整改措施"),
        frozenset({NoticeStatus.SIGNED}),
        NoticeStatus.RESPONDED,
        frozenset({Role.UNIT_HEAD}),
        True,
    ),
    NoticeTransition(
        "close", gettext_lazy("办结"), frozenset({NoticeStatus.RESPONDED}), NoticeStatus.CLOSED, SUPERVISORS
    ),
]
NOTICE_TRANSITIONS: dict[str, NoticeTransition] = {t.action: t for t in _TABLE}


def check(notice: Notice, user, action: str) -> NoticeTransition:
    """Raise unless `user` may perform `action` on `notice` now."""
    transition = NOTICE_TRANSITIONS[action]
    if notice.status not in transition.sources:
        raise InvalidTransition(
            MSG_NOTICE_FORBIDDEN_IN_STATE % {"status": notice.get_status_display(), "action": transition.label}
        )
    if user is None or not user.is_active or user.role not in transition.roles:
        raise NotPermitted(MSG_NOTICE_ROLE_NOT_ALLOWED % {"action": transition.label})
    if transition.own_unit and (user.unit_id is None or user.unit_id != notice.unit_id):
        raise NotPermitted(MSG_NOTICE_NOT_YOUR_UNIT % {"action": transition.label})
    return transition


def allowed_notice_actions(notice: Notice, user) -> list[NoticeTransition]:
    """What `user` may do with `notice` now, for the buttons."""
    allowed = []
    for transition in _TABLE:
        try:
            check(notice, user, transition.action)
        except (InvalidTransition, NotPermitted):
            continue
        allowed.append(transition)
    return allowed


def notice_suggested_reason(order: WorkOrder, kind: str, *, now: dt.datetime | None = None) -> str:
    """A first draft of the 督办事由 for a notice issued by hand from an order's page."""
    from tickets.models import UNIT_WORK_STATUSES

    now = now or timezone.now()
    unit = order.unit.name if order.unit_id else _("承办单位")
    facts = {"number": order.number, "topic": order.topic.name, "unit": unit}
    if order.status in UNIT_WORK_STATUSES and order.handling_deadline and order.handling_deadline < now:
        days = (now - order.handling_deadline).days
        overdue = _("%(days)s 天") % {"days": days} if days >= 1 else _("不足 1 天")
        return _(
            "工单 %(number)s（%(topic)s）已超过办理时限 %(overdue)s仍未办结，请%(unit)s立即办理，"
            "并反馈办理结果和整改措施。"
        ) % {**facts, "overdue": overdue}
    if kind == NoticeKind.REMINDER:
        return _("工单 %(number)s（%(topic)s）请%(unit)s高度重视，认真办理并按时反馈。") % facts
    return _("请%(unit)s加快办理工单 %(number)s（%(topic)s），并按时反馈办理结果。") % facts


def may_issue(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR)


# --- helpers ---------------------------------------------------------------------------------


def in_bureau_language(func):
    """What a service writes down (reasons, notification titles) is in the bureau's language,
    whatever language the person who triggered it reads the pages in."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def notice_url(notice: Notice) -> str:
    return reverse("supervision:notice_detail", args=[notice.pk])


def order_url(order: WorkOrder) -> str:
    """The order's page in the workbench."""
    return reverse("tickets:order_detail", args=[order.pk])


def format_number(kind: str, year: int, seq: int, policy: SupervisionPolicy) -> str:
    fmt = policy.number_format(kind)
    try:
        return fmt.format(year=year, seq=seq)
    except (KeyError, IndexError, ValueError):
        logger.error("Bad notice number format %r; using the default", fmt)
        default = DEFAULT_SUPERVISION_FORMAT if kind == NoticeKind.SUPERVISION else DEFAULT_REMINDER_FORMAT
        return default.format(year=year, seq=seq)


def default_respond_by(issued_at: dt.datetime, policy: SupervisionPolicy) -> dt.datetime:
    """One working day (by default) after issue, on the working calendar."""
    minutes = float(policy.respond_working_days) * working_day_minutes()
    return WorkCalendar().add_working_minutes(issued_at, minutes)


def _record(notice: Notice, *, action: str, actor, from_status: str, note: str = "", payload=None) -> NoticeEvent:
    event = NoticeEvent.objects.create(
        notice=notice,
        action=action,
        from_status=from_status,
        to_status=notice.status,
        actor=actor,
        note=note,
        payload=payload or {},
    )
    # The connector's outbox and change feed, written in this transaction (tickets.events).
    event_written(event)
    return event


def _fmt_time(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- issue -----------------------------------------------------------------------------------


@in_bureau_language
def notice_issue(
    *,
    kind: str,
    unit: Unit,
    orders: Iterable[WorkOrder],
    reason: str,
    requirement: str = "",
    rule: str = "",
    acting_user=None,
    respond_by: dt.datetime | None = None,
    client_token: uuid.UUID | None = None,
    now: dt.datetime | None = None,
    policy: SupervisionPolicy | None = None,
) -> Notice:
    """Issue a numbered notice to `unit` about `orders` and tell the unit.

    The number is the next of the kind's yearly sequence, formatted by the policy
    (e.g. 督办〔2026〕第015号). Runs in the caller's transaction (the rules call it while they
    hold the order's row), or in its own.
    """
    policy = policy or SupervisionPolicy.load()
    now = now or timezone.now()
    with transaction.atomic():
        year = timezone.localtime(now).year
        seq = next_counter(f"notice:{kind}:{year}")
        notice = Notice.objects.create(
            kind=kind,
            number=format_number(kind, year, seq, policy),
            year=year,
            sequence=seq,
            rule=rule,
            reason=reason,
            requirement=requirement,
            unit=unit,
            issued_at=now,
            issued_by=acting_user,
            respond_by=respond_by or default_respond_by(now, policy),
            client_token=client_token,
        )
        orders = list(orders)
        notice.orders.set(orders)
        _record(
            notice,
            action="issue",
            actor=acting_user,
            from_status="",
            note=reason,
            payload={"rule": rule, "orders": [o.number for o in orders]},
        )
        label = notice.get_kind_display()
        notify_unit(
            unit=unit,
            title=_("收到%(kind)s %(number)s，请于%(respond_by)s前签收并反馈")
            % {"kind": label, "number": notice.number, "respond_by": _fmt_time(notice.respond_by)},
            body=reason,
            category=f"notice_{kind}",
            level=NotificationLevel.URGENT if kind == NoticeKind.SUPERVISION else NotificationLevel.WARNING,
            order=orders[0] if len(orders) == 1 else None,
            notice=notice,
            url=notice_url(notice),
        )
    return notice


def notice_issue_by_hand(
    *,
    acting_user,
    order: WorkOrder | None,
    kind: str,
    reason: str,
    requirement: str = "",
    respond_by: dt.datetime | None = None,
    client_token: uuid.UUID | None = None,
) -> Notice:
    """A supervisor issues a 督办单 or 提醒函 for any dispatched order.

    Idempotent on `client_token` (the form's hidden token): a double-clicked submit returns the
    notice the first click issued.
    """
    if not may_issue(acting_user):
        raise NotPermitted(MSG_NOT_ALLOWED_TO_ISSUE)
    if client_token is not None:
        existing = Notice.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing
    errors = {}
    if order is None:
        errors["order"] = MSG_ORDER_REQUIRED
    elif order.unit_id is None:
        errors["order"] = MSG_ORDER_HAS_NO_UNIT
    if kind not in NoticeKind.values:
        errors["kind"] = MSG_INVALID_KIND
    if not (reason or "").strip():
        errors["reason"] = MSG_REASON_REQUIRED
    if respond_by is not None:
        if timezone.is_naive(respond_by):
            respond_by = timezone.make_aware(respond_by)
        if respond_by <= timezone.now():
            errors["respond_by"] = MSG_RESPOND_BY_PAST
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)
    try:
        return notice_issue(
            kind=kind,
            unit=order.unit,
            orders=[order],
            reason=reason.strip(),
            requirement=(requirement or "").strip(),
            acting_user=acting_user,
            respond_by=respond_by,
            client_token=client_token,
        )
    except IntegrityError:
        # Two submits with the same token at the same moment: the other one issued it.
        existing = Notice.objects.filter(client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing


@in_bureau_language
@transaction.atomic
def notice_link_orders(*, notice: Notice, orders: Iterable[WorkOrder], note: str = "", acting_user=None) -> Notice:
    """Add orders to a notice (a repeated complaint joins the open 提醒函 about the same matter)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    orders = [o for o in orders if not notice.orders.filter(pk=o.pk).exists()]
    if not orders:
        return notice
    notice.orders.add(*orders)
    _record(
        notice,
        action="link_orders",
        actor=acting_user,
        from_status=notice.status,
        note=note,
        payload={"orders": [o.number for o in orders]},
    )
    return notice


# --- the unit answers, the supervisor closes -------------------------------------------------


def _lock(notice: Notice | int, expected_version: int | None = None) -> Notice:
    """The notice's row, locked; with `expected_version` (the API's If-Match), refused with
    StaleVersion when someone changed the notice since the caller read it."""
    pk = notice.pk if isinstance(notice, Notice) else notice
    locked = Notice.objects.select_for_update().select_related("unit").get(pk=pk)
    if expected_version is not None:
        current = notice_version(locked)
        if current != expected_version:
            raise StaleVersion(MSG_NOTICE_STALE % {"current": current})
    return locked


@transaction.atomic
def notice_sign(*, notice: Notice, acting_user, expected_version: int | None = None) -> Notice:
    """签收: the unit acknowledges the notice."""
    notice = _lock(notice, expected_version)
    check(notice, acting_user, "sign")
    from_status = notice.status
    notice.status = NoticeStatus.SIGNED
    notice.signed_at = timezone.now()
    notice.signed_by = acting_user
    notice.save()
    _record(notice, action="sign", actor=acting_user, from_status=from_status)
    return notice


@transaction.atomic
def notice_respond(*, notice: Notice, acting_user, response: str, expected_version: int | None = None) -> Notice:
    """反馈: the unit head states the remedy the unit commits to (整改措施).

    A response after the respond-by time is accepted and flagged late.
    """
    notice = _lock(notice, expected_version)
    check(notice, acting_user, "respond")
    response = (response or "").strip()
    if not response:
        raise InvalidInput(MSG_RESPONSE_REQUIRED, field_errors={"response": MSG_RESPONSE_REQUIRED})
    now = timezone.now()
    from_status = notice.status
    notice.status = NoticeStatus.RESPONDED
    notice.response = response
    notice.responded_at = now
    notice.responded_by = acting_user
    late = now > notice.respond_by
    if late:
        notice.is_late = True
    notice.save()
    _record(notice, action="respond", actor=acting_user, from_status=from_status, note=response, payload={"late": late})
    with override(settings.LANGUAGE_CODE):
        title = _("%(unit)s已反馈%(kind)s %(number)s的整改措施") % {
            "unit": notice.unit.name,
            "kind": notice.get_kind_display(),
            "number": notice.number,
        }
        if notice.issued_by_id is not None:
            notify_unit(
                unit=notice.issued_by.unit,
                users=[notice.issued_by],
                channels=False,
                title=title,
                body=response,
                category="notice_responded",
                notice=notice,
                url=notice_url(notice),
            )
        else:
            notify_command_center(
                title=title,
                body=response,
                category="notice_responded",
                notice=notice,
                url=notice_url(notice),
                channels=False,
            )
    return notice


@transaction.atomic
def notice_close(*, notice: Notice, acting_user, note: str = "", expected_version: int | None = None) -> Notice:
    """办结: a supervisor accepts the unit's response and closes the notice."""
    notice = _lock(notice, expected_version)
    check(notice, acting_user, "close")
    from_status = notice.status
    notice.status = NoticeStatus.CLOSED
    notice.closed_at = timezone.now()
    notice.closed_by = acting_user
    notice.close_note = (note or "").strip()
    notice.save()
    _record(notice, action="close", actor=acting_user, from_status=from_status, note=notice.close_note)
    with override(settings.LANGUAGE_CODE):
        notify_unit(
            unit=notice.unit,
            title=_("%(kind)s %(number)s已办结") % {"kind": notice.get_kind_display(), "number": notice.number},
            body=notice.close_note,
            category="notice_closed",
            notice=notice,
            url=notice_url(notice),
            channels=False,
        )
    return notice


def escalation_unit(notice: Notice) -> Unit | None:
    """The unit a late notice goes up to: the unit's parent, else the command center."""
    if notice.unit.parent_id is not None:
        return notice.unit.parent
    from .notifications import command_center_units

    return command_center_units().first()


@in_bureau_language
def notice_escalate(*, notice_id: int, now: dt.datetime | None = None) -> bool:
    """A notice not answered by its respond-by time goes up to the unit's parent, flagged late.

    Claimed with a conditional update (only a notice not yet escalated is), so two sweeps at
    once escalate it once. Returns whether this call escalated it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_related("unit", "unit__parent").filter(pk=notice_id).first()
        if notice is None:
            return False
        target = escalation_unit(notice)
        claimed = Notice.objects.filter(pk=notice_id, escalated_at__isnull=True).update(
            escalated_at=now, escalated_to=target, is_late=True, updated_at=now
        )
        if not claimed:
            return False
        notice.refresh_from_db()
        answered = notice.responded_at is not None
        _record(
            notice,
            action="escalate",
            actor=None,
            from_status=notice.status,
            note=_("超过反馈时限（%(respond_by)s）未反馈，已报%(target)s")
            % {"respond_by": _fmt_time(notice.respond_by), "target": target.name if target else "-"},
            payload={"escalated_to": target.pk if target else None, "answered_late": answered},
        )
        params = {
            "unit": notice.unit.name,
            "kind": notice.get_kind_display(),
            "number": notice.number,
            "respond_by": _fmt_time(notice.respond_by),
        }
        if answered:
            title = _("%(unit)s逾期反馈%(kind)s %(number)s（反馈时限%(respond_by)s）") % params
        else:
            title = _("%(unit)s未按时反馈%(kind)s %(number)s（反馈时限%(respond_by)s）") % params
        if target is not None:
            notify_unit(
                unit=target,
                title=title,
                body=notice.reason,
                category="notice_escalated",
                level=NotificationLevel.URGENT,
                notice=notice,
                url=notice_url(notice),
            )
        if not answered:
            notify_unit(
                unit=notice.unit,
                title=_("%(kind)s %(number)s已超过反馈时限，已报上级单位，请立即反馈") % params,
                body=notice.reason,
                category="notice_escalated",
                level=NotificationLevel.URGENT,
                notice=notice,
                url=notice_url(notice),
            )
    return True
