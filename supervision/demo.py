"""The supervision side of the demo: the rules fire along the demo's history, not all on load.

tickets.demo writes eight weeks of orders on a fake clock. Had the sweep met that history only when
`make run` started, every dispatch, late contact and overdue order of those weeks would be raised
at once, today: dozens of "contact the citizen within one hour" messages about October orders and
a pile of supervision orders with today's date. A bureau that has used the system for those weeks
looks different: each rule fired when it fell due, the units signed and answered their notices,
supervisors closed them, and people read their inboxes. `SupervisionHistory` makes the demo such a
bureau. The order timeline calls `advance(moment)` before each step; it hands each new order
event to the rules at once (as the event task does) and runs the real sweep at every moment before
`moment` when something fell due (as beat would have), and plays the units' and supervisors' part
in each notice. `finish(now)` sweeps up to
the moment the demo is loaded and marks as read what arrived more than a working hour before it,
so the live sweep starts from there and the inbox holds what a working day leaves unread.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db.models import Max, Min, OuterRef, Q, Subquery

from stations.models import Role, User
from tickets.demo import clock
from tickets.models import UNIT_WORK_STATUSES, OrderEvent, Status, WorkOrder
from tickets.workcalendar import WorkCalendar

from .models import (
    AWAITING_RESPONSE_STATUSES,
    InboxItem,
    Notice,
    Notification,
    Rule,
    RuleTimer,
    SupervisionPolicy,
)
from .rules import FireResult
from .services import notice_close, notice_respond, notice_sign
from .sweep import EVENT_ACTIONS, mark_swept, process_event, run_sweep

REMEDIES = [
    "已约谈责任民警，明确专人跟进，当日联系群众并反馈处理结果。",
    "已组织全所学习工单办理时限要求，建立每日晨会通报超期工单制度。",
    "已调整值班安排，指定副所长负责工单督办，确保按时上报。",
]
# Anything that arrived at least this much working time before the demo is loaded has been read.
READ_AFTER_WORKING_MINUTES = 60


class SupervisionHistory:
    """The supervision rules along the demo's timeline from `since` (the day supervision went live;
    before it, nothing is raised). Replaying all eight weeks would triple the time `loaddemo`
    takes, for notices nobody looks at."""

    def __init__(self, *, since: dt.datetime, seed: int = 2026):
        self.since = since
        self.started = False
        self.rng = random.Random(seed)
        self.calendar = WorkCalendar()
        self.swept_until: dt.datetime | None = None
        self.actions: list[tuple[dt.datetime, int, Callable[[], object]]] = []
        self._sequence = itertools.count()  # breaks ties in the heap: actions never compare
        self.notification_mark = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
        self.notice_mark = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
        self.event_mark = OrderEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        self._policy: SupervisionPolicy | None = None

    @property
    def policy(self) -> SupervisionPolicy:
        if self._policy is None:
            self._policy = SupervisionPolicy.load()
        return self._policy

    def advance(self, moment: dt.datetime) -> None:
        """Process the events written since the last call, then sweep, and answer notices, at each
        moment before `moment` when something is due."""
        if not self._start(moment):
            return
        with _quiet():
            self._process_events()
            while True:
                due = self._next_due()
                action_at = self.actions[0][0] if self.actions else None
                if action_at is not None and (due is None or action_at < due):
                    if action_at >= moment:
                        return
                    _at, _seq, act = heapq.heappop(self.actions)
                    with self._at(action_at):
                        act()
                elif due is not None and due < moment:
                    self._sweep(due)
                else:
                    return

    def _start(self, moment: dt.datetime) -> bool:
        """Go live at `since`, once the timeline has passed it; whether it is live."""
        if not self.started and moment > self.since:
            mark_swept(until=self.since)
            self.swept_until = self.since
            before = OrderEvent.objects.filter(created_at__lte=self.since)
            self.event_mark = before.aggregate(m=Max("pk"))["m"] or self.event_mark
            self.started = True
        return self.started

    def finish(self, now: dt.datetime) -> None:
        self.advance(now)
        if self.started:
            with _quiet():
                self._process_events()  # those of the last steps, the special cases among them
                self._sweep(now)
        else:  # went live at or after `now`: all of it is the past
            mark_swept(until=now)
        self._mark_read(now)

    # --- the sweep ---------------------------------------------------------------------------

    def _process_events(self) -> None:
        """What the order-event task does, for each event written since the last call, at its moment."""
        new = OrderEvent.objects.filter(pk__gt=self.event_mark).order_by("pk")
        handled = None
        for pk, created_at, action in new.values_list("pk", "created_at", "action"):
            if action in EVENT_ACTIONS:
                with self._at(created_at):
                    if FireResult.FIRED in process_event(pk, policy=self.policy, now=created_at):
                        self._plan_answers()
                handled = created_at
            self.event_mark = pk
        if handled is not None:
            # Live, the sweep's event window re-reads what the event tasks handled, in case one was
            # lost. Here none is: let the window start after them rather than do it all twice.
            mark_swept(until=handled, windows=("events",))

    def _next_due(self) -> dt.datetime | None:
        """The first moment after the last sweep when something falls due (not counting events,
        which `_process_events` handled), or None."""
        after = self.swept_until or dt.datetime.min.replace(tzinfo=dt.UTC)
        grace = dt.timedelta(minutes=self.policy.contact_warning_grace_minutes)
        unit_work = Q(status__in=UNIT_WORK_STATUSES)
        orders = WorkOrder.objects.aggregate(
            contact=Min("contact_deadline", filter=Q(status=Status.DISPATCHED, contact_deadline__gt=after - grace)),
            handling=Min("handling_deadline", filter=unit_work & Q(handling_deadline__gt=after)),
        )
        moments = [
            orders["contact"] + grace if orders["contact"] else None,
            orders["handling"],
            RuleTimer.objects.filter(
                rule=Rule.EARLY_WARNING, due_at__gt=after, order__status__in=UNIT_WORK_STATUSES
            ).aggregate(m=Min("due_at"))["m"],
            Notice.objects.filter(
                status__in=AWAITING_RESPONSE_STATUSES, escalated_at__isnull=True, respond_by__gt=after
            ).aggregate(m=Min("respond_by"))["m"],
        ]
        return min((m for m in moments if m is not None), default=None)

    def _sweep(self, moment: dt.datetime) -> None:
        with self._at(moment):
            result = run_sweep(now=moment, time_budget=0)
        self.swept_until = moment
        if result.fired:
            self._plan_answers()

    @contextmanager
    def _at(self, moment: dt.datetime) -> Iterator[None]:
        with clock(moment):
            yield
        # Notification.created_at defaults to the function timezone.now itself, taken when the
        # model class was built, which the demo's clock (a patch of the module attribute) misses.
        fresh = Notification.objects.filter(pk__gt=self.notification_mark)
        last = fresh.aggregate(m=Max("pk"))["m"]
        if last is not None:
            fresh.update(created_at=moment)
            self.notification_mark = last

    # --- the people ---------------------------------------------------------------------------

    def _later(self, start: dt.datetime, low: int, high: int) -> dt.datetime:
        """A moment `low`..`high` working minutes after `start`."""
        return self.calendar.add_working_minutes(start, self.rng.randint(low, high))

    def _plan_answers(self) -> None:
        for notice in Notice.objects.filter(pk__gt=self.notice_mark).select_related("unit").order_by("pk"):
            self._plan_answer(notice)
            self.notice_mark = notice.pk

    def _plan_answer(self, notice: Notice) -> None:
        """The unit signs within the hour and (mostly) answers within the working day; a supervisor
        closes the answered notice later. One in eight is answered late, after its escalation."""
        staff = {u.role: u for u in User.objects.filter(unit=notice.unit, is_active=True).order_by("pk")}
        head = staff.get(Role.UNIT_HEAD)
        supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
        if head is None or supervisor is None:
            return
        signer = staff.get(Role.OFFICER, head)
        signed = self._later(notice.issued_at, 5, 50)
        if self.rng.random() < 0.875:
            responded = self._later(signed, 30, 300)
        else:
            responded = self._later(notice.respond_by, 30, 600)
        closed = self._later(responded, 60, 900)
        remedy = self.rng.choice(REMEDIES)
        for moment, act in (
            (signed, lambda: notice_sign(notice=notice, acting_user=signer)),
            (responded, lambda: notice_respond(notice=notice, acting_user=head, response=remedy)),
            (closed, lambda: notice_close(notice=notice, acting_user=supervisor, note="整改措施可行，予以办结。")),
        ):
            heapq.heappush(self.actions, (moment, next(self._sequence), act))

    def _mark_read(self, now: dt.datetime) -> None:
        read_before = self._working_minutes_before(now, READ_AFTER_WORKING_MINUTES)
        arrived = Notification.objects.filter(pk=OuterRef("notification_id")).values("created_at")[:1]
        InboxItem.objects.filter(read_at__isnull=True, notification__created_at__lt=read_before).update(
            read_at=Subquery(arrived)
        )

    def _working_minutes_before(self, end: dt.datetime, minutes: float) -> dt.datetime:
        """The latest moment with `minutes` of working time between it and `end` (to the second)."""
        low, high = end - dt.timedelta(days=30), end
        while high - low > dt.timedelta(seconds=1):
            middle = low + (high - low) / 2
            if self.calendar.working_minutes_between(middle, end) >= minutes:
                low = middle
            else:
                high = middle
        return low


@contextmanager
def _quiet() -> Iterator[None]:
    """The sweep logs each firing; replaying weeks of them would bury `make run`'s output."""
    logger = logging.getLogger("supervision")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
