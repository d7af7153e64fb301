"""The supervision rules: when each applies to an order, and what it does when it fires.

| rule | found by | does |
|---|---|---|
| dispatch_notice | dispatch / redispatch / reopen event | notify the unit (staff, email, group chat) |
| contact_warning | `contact_deadline` passed, no contact | warn the unit and the command center |
| early_warning | 80 % of the handling time passed, no report | warn the unit (预警) |
| overdue | `handling_deadline` passed, no report | 督办单 to the unit |
| review_returned | return event | 督办单 to the unit |
| callback_unsatisfied | callback event, unsatisfied | 提醒函 to the unit |
| unresolved | approve event of a report 未解决 / 部分解决 | 督办单 to the unit, with the reason |
| repeat_complaint | dispatch or merge event; same phone, or address and topic, 3× in 30 days | 提醒函, orders linked |
| leader_instruction | dispatch event of an instructed order; instruct event while with a unit | 提醒函 to the unit |

`fire()` is the one way a rule fires. It claims the order's row with
`SELECT … FOR NO KEY UPDATE SKIP LOCKED` (a row another worker or a person is changing right now
is skipped and tried again by the next sweep), re-checks under the lock that the rule still
applies, and records the firing in `RuleFiring`, whose unique constraint on (order, rule, cycle,
occurrence) is the last guard: whatever runs twice, the second run finds the row and stops.
The notice or notification is written in the same transaction, so a crash leaves either both or
neither.

The three timed rules (contact_warning, early_warning, overdue) are judged by the order as it was
when their moment passed, read from the event log (`supervision.history`), never by the order as
the sweep happens to find it: a round's deadline applies to the unit of that round, an extension
approved after the deadline had passed does not undo the miss, a status at the deadline in which
the unit owed the work counts whatever happened since, and a sent-back order is judged by how the
objection ended. So a sweep that runs late (a worker outage) raises exactly what a sweep running
every minute would have raised.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tickets.models import UNIT_WORK_STATUSES, OrderEvent, Outcome, Report, Status, WorkOrder
from tickets.selectors import mask_phone

from .history import Round, early_warning_between, round_of
from .models import (
    OPEN_NOTICE_STATUSES,
    Notice,
    NoticeKind,
    NotificationLevel,
    Rule,
    RuleFiring,
    RuleTimer,
    SupervisionPolicy,
)
from .notifications import notify_command_center, notify_unit
from .services import notice_issue, notice_link_orders, notice_url, order_url

logger = logging.getLogger(__name__)

# Statuses in which the unit still owes the contact: dispatched and not yet contacted.
OWES_CONTACT = (Status.DISPATCHED,)
# The timed rules: judged by the order as it was when their moment passed (`supervision.history`),
# each applying if the order was then in a status where the unit still owed that work.
OWED = {
    Rule.CONTACT_WARNING: OWES_CONTACT,
    Rule.EARLY_WARNING: UNIT_WORK_STATUSES,
    Rule.OVERDUE: UNIT_WORK_STATUSES,
}
TIMED_RULES = tuple(OWED)


class FireResult(StrEnum):
    FIRED = "fired"
    ALREADY = "already"
    NOT_APPLICABLE = "not_applicable"
    LOCKED = "locked"
    DISABLED = "disabled"
    # Not yet due (an escalation ladder window reached a row a moment early): try again later.
    NOT_DUE = "not_due"
    ERROR = "error"


@dataclass(frozen=True)
class Firing:
    """A rule that may fire for an order's round; `context` carries what the trigger knew."""

    order_id: int
    rule: str
    cycle: int
    occurrence: int = 0
    due_at: dt.datetime | None = None
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> dict:
        return {"order_id": self.order_id, "rule": self.rule, "cycle": self.cycle, "occurrence": self.occurrence}


