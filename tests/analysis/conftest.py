"""A small, fixed week of orders walked through the real services on a moving clock.

The week under test is Monday 2026-11-16 to Sunday 2026-11-22 in Asia/Shanghai (no holiday in
it); the bulletin is generated on Monday 2026-11-23 at 08:00. `tests/bulletins/test_figures.py`
computes every figure of this data by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from stations.models import Role, UnitKind
from tests.factories import TopicFactory, UnitFactory, UserFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
WEEK_START = dt.date(2026, 11, 16)
WEEK_END = dt.date(2026, 11, 22)
GENERATED_AT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    """A moment in November 2026, Asia/Shanghai."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


class Walk:
    """Moves one order through the loop, each step at its own moment."""

    def __init__(self, cast: Cast, order: WorkOrder):
        self.cast = cast
        self.order = order

    def _do(self, moment, fn, **kwargs):
        with at(moment):
            result = fn(order=self.order, **kwargs)
        if isinstance(result, WorkOrder):
            self.order = result
        else:
            self.order.refresh_from_db()
        return self

    def dispatch(self, moment, unit):
        return self._do(moment, services.order_dispatch, unit=unit, acting_user=self.cast.dispatcher)

    def redispatch(self, moment, unit):
        return self._do(moment, services.order_redispatch, unit=unit, acting_user=self.cast.dispatcher)

    def contact(self, moment, officer):
        return self._do(moment, services.order_contact, acting_user=officer, method="phone", note="已电话联系。")

    def report(self, moment, officer, outcome="resolved"):
        reason = "" if outcome == "resolved" else "属民事纠纷，已引导诉讼。"
        return self._do(
            moment,
            services.order_report,
            acting_user=officer,
            outcome=outcome,
            text="已处理。",
            unresolved_reason=reason,
        )

    def approve(self, moment):
        return self._do(moment, services.order_approve, acting_user=self.cast.reviewer)

    def give_back(self, moment):
        return self._do(moment, services.order_return, acting_user=self.cast.reviewer, reason="请补充处理结果。")

    def callback(self, moment, satisfaction, words=""):
        return self._do(
            moment,
            services.order_callback,
            acting_user=self.cast.dispatcher,
            satisfaction=satisfaction,
            citizen_words=words,
        )

    def close(self, moment):
        return self._do(moment, services.order_close, acting_user=self.cast.dispatcher)

    def reopen(self, moment):
        return self._do(moment, services.order_reopen, acting_user=self.cast.dispatcher, reason="群众不满意。")

    def send_back(self, moment, officer):
        return self._do(moment, services.order_send_back, acting_user=officer, reason="不属本辖区。")

    def merge_into(self, moment, primary):
        return self._do(moment, services.order_merge, primary=primary.order, acting_user=self.cast.dispatcher)

    def extend(self, moment, until, officer):
        with at(moment):
            services.order_request_extension(
                order=self.order, acting_user=officer, reason="需协调。", requested_until=until
            )
        return self

    def decide_extension(self, moment, approve=True):
        return self._do(
            moment, services.order_decide_extension, acting_user=self.cast.dispatcher, approve=approve, note="同意。"
        )


class Cast:
    def __init__(self, dispatcher, reviewer, topic):
        self.dispatcher = dispatcher
        self.reviewer = reviewer
        self.topic = topic
        self._phone = 0

    def receive(
        self,
        moment,
        *,
        topic=None,
        handling_type=HandlingType.SERVICE,
        phone=None,
        address="城关街道幸福小区3号楼",
        **extra,
    ) -> Walk:
        self._phone += 1
        with at(moment):
            order = services.order_intake(
                channel=extra.pop("channel", Channel.HOTLINE_12345),
                caller_name="王女士",
                caller_phone=phone or f"1380000{self._phone:04d}",
                address=address,
                content="楼上深夜装修噪音扰民。",
                nature=Nature.COMPLAINT,
                handling_type=handling_type,
                topic=topic or self.topic,
                received_at=moment,
                acting_user=self.dispatcher,
                **extra,
            ).order
        return Walk(self, order)


@pytest.fixture
def topic(db):
    return TopicFactory(code="noise", name="噪音扰民")


@pytest.fixture
def department(db):
    return UnitFactory(name="出入境管理大队", code="exit-entry", kind=UnitKind.DEPARTMENT)


@pytest.fixture
def cast(dispatcher, reviewer, topic):
    return Cast(dispatcher, reviewer, topic)


