"""An outage must not change the outcome (#11 §2).

Every scenario is played twice:

- `in_time`: the worker runs — the sweep runs right after every moment something falls due,
  right before every action (a worker sweeping every minute has seen everything up to then) and
  right after it (as the event listener would);
- `late`: the worker is down from the start — deadlines pass, people act, and only then does the
  sweep run, once.

Both must raise exactly the expected notices and notifications, to the same units, for the same
rounds: the deadlines are judged by what was true when they passed (README, "Timers and
supervision"). The order is dispatched to 城关 (A) on Monday 2026-11-23 09:00, a service order:
contact by 10:00, the 80 % warning at 16:30, handling by Tuesday 09:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from supervision.models import Notice, Notification, Rule, RuleFiring, RuleTimer, SupervisionPolicy
from tests.supervision.conftest import at, intake
from tickets import services
from tickets.models import ContactMethod, Outcome, Satisfaction, WorkOrder

pytestmark = pytest.mark.django_db

MON = (2026, 11, 23)
TUE = (2026, 11, 24)
WED = (2026, 11, 25)
END = at(*WED, 18, 0)

DN, CW, EW, OD, RR, CU, RC, LI = (
    Rule.DISPATCH_NOTICE,
    Rule.CONTACT_WARNING,
    Rule.EARLY_WARNING,
    Rule.OVERDUE,
    Rule.REVIEW_RETURNED,
    Rule.CALLBACK_UNSATISFIED,
    Rule.REPEAT_COMPLAINT,
    Rule.LEADER_INSTRUCTION,
)


class Desk:
    """The cast acting on orders known by a label ("o", "p" …)."""

    def __init__(self, cast, topic, units):
        self.cast = cast
        self.topic = topic
        self.units = units
        self.orders: dict[str, WorkOrder] = {}

    def order(self, label: str) -> WorkOrder:
        return WorkOrder.objects.get(pk=self.orders[label].pk)

    def unit_staff(self, label: str):
        order = self.order(label)
        return self.cast["officer_a"] if order.unit.code == "chengguan" else self.cast["officer_b"]

    # --- the steps -----------------------------------------------------------------------

    def dispatch(self, label, unit="A", **fields):
        fields.setdefault("caller_phone", f"1380000{len(self.orders):04d}")
        fields.setdefault("address", f"人民路{len(self.orders) + 1}号")
        order = intake(self.topic, **fields)
        self.orders[label] = services.order_dispatch(
            order=order, unit=self.units[unit], acting_user=self.cast["dispatcher"]
        )

    def contact(self, label, contacted_at=None):
        services.order_contact(
            order=self.order(label),
            acting_user=self.unit_staff(label),
            method=ContactMethod.PHONE,
            note="已联系",
            contacted_at=contacted_at,
        )

    def report(self, label):
        services.order_report(
            order=self.order(label), acting_user=self.unit_staff(label), outcome=Outcome.RESOLVED, text="已处理"
        )

    def extend(self, label, until):
        services.order_request_extension(
            order=self.order(label), acting_user=self.unit_staff(label), reason="需协调物业", requested_until=until
        )

    def approve_extension(self, label):
        services.order_decide_extension(order=self.order(label), acting_user=self.cast["dispatcher"], approve=True)

    def redispatch(self, label, unit="B"):
        services.order_redispatch(order=self.order(label), unit=self.units[unit], acting_user=self.cast["dispatcher"])

    def send_back(self, label):
        services.order_send_back(order=self.order(label), acting_user=self.unit_staff(label), reason="不属我所辖区")

    def reject_objection(self, label):
        services.order_reject_objection(order=self.order(label), acting_user=self.cast["dispatcher"], reason="属你所")

    def merge(self, label, into):
        services.order_merge(order=self.order(label), primary=self.order(into), acting_user=self.cast["dispatcher"])

    def return_(self, label):
        services.order_return(order=self.order(label), acting_user=self.cast["reviewer"], reason="未见调解记录")

    def approve(self, label):
        services.order_approve(order=self.order(label), acting_user=self.cast["reviewer"])

    def unsatisfied(self, label):
        services.order_callback(
            order=self.order(label),
            acting_user=self.cast["dispatcher"],
            satisfaction=Satisfaction.UNSATISFIED,
            citizen_words="问题依旧",
        )

    def reopen(self, label):
        services.order_reopen(order=self.order(label), acting_user=self.cast["dispatcher"], reason="群众不满意")


Step = tuple[dt.datetime, Callable[[Desk], None]]


@dataclass
class Scenario:
    steps: list[Step]
    # (order, rule, round, unit): exactly what must be raised, whether the worker ran or not.
    expected: list[tuple[str, str, int, str]]
    policy: dict = field(default_factory=dict)


def mon(h, m=0):
    return at(*MON, h, m)


def tue(h, m=0):
    return at(*TUE, h, m)


def wed(h, m=0):
    return at(*WED, h, m)


SCENARIOS: dict[str, Scenario] = {
    # 督办单 for the missed deadline, though the deadline was extended afterwards.
    "extension requested before, approved after the deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(8), lambda d: d.extend("o", wed(17))),
            (tue(10), lambda d: d.approve_extension("o")),
            (tue(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A")],
    ),
    "extension requested and approved after the deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(10), lambda d: d.extend("o", wed(17))),
            (tue(10, 30), lambda d: d.approve_extension("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A")],
    ),
    "extension approved in time: no 督办单, the warning moves": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (mon(15), lambda d: d.extend("o", wed(17))),
            (mon(15, 10), lambda d: d.approve_extension("o")),
            (wed(10), lambda d: d.report("o")),  # before the moved warning (Wed 11:12) and deadline
        ],
        [("o", DN, 1, "A")],
    ),
    # 督办单 to the unit that missed it, though the order went to another unit afterwards.
    "redispatched after the deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(10), lambda d: d.redispatch("o", "B")),
            (tue(10, 30), lambda d: d.contact("o")),
            (tue(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A"), ("o", DN, 2, "B")],
    ),
    "contact deadline passed, then redispatched": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(10, 30), lambda d: d.redispatch("o", "B")),
            (mon(10, 40), lambda d: d.contact("o")),
            (mon(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", CW, 1, "A"), ("o", CW, 1, "command"), ("o", DN, 2, "B")],
    ),
    "contacted after the contact deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(10, 30), lambda d: d.contact("o")),
            (mon(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", CW, 1, "A"), ("o", CW, 1, "command")],
    ),
    # Recorded after the deadline with an earlier contact time: a running worker had warned at
    # the deadline already, when nothing was recorded; so does a late one.
    "contact recorded after the deadline, dated before it": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(10, 30), lambda d: d.contact("o", contacted_at=mon(9, 50))),
            (mon(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", CW, 1, "A"), ("o", CW, 1, "command")],
    ),
    "contact warning with a grace period, then redispatched": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(10, 20), lambda d: d.redispatch("o", "B")),  # within the grace: nothing for A
            (mon(10, 30), lambda d: d.contact("o")),
            (mon(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", DN, 2, "B")],
        policy={"contact_warning_grace_minutes": 30},
    ),
    "80 % passed, then an extension approved": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (mon(16), lambda d: d.extend("o", wed(17))),
            (mon(17), lambda d: d.approve_extension("o")),
            (tue(10), lambda d: d.report("o")),  # the deadline had moved to Wednesday
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A")],
    ),
    "80 % passed, then redispatched": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (mon(17), lambda d: d.redispatch("o", "B")),
            (mon(17, 10), lambda d: d.contact("o")),
            (mon(17, 20), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", DN, 2, "B")],
    ),
    "merged after the deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(9, 30), lambda d: d.dispatch("p")),
            (tue(9, 40), lambda d: d.contact("p")),
            (tue(10), lambda d: d.merge("o", into="p")),
            (tue(10, 30), lambda d: d.report("p")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A"), ("p", DN, 1, "A")],
    ),
    "reported in time, returned after the deadline": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (mon(15), lambda d: d.report("o")),
            (tue(10), lambda d: d.return_("o")),
            (tue(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", RR, 1, "A")],
    ),
    "reported late": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(10), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A")],
    ),
    "sent back, objection rejected after the deadlines": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.send_back("o")),
            (tue(10), lambda d: d.reject_objection("o")),
            (tue(10, 30), lambda d: d.contact("o")),
            (tue(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", CW, 1, "A"), ("o", CW, 1, "command"), ("o", EW, 1, "A"), ("o", OD, 1, "A")],
    ),
    "sent back, objection accepted (redispatched) after the deadlines": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.send_back("o")),
            (tue(10), lambda d: d.redispatch("o", "B")),
            (tue(10, 30), lambda d: d.contact("o")),
            (tue(11), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", DN, 2, "B")],
    ),
    "reported late, unsatisfied, reopened": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 30), lambda d: d.contact("o")),
            (tue(10), lambda d: d.report("o")),
            (tue(10, 30), lambda d: d.approve("o")),
            (tue(11), lambda d: d.unsatisfied("o")),
            (tue(11, 30), lambda d: d.reopen("o")),
            (tue(11, 40), lambda d: d.contact("o")),
            (tue(12), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", EW, 1, "A"), ("o", OD, 1, "A"), ("o", CU, 1, "A"), ("o", DN, 2, "A")],
    ),
    "returned, then redispatched before any sweep": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o")),
            (mon(9, 20), lambda d: d.contact("o")),
            (mon(9, 30), lambda d: d.report("o")),
            (mon(9, 40), lambda d: d.return_("o")),
            (mon(9, 50), lambda d: d.redispatch("o", "B")),
            (mon(9, 55), lambda d: d.contact("o")),
            (mon(10), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", RR, 1, "A"), ("o", DN, 2, "B")],
    ),
    "leader instruction, redispatched": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o", leader_instructed=True, leader_instruction="务必当日办结")),
            (mon(9, 20), lambda d: d.redispatch("o", "B")),
            (mon(9, 30), lambda d: d.contact("o")),
            (mon(10), lambda d: d.report("o")),
        ],
        [("o", DN, 1, "A"), ("o", LI, 1, "A"), ("o", DN, 2, "B"), ("o", LI, 2, "B")],
    ),
    "third call from one phone, redispatched": Scenario(
        [
            (mon(9), lambda d: d.dispatch("o1", caller_phone="13912345678")),
            (mon(9, 10), lambda d: d.dispatch("o2", caller_phone="13912345678")),
            (mon(9, 20), lambda d: d.dispatch("o3", caller_phone="13912345678")),
            (mon(9, 40), lambda d: d.redispatch("o3", "B")),
            *[(mon(9, 45 + i), lambda d, label=label: d.contact(label)) for i, label in enumerate(("o1", "o2", "o3"))],
            *[(mon(11, i), lambda d, label=label: d.report(label)) for i, label in enumerate(("o1", "o2", "o3"))],
        ],
        [
            ("o1", DN, 1, "A"),
            ("o2", DN, 1, "A"),
            ("o3", DN, 1, "A"),
            ("o3", RC, 1, "A"),
            ("o3", DN, 2, "B"),
            ("o3", RC, 2, "B"),
        ],
    ),
}


# --- playing a scenario --------------------------------------------------------------------


def _due_moments() -> list[dt.datetime]:
    """Every moment a timed rule falls due, as the database shows it now (for the running worker)."""
    policy = SupervisionPolicy.load()
    grace = dt.timedelta(minutes=policy.contact_warning_grace_minutes)
    moments = list(RuleTimer.objects.values_list("due_at", flat=True))
    for contact, handling in WorkOrder.objects.values_list("contact_deadline", "handling_deadline"):
        moments += [m for m in (contact and contact + grace, handling) if m]
    return moments


def play(scenario: Scenario, desk: Desk, clock, sweep, *, in_time: bool) -> None:
    SupervisionPolicy.objects.update_or_create(pk=1, defaults=scenario.policy)
    clock.move_to(scenario.steps[0][0] - dt.timedelta(minutes=1))
    sweep()  # the worker ran once; in the late case it then goes down

    def run_until(moment):
        """The running worker: a sweep just after each due moment before `moment`."""
        while True:
            now = clock_now()
            due = sorted(m for m in _due_moments() if now < m < moment)
            if not due:
                return
            clock.move_to(due[0] + dt.timedelta(seconds=30))
            sweep()

    for when, act in scenario.steps:
        if in_time:
            run_until(when)
        clock.move_to(when)
        if in_time:
            sweep()  # a worker sweeping every minute has seen everything up to now
        act(desk)
        if in_time:
            sweep()  # the event listener
    if in_time:
        run_until(END)
    clock.move_to(END)
    sweep()
    sweep()


def clock_now():
    from django.utils import timezone

    return timezone.now()


def outcome(desk: Desk) -> tuple[list, list]:
    """(the firings as (order, rule, round), what was sent as (order, rule, unit))."""
    labels = {order.pk: label for label, order in desk.orders.items()}
    firings = sorted(
        (labels[order_id], rule, cycle)
        for order_id, rule, cycle in RuleFiring.objects.values_list("order", "rule", "cycle")
    )
    sent = [
        (labels[f.order_id], f.rule, f.notice.unit.code)
        for f in RuleFiring.objects.select_related("notice__unit").filter(notice__isnull=False)
    ]
    sent += [
        (labels[order_id], category, code)
        for order_id, category, code in Notification.objects.filter(
            category__in=Rule.values, order__isnull=False
        ).values_list("order", "category", "unit__code")
        if category not in (OD, RR, CU, RC, LI)  # notices: counted above, once per firing
    ]
    return firings, sorted(sent)


def expected_outcome(scenario: Scenario) -> tuple[list, list]:
    codes = {"A": "chengguan", "B": "wolongshan", "command": "command"}
    firings = sorted({(label, rule, cycle) for label, rule, cycle, _unit in scenario.expected})
    sent = sorted((label, rule, codes[unit]) for label, rule, _cycle, unit in scenario.expected)
    return firings, sent


@pytest.fixture
def desk(cast, topic, station_a, station_b, command_center):
    return Desk(cast, topic, {"A": station_a, "B": station_b})


@pytest.mark.parametrize("mode", ["in_time", "late"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_outcome_is_the_same_whether_the_sweep_ran_in_time_or_late(clock, sweep, desk, name, mode):
    scenario = SCENARIOS[name]
    play(scenario, desk, clock, sweep, in_time=mode == "in_time")
    assert outcome(desk) == expected_outcome(scenario)
    # Sweeping again raises nothing more.
    before = RuleFiring.objects.count(), Notice.objects.count(), Notification.objects.count()
    clock.shift(dt.timedelta(minutes=5))
    sweep()
    assert (RuleFiring.objects.count(), Notice.objects.count(), Notification.objects.count()) == before


# --- the outage of #11 §2, and what the notices say -----------------------------------------


def test_five_deadlines_passed_during_an_outage_each_gets_its_supervision_order(clock, sweep, desk):
    """The worker is stopped while five handling deadlines pass; people act on each order; the
    worker comes back: each missed deadline gets its one 督办单, to the unit that missed it."""
    sweep()
    for label in ("extended", "redispatched", "reported", "merged", "rejected"):
        desk.dispatch(label)
        desk.contact(label) if label != "rejected" else desk.send_back(label)
    clock.move_to(tue(9, 30))  # all five deadlines (Tue 09:00) have passed; nobody swept
    desk.dispatch("primary", "B")
    clock.move_to(tue(10))
    desk.extend("extended", wed(17))
    desk.approve_extension("extended")
    desk.redispatch("redispatched", "B")
    desk.report("reported")
    desk.merge("merged", into="primary")
    desk.reject_objection("rejected")
    clock.move_to(tue(10, 30))
    sweep()
    sweep()
    overdue = Notice.objects.filter(rule=Rule.OVERDUE)
    assert sorted(overdue.values_list("orders__pk", "unit__code")) == sorted(
        (desk.orders[label].pk, "chengguan") for label in ("extended", "redispatched", "reported", "merged", "rejected")
    )
    assert RuleFiring.objects.filter(rule=Rule.OVERDUE).count() == 5
    for notice in overdue:
        assert "2026-11-24 09:00" in notice.reason  # the deadline that was missed, not a later one


def test_the_missed_round_is_described_as_it_was(clock, sweep, desk):
    """A 督办单 raised late for a round that has ended names that round's dispatch and deadline."""
    sweep()
    desk.dispatch("o")
    clock.move_to(tue(10))
    desk.redispatch("o", "B")
    clock.move_to(tue(10, 5))
    sweep()
    notice = Notice.objects.get(rule=Rule.OVERDUE)
    assert notice.unit.code == "chengguan"
    assert "于2026-11-23 09:00转办你单位，办理时限为2026-11-24 09:00" in notice.reason
    firing = RuleFiring.objects.get(rule=Rule.OVERDUE)
    assert firing.cycle == 1 and firing.due_at == tue(9)