def rule_enabled(policy: SupervisionPolicy, rule: str) -> bool:
    return {
        Rule.DISPATCH_NOTICE: policy.notify_on_dispatch,
        Rule.CONTACT_WARNING: policy.contact_warning_enabled,
        Rule.EARLY_WARNING: policy.early_warning_enabled,
        Rule.OVERDUE: policy.overdue_enabled,
        Rule.REVIEW_RETURNED: policy.returned_enabled,
        Rule.UNRESOLVED: policy.unresolved_enabled,
        Rule.CALLBACK_UNSATISFIED: policy.unsatisfied_enabled,
        Rule.REPEAT_COMPLAINT: policy.repeat_enabled,
        Rule.LEADER_INSTRUCTION: policy.leader_enabled,
        Rule.CONCENTRATED: policy.concentrated_enabled,
    }[rule]


def contact_due(order: WorkOrder, policy: SupervisionPolicy) -> dt.datetime | None:
    if order.contact_deadline is None:
        return None
    return order.contact_deadline + dt.timedelta(minutes=policy.contact_warning_grace_minutes)


def early_warning_due(order: WorkOrder, policy: SupervisionPolicy) -> dt.datetime | None:
    """When `early_warning_percent` of the round's handling time (working time) has passed."""
    return early_warning_between(order.dispatched_at, order.handling_deadline, policy.early_warning_percent)


def round_due_at(rnd: Round, rule: str, policy: SupervisionPolicy) -> dt.datetime | None:
    """When a timed rule of the round falls due, as the event log tells it by now.

    A deadline moved by an extension approved after it had passed stays where it was: it was
    missed. A deadline later than the end of its round never passed for that round.
    """
    if rule == Rule.CONTACT_WARNING:
        if rnd.contact_deadline is None:
            return None
        return rnd.contact_deadline + dt.timedelta(minutes=policy.contact_warning_grace_minutes)
    if rule == Rule.EARLY_WARNING:
        return rnd.early_warning_at(policy.early_warning_percent)
    if rule == Rule.OVERDUE:
        return rnd.handling_deadline_passed_at()
    raise ValueError(rule)


def missed_deadline_firings(
    order: WorkOrder, cycle: int, policy: SupervisionPolicy, *, until: dt.datetime, rounds=None
) -> list[Firing]:
    """The timed rules of round `cycle` whose moment passed by `until`.

    For what the deadline windows cannot see any more: a round that ended (re-dispatch, reopen)
    or a deadline that an extension approved later moved. `fire()` then judges each by the order
    as it was at that moment.
    """
    rnd = round_of(order, cycle, rounds)
    if rnd is None:
        return []
    firings = []
    for rule in TIMED_RULES:
        if not rule_enabled(policy, rule):
            continue
        due = round_due_at(rnd, rule, policy)
        if due is None or due > until or not rnd.current_at(due):
            continue
        # Only what applied then (the lock in `fire()` checks again): the past does not change.
        if rnd.owed_at(due, OWED[rule]):
            firings.append(Firing(order.pk, rule, cycle, due_at=due))
    return firings


# --- when each rule applies (checked under the order's lock) --------------------------------


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def _judge_timed(order, firing, policy, now) -> dict | None:
    """Whether a timed rule applies: its moment has passed, the round was the order's round
    then, and the unit owed the work then — whatever happened since (reported late, sent back
    and rejected, merged, an extension or a re-dispatch after the moment)."""
    rnd = round_of(order, firing.cycle)
    if rnd is None:
        return None
    due = round_due_at(rnd, firing.rule, policy)
    if due is None or due > now or not rnd.current_at(due):
        return None
    if not rnd.owed_at(due, OWED[firing.rule]):
        return None
    return {"round": rnd, "due_at": due}


def _applies_contact(order, firing, policy, now):
    ctx = _judge_timed(order, firing, policy, now)
    if ctx is not None:
        # Contacted, but only after the time ran out (found late, e.g. after the worker was down).
        late = ctx["round"].first_after("contact", ctx["due_at"])
        ctx["late_contact"] = late.at if late else None
    return ctx


def _applies_early(order, firing, policy, now):
    return _judge_timed(order, firing, policy, now)


def _applies_overdue(order, firing, policy, now):
    ctx = _judge_timed(order, firing, policy, now)
    if ctx is not None:
        # Reported, but only after the deadline passed.
        late = ctx["round"].first_after("report", ctx["due_at"])
        ctx["reported_late"] = late.at if late else None
    return ctx


