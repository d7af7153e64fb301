"""领导批示 at any time before closing: recorded on the order, in its timeline, and a 提醒函 to the unit."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision.models import Notice, Rule, SupervisionPolicy
from tests.supervision.conftest import REMINDER, at, firings, intake, notices
from tickets import services
from tickets.exceptions import InvalidInput, InvalidTransition, NotPermitted
from tickets.models import ContactMethod, LeaderInstruction, Status

pytestmark = pytest.mark.django_db


def instruct(order, user, text="请城关所务必当日解决", instructor="局长 张某", **kwargs):
    return services.order_instruct(order=order, acting_user=user, instructor=instructor, text=text, **kwargs)


def test_instruction_recorded_mid_handling_raises_its_letter(clock, make_dispatched, officer_a, supervisor, sweep):
    order = make_dispatched()
    services.order_contact(order=order, acting_user=officer_a, method=ContactMethod.PHONE, note="已电话联系")
    sweep()
    assert notices(order).count() == 0
    clock.shift(dt.timedelta(hours=2))
    instruct(order, supervisor)
    sweep()
    sweep()
    letter = notices(order, REMINDER).get()
    assert letter.rule == Rule.LEADER_INSTRUCTION
    assert "请城关所务必当日解决" in letter.reason
    assert letter.unit == order.unit


def test_instruction_does_not_change_the_status_and_is_in_the_timeline(clock, make_dispatched, dispatcher):
    order = make_dispatched()
    instruct(order, dispatcher, instructed_at=at(2026, 11, 23, 8, 30))
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert order.leader_instructed
    assert "局长 张某：请城关所务必当日解决" in order.leader_instruction
    event = order.events.get(action="instruct")
    assert (event.from_status, event.to_status, event.actor) == (Status.DISPATCHED, Status.DISPATCHED, dispatcher)
    assert event.payload["instructor"] == "局长 张某"
    instruction = order.instructions.get()
    assert (instruction.instructor, instruction.instructed_at) == ("局长 张某", at(2026, 11, 23, 8, 30))


def test_a_second_different_instruction_raises_a_second_letter(clock, make_dispatched, supervisor, sweep):
    order = make_dispatched()
    instruct(order, supervisor)
    sweep()
    instruct(order, supervisor, text="请督察支队跟踪问效", instructor="政委 李某")
    sweep()
    sweep()
    assert notices(order, REMINDER).count() == 2


def test_the_same_instruction_submitted_twice_raises_one_letter(clock, make_dispatched, supervisor, sweep):
    order = make_dispatched()
    instruct(order, supervisor)
    instruct(order, supervisor)  # a retried request
    sweep()
    sweep()
    assert order.instructions.count() == 1
    assert order.events.filter(action="instruct").count() == 1
    assert notices(order, REMINDER).count() == 1


def test_instruction_before_dispatch_raises_its_letter_at_dispatch(clock, topic, dispatcher, station_a, sweep):
    order = intake(topic)
    instruct(order, dispatcher)
    sweep()
    assert notices(order).count() == 0
    services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)
    sweep()
    sweep()
    letter = notices(order, REMINDER).get()
    assert "请城关所务必当日解决" in letter.reason


def test_instruction_raises_nothing_when_the_leader_rule_is_off(clock, make_dispatched, supervisor, sweep):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"leader_enabled": False})
    order = make_dispatched()
    instruct(order, supervisor)
    sweep()
    assert firings(Rule.LEADER_INSTRUCTION).count() == 0


def test_officer_cannot_record_an_instruction(clock, make_dispatched, officer_a):
    order = make_dispatched()
    with pytest.raises(NotPermitted):
        instruct(order, officer_a)
    assert not LeaderInstruction.objects.exists()


def test_closed_order_takes_no_instruction(clock, make_dispatched, supervisor):
    order = make_dispatched()
    order.status = Status.CLOSED
    order.save()
    with pytest.raises(InvalidTransition):
        instruct(order, supervisor)


def test_instruction_needs_the_leader_and_the_words(clock, make_dispatched, supervisor):
    order = make_dispatched()
    with pytest.raises(InvalidInput) as refused:
        instruct(order, supervisor, instructor=" ", text="")
    assert set(refused.value.field_errors) == {"instructor", "text"}
    assert not order.events.filter(action="instruct").exists()


def test_instruction_in_the_future_is_refused(clock, make_dispatched, supervisor):
    order = make_dispatched()
    with pytest.raises(InvalidInput) as refused:
        instruct(order, supervisor, instructed_at=at(2026, 11, 24, 9, 0))
    assert "instructed_at" in refused.value.field_errors


def test_merging_an_instructed_order_carries_the_instruction_and_letter_to_the_primary(
    clock, make_dispatched, topic, dispatcher, sweep
):
    primary = make_dispatched(caller_phone="13900000001")
    duplicate = intake(topic, caller_phone="13900000002", leader_instructed=True, leader_instruction="请尽快处置")
    services.order_merge(order=duplicate, primary=primary, acting_user=dispatcher)
    primary.refresh_from_db()
    assert primary.leader_instructed
    assert primary.instructions.get().carried_from == duplicate
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.LEADER_INSTRUCTION)
    assert list(letter.orders.all()) == [primary]
    assert "请尽快处置" in letter.reason