def test_an_extension_approved_late_keeps_the_missed_deadline_and_the_warning(clock, sweep, desk):
    sweep()
    desk.dispatch("o")
    desk.contact("o")
    clock.move_to(tue(10))
    desk.extend("o", wed(17))
    desk.approve_extension("o")
    assert desk.order("o").handling_deadline == wed(17)
    clock.move_to(tue(10, 5))
    sweep()
    assert RuleFiring.objects.get(rule=Rule.OVERDUE).due_at == tue(9)
    # The early warning was due Monday 16:30, before the extension: it stays there.
    assert RuleTimer.objects.get(rule=Rule.EARLY_WARNING).due_at == mon(16, 30)
    assert RuleFiring.objects.filter(rule=Rule.EARLY_WARNING).count() == 1
    # The new deadline passes without a report: still one 督办单 for the round.
    clock.move_to(wed(17, 30))
    sweep()
    assert Notice.objects.filter(rule=Rule.OVERDUE).count() == 1


def test_an_order_without_events_is_judged_by_its_columns(clock, sweep, station_a, topic):
    """Orders loaded in bulk without an event log (the benchmark's) still fall overdue once."""
    sweep()
    order = WorkOrder.objects.create(
        number="D0000000001",
        channel="12345",
        received_at=mon(8, 50),
        caller_name="王先生",
        caller_phone="13900000001",
        content="历史工单",
        nature="complaint",
        handling_type="service",
        topic=topic,
        status="contacted",
        cycle=1,
        unit=station_a,
        dispatched_at=mon(9),
        contacted_at=mon(9, 30),
        contact_deadline=mon(10),
        handling_deadline=tue(9),
    )
    clock.move_to(tue(9, 5))
    sweep()
    sweep()
    assert list(RuleFiring.objects.values_list("order", "rule", "cycle")) == [(order.pk, Rule.OVERDUE, 1)]
    assert Notice.objects.get().unit == station_a
