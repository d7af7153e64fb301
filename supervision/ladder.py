"""The escalation ladder (升级阶梯): admin-edited steps per clock, each "at the deadline ± offset,
on working time or wall clock, while the unit still owes the work, do the action".

| clock | deadline column | the unit owes |
|---|---|---|
| contact | `WorkOrder.contact_deadline` | the contact (status 已转办) |
| handling | `WorkOrder.handling_deadline` | the report (已转办, 已联系, 已退回) |
| notice_response | `Notice.respond_by` | the response (已下发, 已签收) |

The built-in levels (`EscalationLevel.builtin`) are today's rules; they keep firing through their
own windows in `supervision.sweep` and their switches in 督办规则设置, so a bureau that never edits
the ladder sees exactly what it saw before. The other levels are run here.

A one-time step is a window over its clock's deadline column, shifted by the offset and kept in a
`SweepCursor` named after the level and its offset (an edited offset starts a fresh window, whose
repeats stop at `LevelFiring`). So a run costs what fell due since the previous one, like the
rules' windows. A step is judged under the subject's row lock by the subject as it is now: the
order still in that round, still owing the work, its deadline still where the window found it.

The daily reminder (每个工作日早上再次提醒) runs once per working morning, at its time or at the
first sweep after it: every subject still overdue since before that day is reminded, and the
firing's occurrence is the day (YYYYMMDD), so a second sweep that morning finds each firing there.
Weekends and holidays come from the Chinese working calendar (`tickets.workcalendar`).

Every step writes an `OrderEvent` ("升级提醒：第N级 …") on each order it concerns.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from stations.models import Role, Unit, User
from tickets.models import UNIT_WORK_STATUSES, OrderEvent, Status, WorkOrder
from tickets.workcalendar import WorkCalendar

from .models import (
    AWAITING_RESPONSE_STATUSES,
    EscalationLevel,
    LadderAction,
    LadderBasis,
    LadderClock,
    LevelFiring,
    Notice,
    NoticeKind,
    NotificationLevel,
    Rule,
    SupervisionPolicy,
    SweepCursor,
)
from .notifications import command_center_units, notify_unit
from .rules import FireResult
from .services import notice_issue, notice_url, order_url

logger = logging.getLogger(__name__)

# The timeline's action for a ladder step (tickets.workflow.SYSTEM_ACTIONS labels it).
EVENT_ACTION = "ladder"
OWED = {
    LadderClock.CONTACT: (Status.DISPATCHED,),
    LadderClock.HANDLING: UNIT_WORK_STATUSES,
}
COLUMN = {
    LadderClock.CONTACT: "contact_deadline",
    LadderClock.HANDLING: "handling_deadline",
    LadderClock.NOTICE_RESPONSE: "respond_by",
}


# The switch in 督办规则设置 of each built-in level (None: the step has no switch).
BUILTIN_SWITCHES = {
    "contact_warning": "contact_warning_enabled",
    "early_warning": "early_warning_enabled",
    "overdue": "overdue_enabled",
    "notice_escalation": None,
}


def level_enabled(level: EscalationLevel, policy: SupervisionPolicy) -> bool:
    """Whether a level acts: a built-in one by its rule's switch, the others by their own."""
    if level.builtin:
        switch = BUILTIN_SWITCHES[level.builtin]
        return bool(getattr(policy, switch)) if switch else True
    return level.enabled


def enabled_levels() -> list[EscalationLevel]:
    """The levels this module runs: enabled, and not one of today's rules."""
    return list(EscalationLevel.objects.filter(enabled=True, builtin=""))


def level_due(level: EscalationLevel, deadline: dt.datetime, calendar: WorkCalendar | None = None) -> dt.datetime:
    """When `level` falls due for a clock whose deadline is `deadline`."""
    if level.basis == LadderBasis.WALL or level.offset_minutes == 0:
        return deadline + dt.timedelta(minutes=level.offset_minutes)
    calendar = calendar or WorkCalendar()
    if level.offset_minutes > 0:
        return calendar.add_working_minutes(deadline, level.offset_minutes)
    return calendar.subtract_working_minutes(deadline, -level.offset_minutes)