@pytest.fixture
def week(cast, station_a, station_b, officer_a, officer_b, department):
    """The fixed week. Returns the walks by name; see test_figures.py for the arithmetic."""
    c = cast
    w = {}
    # Received the Sunday before, due Monday 17:30 of the week, closed in the week.
    w["q1"] = (
        c.receive(local(15, 23, 50))
        .dispatch(local(15, 23, 55), station_a)
        .contact(local(16, 0, 30), officer_a)
        .report(local(16, 10), officer_a)
        .approve(local(16, 11))
        .callback(local(16, 15), "satisfied")
        .close(local(16, 15, 30))
    )
    w["o1"] = c.receive(local(16, 9)).dispatch(local(16, 9, 10), station_a).contact(local(16, 9, 30), officer_a)
    # A duplicate merged into o1: it closes with o1 and never counts.
    w["o5"] = c.receive(local(16, 11)).dispatch(local(16, 11, 5), station_a).merge_into(local(16, 11, 30), w["o1"])
    w["o1"].report(local(16, 15), officer_a).approve(local(16, 16)).callback(local(17, 10), "satisfied").close(
        local(17, 10, 30)
    )
    # Contacted late, reported late, partly resolved, unsatisfied: on the meeting list.
    w["o2"] = (
        c.receive(local(16, 10))
        .dispatch(local(16, 10, 5), station_a)
        .contact(local(16, 11, 30), officer_a)
        .report(local(18, 9), officer_a, outcome="partly")
        .approve(local(18, 10))
        .callback(local(18, 11), "unsatisfied", words="问题没有解决。")
    )
    # Returned once by review, reported again before the deadline: on time.
    w["o3"] = (
        c.receive(local(17, 9))
        .dispatch(local(17, 9, 5), station_a)
        .contact(local(17, 9, 20), officer_a)
        .report(local(17, 11), officer_a)
        .give_back(local(17, 14))
        .report(local(17, 16), officer_a)
        .approve(local(17, 17))
        .callback(local(18, 15), "basically")
        .close(local(18, 15, 30))
    )
    # Received Sunday 23:30 local (15:30 UTC): this week's order, due next week.
    w["o4"] = c.receive(local(22, 23, 30)).dispatch(local(22, 23, 40), station_a).contact(local(23, 0, 20), officer_a)
    # An approved extension moves the deadline into next week.
    w["o6"] = c.receive(local(18, 9)).dispatch(local(18, 9, 10), station_a).contact(local(18, 9, 30), officer_a)
    w["o6"].extend(local(18, 10), local(24, 12), officer_a).decide_extension(local(18, 11))
    # Sent back, objection still pending at the cut-off.
    w["o7"] = c.receive(local(19, 9)).dispatch(local(19, 9, 10), station_a).send_back(local(19, 9, 30), officer_a)
    # Never contacted, overdue.
    w["o8"] = c.receive(local(19, 10)).dispatch(local(19, 10, 10), station_a)
    # Leader-instructed and reported late: key-supervised.
    w["o9"] = (
        c.receive(local(18, 9), leader_instructed=True, leader_instruction="请高度重视。")
        .dispatch(local(18, 9, 10), station_a)
        .contact(local(18, 9, 20), officer_a)
        .report(local(19, 15), officer_a)
        .approve(local(19, 16))
    )
    # Station B.
    w["p1"] = (
        c.receive(local(16, 9))
        .dispatch(local(16, 9, 10), station_b)
        .contact(local(16, 9, 15), officer_b)
        .report(local(16, 10), officer_b)
        .approve(local(16, 11))
        .callback(local(16, 14), "satisfied")
        .close(local(16, 14, 30))
    )
    # Sent back by A, re-dispatched to B: it is B's order.
    w["p2"] = (
        c.receive(local(17, 9))
        .dispatch(local(17, 9, 5), station_a)
        .send_back(local(17, 9, 30), officer_a)
        .redispatch(local(17, 10), station_b)
        .contact(local(17, 10, 30), officer_b)
        .report(local(17, 15), officer_b, outcome="unresolved")
        .approve(local(17, 16))
    )
    return w


@pytest.fixture
def manager(command_center):
    """A supervisor (the cast's `supervisor` fixture, under a name that reads well in tests)."""
    return UserFactory(username="supervisor", unit=command_center, role=Role.SUPERVISOR)