def _applies_always(order, firing, policy, now):
    return {} if order.unit_id is not None or firing.context.get("unit_id") else None


def _instruction_line(instruction) -> str:
    return f"{instruction.instructor}：{instruction.text}" if instruction.instructor else instruction.text


def _applies_leader(order, firing, policy, now):
    if not order.leader_instructed or _applies_always(order, firing, policy, now) is None:
        return None
    if firing.occurrence:
        # An instruction recorded while a unit had the order: its own letter (`instruct` event).
        return {}
    # At dispatch: the instructions the order had then. Those recorded after the dispatch event
    # raise their own letters; the sweep may read the dispatch event after they were recorded.
    event_id = firing.context.get("event_id")
    given = order.instructions.order_by("sequence")
    if event_id:
        later = OrderEvent.objects.filter(order_id=order.pk, action="instruct", pk__gt=event_id)
        given = given.exclude(pk__in=[p.get("instruction") for p in later.values_list("payload", flat=True)])
    lines = [_instruction_line(i) for i in given]
    if not lines:
        return None
    return {"instruction": "\n".join(lines)}


def related_complaints(order: WorkOrder, policy: SupervisionPolicy) -> list[WorkOrder]:
    """Orders from the same caller phone, or about the same address and topic, received within
    the policy's window up to this order (this order included), oldest first."""
    since = order.received_at - dt.timedelta(days=policy.repeat_window_days)
    window = WorkOrder.objects.filter(received_at__gte=since, received_at__lte=order.received_at)
    # Two indexed queries rather than one OR, which would scan every order's address.
    found = {o.pk: o for o in window.filter(caller_phone=order.caller_phone)}
    if order.address.strip():
        found.update({o.pk: o for o in window.filter(topic_id=order.topic_id, address=order.address)})
    found.setdefault(order.pk, order)
    return sorted(found.values(), key=lambda o: (o.received_at, o.pk))


# The outcomes of an approved report that leave the matter open: the unit is supervised on it.
UNRESOLVED_OUTCOMES = (Outcome.UNRESOLVED, Outcome.PARTLY)


def approved_report(order: WorkOrder, cycle: int) -> Report | None:
    """The report of round `cycle` that review approved: the round's latest (a round is approved
    once; a new report after approval needs a new round)."""
    return order.reports.filter(cycle=cycle).order_by("-created_at", "-id").first()


def _applies_unresolved(order, firing, policy, now):
    if _applies_always(order, firing, policy, now) is None:
        return None
    report = approved_report(order, firing.cycle)
    if report is None or report.outcome not in UNRESOLVED_OUTCOMES:
        return None
    return {"report": report}


def _applies_repeat(order, firing, policy, now):
    # A merged order of a primary not yet dispatched has no unit of its own: the firing names it.
    if order.unit_id is None and not firing.context.get("unit_id"):
        return None
    related = related_complaints(order, policy)
    if len(related) < policy.repeat_threshold:
        return None
    return {"related": related}


# --- what each rule does ---------------------------------------------------------------------


def _unit(order: WorkOrder, unit_id: int | None):
    from stations.models import Unit

    unit_id = unit_id or order.unit_id
    return order.unit if unit_id == order.unit_id else Unit.objects.get(pk=unit_id)


def _unit_of(order: WorkOrder, firing: Firing):
    return _unit(order, firing.context.get("unit_id"))


def _act_dispatch_notice(order, firing, policy, now, ctx):
    unit = _unit_of(order, firing)
    # The round's deadlines, not the order's: the event may be processed after the order moved on.
    rnd = round_of(order, firing.cycle)
    body = _("%(topic)s｜%(address)s\n%(content)s\n联系时限：%(contact)s；办理时限：%(handling)s") % {
        "topic": order.topic.name,
        "address": order.address or "-",
        "content": order.content[:300],
        "contact": _local(rnd.contact_deadline if rnd else order.contact_deadline),
        "handling": _local(rnd.handling_deadline if rnd else order.handling_deadline),
    }
    if order.leader_instructed:
        body += "\n" + _("领导批示：%(text)s") % {"text": order.leader_instruction}
    notify_unit(
        unit=unit,
        title=_("新工单 %(number)s 已转办你单位，请在1小时内联系群众") % {"number": order.number},
        body=body,
        category=firing.rule,
        order=order,
        url=order_url(order),
    )