def latest_deadline_due_by(level: EscalationLevel, moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """About the latest deadline for which `level` is due by `moment`: the window's high end.

    On working time this is `level_due` run backwards; where the two disagree at the edge of a
    working period, a row found not yet due holds the window's cursor before it (never skipped).
    """
    if level.basis == LadderBasis.WALL or level.offset_minutes == 0:
        return moment - dt.timedelta(minutes=level.offset_minutes)
    if level.offset_minutes > 0:
        return calendar.subtract_working_minutes(moment, level.offset_minutes)
    return calendar.add_working_minutes(moment, -level.offset_minutes)


def cursor_name(level: EscalationLevel) -> str:
    return f"ladder:{level.pk}:{level.offset_minutes}{level.basis[0]}"


def working_day_number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


# --- what a step does ------------------------------------------------------------------------


def _heads(unit: Unit):
    return unit.staff.filter(is_active=True, role=Role.UNIT_HEAD)


def _level_label(level: EscalationLevel) -> str:
    return _("第%(position)s级 %(name)s") % {"position": level.position, "name": level.name}


@dataclass
class Subject:
    """What a step is about: an order's round, or a notice (and its orders)."""

    unit: Unit
    orders: list[WorkOrder]
    deadline: dt.datetime
    order: WorkOrder | None = None
    notice: Notice | None = None

    @property
    def label(self) -> str:
        if self.notice is not None:
            return f"{self.notice.get_kind_display()} {self.notice.number}"
        return _("工单 %(number)s") % {"number": self.order.number}

    @property
    def url(self) -> str:
        return notice_url(self.notice) if self.notice is not None else order_url(self.order)


def _title(level: EscalationLevel, subject: Subject, now: dt.datetime) -> str:
    params = {
        "subject": subject.label,
        "unit": subject.unit.name,
        "clock": level.get_clock_display(),
        "deadline": timezone.localtime(subject.deadline).strftime("%Y-%m-%d %H:%M"),
    }
    if level.action == LadderAction.DAILY_REMINDER:
        return _("每日提醒：%(subject)s仍未办结，%(clock)s %(deadline)s 已过，请%(unit)s立即处理") % params
    if subject.deadline > now:
        return _("升级提醒：%(subject)s的%(clock)s为 %(deadline)s，即将到期（%(unit)s）") % params
    return _("升级提醒：%(subject)s已超过%(clock)s（%(deadline)s），%(unit)s仍未完成") % params


def _notify(level, subject, title, *, unit, users=None, channels=False, urgent=False) -> None:
    notify_unit(
        unit=unit,
        users=users,
        title=title,
        body=_level_label(level),
        category=f"ladder_{level.action}",
        level=NotificationLevel.URGENT if urgent else NotificationLevel.WARNING,
        order=subject.order,
        notice=subject.notice,
        url=subject.url,
        channels=channels,
    )


def _act(level: EscalationLevel, subject: Subject, now: dt.datetime, policy: SupervisionPolicy):
    """Do the level's action; returns (what was done, for the timeline; the notice raised)."""
    title = _title(level, subject, now)
    unit = subject.unit
    if level.action in (LadderAction.WARN_UNIT, LadderAction.DAILY_REMINDER):
        _notify(level, subject, title, unit=unit, channels=True)
        return _("已提醒%(unit)s") % {"unit": unit.name}, None
    if level.action == LadderAction.WARN_OFFICER:
        order = subject.order
        officers = [order.officer] if order.officer_id else list(unit.staff.filter(is_active=True, role=Role.OFFICER))
        _notify(level, subject, title, unit=unit, users=officers)
        names = "、".join(o.display_name for o in officers) or "-"
        return _("已提醒承办民警：%(names)s") % {"names": names}, None
    if level.action == LadderAction.WARN_HEAD:
        heads = list(_heads(unit))
        _notify(level, subject, title, unit=unit, users=heads or None)
        return _("已提醒%(unit)s负责人") % {"unit": unit.name}, None
    if level.action == LadderAction.SUPERVISION_NOTICE:
        reason = _(
            "%(subject)s（%(topic)s，%(address)s）已超过%(clock)s（%(deadline)s），按升级阶梯%(level)s下发督办单。"
        ) % {
            "subject": subject.label,
            "topic": subject.order.topic.name,
            "address": subject.order.address or "-",
            "clock": level.get_clock_display(),
            "deadline": timezone.localtime(subject.deadline).strftime("%Y-%m-%d %H:%M"),
            "level": _level_label(level),
        }
        rule = Rule.CONTACT_WARNING if level.clock == LadderClock.CONTACT else Rule.OVERDUE
        notice = notice_issue(
            kind=NoticeKind.SUPERVISION,
            unit=unit,
            orders=[subject.order],
            reason=reason,
            rule=rule,
            now=now,
            policy=policy,
        )
        return _("已下发督办单 %(number)s") % {"number": notice.number}, notice
    if level.action == LadderAction.ESCALATE_PARENT:
        told = []
        # The parent unit; a unit without one goes to the command center, as a late notice does.
        parent = unit.parent if unit.parent_id else command_center_units().exclude(pk=unit.pk).first()
        if parent is not None:
            heads = list(_heads(parent))
            _notify(level, subject, title, unit=parent, users=heads or None, channels=True, urgent=True)
            told.append(parent.name)
        supervisors = list(User.objects.filter(is_active=True, role=Role.SUPERVISOR))
        if supervisors:
            _notify(level, subject, title, unit=None, users=supervisors, urgent=True)
            told.append(str(_("督导领导")))
        return _("已报%(whom)s") % {"whom": "、".join(told) or "-"}, None
    raise ValueError(level.action)


def _write_timeline(level, subject, done: str, occurrence: int, notice: Notice | None) -> None:
    params = {"level": _level_label(level), "done": done, "subject": subject.label}
    if subject.notice is not None:  # the order's timeline names the notice the step is about
        note = _("升级提醒：%(level)s：%(subject)s，%(done)s") % params
    else:
        note = _("升级提醒：%(level)s：%(done)s") % params
    payload = {
        "level": level.pk,
        "position": level.position,
        "name": level.name,
        "clock": level.clock,
        "action": level.action,
        "occurrence": occurrence,
        "notice": subject.notice.number if subject.notice is not None else None,
        "raised": notice.number if notice is not None else None,
    }
    # A note about the order, not a change to it: the order's version (its ETag) stays, so a
    # client holding it is not refused for a reminder the sweep wrote.
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=o, action=EVENT_ACTION, from_status=o.status, to_status=o.status, note=note, payload=payload
            )
            for o in subject.orders
        ]
    )