def _act_contact_warning(order, firing, policy, now, ctx):
    rnd: Round = ctx["round"]
    unit = _unit(order, rnd.unit_id)  # the unit of that round, even if the order moved on since
    params = {"number": order.number, "unit": unit.name, "deadline": _local(rnd.contact_deadline)}
    if ctx.get("late_contact"):
        title = _("预警：工单 %(number)s 未在联系时限（%(deadline)s）内联系群众") % params
    else:
        title = _("预警：工单 %(number)s 已超过联系时限（%(deadline)s），%(unit)s仍未联系群众") % params
    body = _("%(topic)s｜%(address)s\n转办时间：%(dispatched)s") % {
        "topic": order.topic.name,
        "address": order.address or "-",
        "dispatched": _local(rnd.dispatched_at),
    }
    common = {
        "title": title,
        "body": body,
        "category": firing.rule,
        "level": NotificationLevel.WARNING,
        "order": order,
        "url": order_url(order),
    }
    notify_unit(unit=unit, **common)
    notify_command_center(**common)


def _act_early_warning(order, firing, policy, now, ctx):
    rnd: Round = ctx["round"]
    notify_unit(
        unit=_unit(order, rnd.unit_id),
        title=_("预警：工单 %(number)s 办理时间已过%(percent)s%%，办理时限 %(deadline)s")
        % {
            "number": order.number,
            "percent": policy.early_warning_percent,
            "deadline": _local(rnd.handling_deadline_at(ctx["due_at"])),
        },
        body=_("%(topic)s｜%(address)s\n请抓紧办理并上报结果。")
        % {"topic": order.topic.name, "address": order.address or "-"},
        category=firing.rule,
        level=NotificationLevel.WARNING,
        order=order,
        url=order_url(order),
    )


def _issue(order, firing, policy, now, kind, reason, *, unit=None, orders=None) -> Notice:
    return notice_issue(
        kind=kind,
        unit=unit or order.unit,
        orders=orders or [order],
        reason=reason,
        rule=firing.rule,
        now=now,
        policy=policy,
    )


def _act_overdue(order, firing, policy, now, ctx):
    rnd: Round = ctx["round"]
    params = {
        "number": order.number,
        "topic": order.topic.name,
        "address": order.address or "-",
        "dispatched": _local(rnd.dispatched_at),
        "deadline": _local(ctx["due_at"]),
        "reported": _local(ctx.get("reported_late")),
    }
    if ctx.get("reported_late"):
        reason = (
            _(
                "工单 %(number)s（%(topic)s，%(address)s）于%(dispatched)s转办你单位，办理时限为%(deadline)s，"
                "你单位至%(reported)s才上报办理结果，已超期。"
            )
            % params
        )
    else:
        reason = (
            _(
                "工单 %(number)s（%(topic)s，%(address)s）于%(dispatched)s转办你单位，办理时限为%(deadline)s，"
                "超过时限仍未上报办理结果。"
            )
            % params
        )
    return _issue(order, firing, policy, now, NoticeKind.SUPERVISION, reason, unit=_unit(order, rnd.unit_id))


def _act_review_returned(order, firing, policy, now, ctx):
    reason = _("工单 %(number)s（%(topic)s）上报的办理结果经审核被退回（第%(count)s次）。审核意见：%(note)s") % {
        "number": order.number,
        "topic": order.topic.name,
        "count": firing.occurrence or 1,
        "note": firing.context.get("note") or "-",
    }
    return _issue(order, firing, policy, now, NoticeKind.SUPERVISION, reason, unit=_unit_of(order, firing))


def _act_unresolved(order, firing, policy, now, ctx):
    report: Report = ctx["report"]
    reason = _(
        "工单 %(number)s（%(topic)s，%(address)s）上报的办理结果为%(outcome)s，经审核通过，群众诉求仍未解决。"
        "未解决原因：%(why)s"
    ) % {
        "number": order.number,
        "topic": order.topic.name,
        "address": order.address or "-",
        "outcome": report.get_outcome_display(),
        "why": report.unresolved_reason.strip() or _("（未填写）"),
    }
    return _issue(order, firing, policy, now, NoticeKind.SUPERVISION, reason, unit=_unit_of(order, firing))