# --- judging and firing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    level: EscalationLevel
    subject_id: int
    cycle: int
    deadline: dt.datetime
    occurrence: int = 0

    @property
    def key(self) -> dict:
        if self.level.clock == LadderClock.NOTICE_RESPONSE:
            return {"level": self.level, "notice_id": self.subject_id, "occurrence": self.occurrence}
        return {
            "level": self.level,
            "order_id": self.subject_id,
            "notice__isnull": True,
            "cycle": self.cycle,
            "occurrence": self.occurrence,
        }


def _locked_subject(step: Step) -> Subject | None | FireResult:
    """The subject under its row lock; LOCKED if another transaction holds it."""
    if step.level.clock == LadderClock.NOTICE_RESPONSE:
        notice = (
            Notice.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("unit", "unit__parent")
            .filter(pk=step.subject_id)
            .first()
        )
        if notice is None:
            return FireResult.LOCKED if Notice.objects.filter(pk=step.subject_id).exists() else None
        if notice.status not in AWAITING_RESPONSE_STATUSES:
            return None
        return Subject(unit=notice.unit, orders=list(notice.orders.all()), deadline=notice.respond_by, notice=notice)
    order = (
        WorkOrder.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .select_related("unit", "unit__parent", "topic", "officer")
        .filter(pk=step.subject_id)
        .first()
    )
    if order is None:
        return FireResult.LOCKED if WorkOrder.objects.filter(pk=step.subject_id).exists() else None
    if order.cycle != step.cycle or order.status not in OWED[step.level.clock] or order.unit_id is None:
        return None
    return Subject(unit=order.unit, orders=[order], deadline=getattr(order, COLUMN[step.level.clock]), order=order)


def level_fire(
    step: Step, *, now: dt.datetime, policy: SupervisionPolicy, calendar: WorkCalendar | None = None
) -> FireResult:
    """Take one ladder step at most once, ever: checked, locked, re-checked, recorded, done."""
    if LevelFiring.objects.filter(**step.key).exists():
        return FireResult.ALREADY
    try:
        with transaction.atomic():
            subject = _locked_subject(step)
            if subject is None or isinstance(subject, FireResult):
                return subject or FireResult.NOT_APPLICABLE
            if subject.deadline != step.deadline:
                # The deadline moved (an extension): the window meets the new one when it passes.
                return FireResult.NOT_APPLICABLE
            due = level_due(step.level, subject.deadline, calendar)
            if due > now:
                return FireResult.NOT_DUE
            if LevelFiring.objects.filter(**step.key).exists():
                return FireResult.ALREADY
            firing = LevelFiring.objects.create(
                level=step.level,
                order=subject.order,
                notice=subject.notice,
                cycle=step.cycle,
                occurrence=step.occurrence,
                due_at=due,
                fired_at=now,
            )
            with override(settings.LANGUAGE_CODE):
                done, raised = _act(step.level, subject, now, policy)
                _write_timeline(step.level, subject, done, step.occurrence, raised)
            if raised is not None:
                firing.raised = raised
                firing.save(update_fields=["raised"])
    except IntegrityError:
        if LevelFiring.objects.filter(**step.key).exists():
            return FireResult.ALREADY
        logger.exception("Ladder level %s for %s could not fire", step.level.pk, step.subject_id)
        return FireResult.ERROR
    except OperationalError:
        logger.warning("Ladder level %s for %s hit a lock; will retry", step.level.pk, step.subject_id, exc_info=True)
        return FireResult.LOCKED
    logger.info("Ladder level %s fired for %s", step.level.pk, step.subject_id)
    return FireResult.FIRED


def subjects_owing(clock: str):
    """(pk, deadline, cycle) of the subjects that still owe the clock's work, for the windows."""
    if clock == LadderClock.NOTICE_RESPONSE:
        return Notice.objects.filter(status__in=AWAITING_RESPONSE_STATUSES).values_list("pk", "respond_by", "id")
    column = COLUMN[clock]
    return WorkOrder.objects.filter(status__in=OWED[clock], unit__isnull=False).values_list("pk", column, "cycle")


# --- the sweep's part ------------------------------------------------------------------------

RunWindow = Callable[..., None]


def ladder_sweep(*, now: dt.datetime, policy: SupervisionPolicy, budget, result, run_window: RunWindow) -> None:
    """Run every enabled ladder level once (`run_window` is the sweep's window runner)."""
    calendar = WorkCalendar()
    for level in enabled_levels():
        if level.action == LadderAction.DAILY_REMINDER:
            _daily(level, now=now, policy=policy, calendar=calendar, result=result)
        else:
            _once(level, now=now, policy=policy, calendar=calendar, budget=budget, result=result, run_window=run_window)


def _once(level, *, now, policy, calendar, budget, result, run_window) -> None:
    def handle(row):
        pk, deadline, cycle = row
        clock_cycle = 0 if level.clock == LadderClock.NOTICE_RESPONSE else cycle
        return [level_fire(Step(level, pk, clock_cycle, deadline), now=now, policy=policy, calendar=calendar)]

    high = latest_deadline_due_by(level, now, calendar)
    # The window runs in the deadline column's time: its "now" is the latest deadline due by now.
    run_window(cursor_name(level), subjects_owing(level.clock), COLUMN[level.clock], high, budget, result, handle)


def _daily(level, *, now, policy, calendar, result) -> None:
    """Once per working morning: remind every subject overdue since before today."""
    local = timezone.localtime(now)
    today = local.date()
    if not calendar.is_workday(today):
        return
    morning = dt.datetime.combine(today, level.reminder_time, tzinfo=local.tzinfo)
    if now < morning:
        return
    cursor, _created = SweepCursor.objects.get_or_create(name=cursor_name(level))
    if cursor.position is not None and cursor.position >= morning:
        return  # done this morning
    # Overdue since before today: the day it fell due was told by the other steps.
    start_of_day = dt.datetime.combine(today, dt.time.min, tzinfo=local.tzinfo)
    high = latest_deadline_due_by(level, start_of_day, calendar)
    occurrence = working_day_number(today)
    complete = True
    column = COLUMN[level.clock]
    rows = subjects_owing(level.clock).filter(**{f"{column}__lte": high}).order_by(column, "pk")
    for pk, deadline, cycle in rows.iterator(chunk_size=500):
        clock_cycle = 0 if level.clock == LadderClock.NOTICE_RESPONSE else cycle
        step = Step(level, pk, clock_cycle, deadline, occurrence=occurrence)
        outcome = level_fire(step, now=now, policy=policy, calendar=calendar)
        result.add(cursor_name(level), str(outcome))
        if outcome in (FireResult.LOCKED, FireResult.ERROR):
            complete = False
    if complete:
        # The morning is done; a held row keeps it open, and the next sweep tries the rest again.
        SweepCursor.objects.filter(name=cursor.name).update(position=morning, updated_at=now)