def _act_callback_unsatisfied(order, firing, policy, now, ctx):
    reason = _("工单 %(number)s（%(topic)s，%(address)s）回访结果为不满意。群众意见：%(words)s") % {
        "number": order.number,
        "topic": order.topic.name,
        "address": order.address or "-",
        "words": firing.context.get("note") or _("（未记录）"),
    }
    return _issue(order, firing, policy, now, NoticeKind.REMINDER, reason, unit=_unit_of(order, firing))


def _act_leader_instruction(order, firing, policy, now, ctx):
    reason = _("工单 %(number)s（%(topic)s，%(address)s）有领导批示：%(instruction)s") % {
        "number": order.number,
        "topic": order.topic.name,
        "address": order.address or "-",
        # An instruction recorded during handling names itself; at dispatch, all the order has.
        "instruction": ctx.get("instruction") or firing.context.get("instruction") or order.leader_instruction,
    }
    return _issue(order, firing, policy, now, NoticeKind.REMINDER, reason, unit=_unit_of(order, firing))


def _act_repeat_complaint(order, firing, policy, now, ctx):
    related: list[WorkOrder] = ctx["related"]
    unit = _unit_of(order, firing)
    # A repeat of a matter that already has an open 提醒函 to this unit joins that letter.
    existing = (
        Notice.objects.filter(
            rule=Rule.REPEAT_COMPLAINT,
            unit=unit,
            status__in=OPEN_NOTICE_STATUSES,
            orders__in=[o.pk for o in related if o.pk != order.pk],
        )
        .order_by("-issued_at")
        .first()
    )
    if existing is not None:
        # The note is shown to every reader of the notice: it names no order (the list does).
        notice_link_orders(notice=existing, orders=related, note=_("重复投诉：同一事项再次反映，新增工单已关联本函。"))
        notify_unit(
            unit=unit,
            title=_("重复投诉：工单 %(number)s 已并入%(kind)s %(notice)s")
            % {"number": order.number, "kind": existing.get_kind_display(), "notice": existing.number},
            body=existing.reason,
            category=firing.rule,
            level=NotificationLevel.WARNING,
            order=order,
            notice=existing,
            url=notice_url(existing),
        )
        return existing
    same_phone = [o for o in related if o.caller_phone == order.caller_phone]
    if len(same_phone) >= policy.repeat_threshold:
        basis = _("来电号码 %(phone)s") % {"phone": mask_phone(order.caller_phone)}
    else:
        basis = _("%(address)s（%(topic)s）") % {"address": order.address, "topic": order.topic.name}
    # The reason is shown wherever the notice is (pages, inbox, email, group chat), to readers who
    # may not see the other units' orders: it counts the orders; the notice's order list, which
    # each reader sees through `notice_orders_for`, names them.
    reason = _("%(basis)s在%(days)s日内反映%(count)s次，属重复投诉，涉及工单见本函所列。") % {
        "basis": basis,
        "days": policy.repeat_window_days,
        "count": len(related),
    }
    return _issue(order, firing, policy, now, NoticeKind.REMINDER, reason, unit=unit, orders=related)


@dataclass(frozen=True)
class RuleHandler:
    applies: Callable[..., dict | None]
    act: Callable[..., Notice | None]


HANDLERS: dict[str, RuleHandler] = {
    Rule.DISPATCH_NOTICE: RuleHandler(_applies_always, _act_dispatch_notice),
    Rule.CONTACT_WARNING: RuleHandler(_applies_contact, _act_contact_warning),
    Rule.EARLY_WARNING: RuleHandler(_applies_early, _act_early_warning),
    Rule.OVERDUE: RuleHandler(_applies_overdue, _act_overdue),
    Rule.REVIEW_RETURNED: RuleHandler(_applies_always, _act_review_returned),
    Rule.UNRESOLVED: RuleHandler(_applies_unresolved, _act_unresolved),
    Rule.CALLBACK_UNSATISFIED: RuleHandler(_applies_always, _act_callback_unsatisfied),
    Rule.REPEAT_COMPLAINT: RuleHandler(_applies_repeat, _act_repeat_complaint),
    Rule.LEADER_INSTRUCTION: RuleHandler(_applies_leader, _act_leader_instruction),
}


# --- firing ----------------------------------------------------------------------------------


def fire(firing: Firing, *, policy: SupervisionPolicy, now: dt.datetime | None = None) -> FireResult:
    """Fire `firing` at most once, ever. Safe to call any number of times, from any worker."""
    now = now or timezone.now()
    if not rule_enabled(policy, firing.rule):
        return FireResult.DISABLED
    # Cheap check first, without a lock: nearly every repeat ends here.
    if RuleFiring.objects.filter(**firing.key).exists():
        return FireResult.ALREADY
    handler = HANDLERS[firing.rule]
    try:
        with transaction.atomic():
            # NO KEY UPDATE: conflicts with the services' FOR UPDATE and with another sweep,
            # but not with rows being inserted that merely reference the order.
            order = (
                WorkOrder.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
                .select_related("unit", "topic")
                .filter(pk=firing.order_id)
                .first()
            )
            if order is None:
                exists = WorkOrder.objects.filter(pk=firing.order_id).exists()
                return FireResult.LOCKED if exists else FireResult.NOT_APPLICABLE
            if RuleFiring.objects.filter(**firing.key).exists():
                return FireResult.ALREADY
            ctx = handler.applies(order, firing, policy, now)
            if ctx is None:
                return FireResult.NOT_APPLICABLE
            record = RuleFiring.objects.create(
                **firing.key,
                # The moment the rule judged by (a timed rule's deadline as the log tells it).
                due_at=ctx.get("due_at") or firing.due_at,
                fired_at=now,
                detail={k: v for k, v in firing.context.items() if isinstance(v, str | int | float | bool)},
            )
            with override(settings.LANGUAGE_CODE):  # what is written down is in the bureau's language
                notice = handler.act(order, firing, policy, now, ctx)
            if notice is not None:
                record.notice = notice
                record.save(update_fields=["notice"])
    except IntegrityError:
        # Normally the unique (order, rule, cycle, occurrence) row: another worker fired it.
        if RuleFiring.objects.filter(**firing.key).exists():
            return FireResult.ALREADY
        # Some other constraint (e.g. a notice number format that repeats): not fired; say so,
        # and let the sweep try again once an administrator has fixed it.
        logger.exception("Rule %s for order %s could not fire", firing.rule, firing.order_id)
        return FireResult.ERROR
    except OperationalError:
        # A deadlock or lock timeout against a person's transition: the next sweep tries again.
        logger.warning("Rule %s for order %s hit a lock; will retry", firing.rule, firing.order_id, exc_info=True)
        return FireResult.LOCKED
    logger.info("Rule %s fired for order %s (round %s)", firing.rule, firing.order_id, firing.cycle)
    return FireResult.FIRED


def schedule_early_warning(
    order: WorkOrder, cycle: int, *, policy: SupervisionPolicy, recompute: bool = False, rounds=None
) -> dt.datetime | None:
    """Store when round `cycle`'s early warning falls due (`RuleTimer`); return the due moment.

    Computed from the event log, so it is the same whenever the events are processed: an
    extension approved before the moment moves it, one approved after it had passed does not
    (the warning was due then). The round's start sets it; each approved extension recomputes
    it. A warning that has fired stays fired.
    """
    existing = RuleTimer.objects.filter(order=order, rule=Rule.EARLY_WARNING, cycle=cycle).first()
    if existing is not None and not recompute:
        return existing.due_at
    rnd = round_of(order, cycle, rounds)
    if rnd is None:
        return None
    due = rnd.early_warning_at(policy.early_warning_percent)
    if due is None or (existing is not None and existing.due_at == due):
        return due
    try:
        with transaction.atomic():
            RuleTimer.objects.update_or_create(
                order=order, rule=Rule.EARLY_WARNING, cycle=cycle, defaults={"due_at": due}
            )
    except IntegrityError:  # created by a concurrent worker with the same values
        pass
    return due
