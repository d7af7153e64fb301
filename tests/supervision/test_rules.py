"""Each rule, with time travel: move past the threshold, sweep, exactly one; sweep again, still one."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision.models import InboxItem, Notice, Notification, Rule, RuleTimer, SupervisionPolicy
from tests.supervision.conftest import REMINDER, SUPERVISION, at, firings, intake, notices
from tickets import services
from tickets.models import ContactMethod, Outcome, Satisfaction

pytestmark = pytest.mark.django_db


def contact(order, officer):
    return services.order_contact(order=order, acting_user=officer, method=ContactMethod.PHONE, note="已电话联系")


def report(order, officer):
    return services.order_report(order=order, acting_user=officer, outcome=Outcome.RESOLVED, text="已调解处理")


# --- dispatch notification ----------------------------------------------------------------


def test_dispatch_notifies_the_unit_staff_once(clock, make_dispatched, officer_a, head_a, officer_b, sweep):
    order = make_dispatched()
    sweep()
    sweep()
    notes = Notification.objects.filter(category=Rule.DISPATCH_NOTICE, order=order)
    assert notes.count() == 1
    assert order.number in notes.get().title
    recipients = set(InboxItem.objects.filter(notification=notes.get()).values_list("user__username", flat=True))
    assert recipients == {"officer_a", "head_a"}


def test_redispatch_notifies_the_new_unit(clock, make_dispatched, dispatcher, station_b, officer_b, sweep):
    order = make_dispatched()
    sweep()
    clock.shift(dt.timedelta(minutes=10))
    services.order_redispatch(order=order, unit=station_b, acting_user=dispatcher)
    sweep()
    units = list(
        Notification.objects.filter(category=Rule.DISPATCH_NOTICE, order=order).values_list("unit__code", flat=True)
    )
    assert sorted(units) == ["chengguan", "wolongshan"]


# --- no contact within 60 minutes ------------------------------------------------------------


def test_no_contact_after_60_minutes_warns_unit_and_command_center(
    clock, make_dispatched, officer_a, dispatcher, sweep
):
    order = make_dispatched()
    clock.shift(dt.timedelta(minutes=59))
    sweep()
    assert firings(Rule.CONTACT_WARNING).count() == 0
    clock.shift(dt.timedelta(minutes=2))
    sweep()
    sweep()
    assert firings(Rule.CONTACT_WARNING, order).count() == 1
    units = set(Notification.objects.filter(category=Rule.CONTACT_WARNING).values_list("unit__code", flat=True))
    assert units == {"chengguan", "command"}
    assert InboxItem.objects.filter(user=dispatcher, notification__category=Rule.CONTACT_WARNING).count() == 1


def test_contact_in_time_means_no_warning(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()
    clock.shift(dt.timedelta(minutes=30))
    contact(order, officer_a)
    clock.shift(dt.timedelta(minutes=60))
    sweep()
    assert firings(Rule.CONTACT_WARNING).count() == 0


def test_contact_warning_waits_for_the_grace_period(clock, make_dispatched, officer_a, sweep):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"contact_warning_grace_minutes": 15})
    order = make_dispatched()
    clock.shift(dt.timedelta(minutes=70))
    sweep()
    assert firings(Rule.CONTACT_WARNING).count() == 0
    clock.shift(dt.timedelta(minutes=6))
    sweep()
    assert firings(Rule.CONTACT_WARNING, order).count() == 1


# --- early warning at 80 % -------------------------------------------------------------------


def test_early_warning_at_80_percent_of_working_time(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()  # Monday 09:00, one working day: due Tuesday 09:00
    assert order.handling_deadline == at(2026, 11, 24, 9, 0)
    contact(order, officer_a)
    sweep()
    # 80 % of 450 working minutes = 360: 09:00–12:00 and 13:30–16:30 on Monday.
    assert RuleTimer.objects.get(order=order, rule=Rule.EARLY_WARNING).due_at == at(2026, 11, 23, 16, 30)
    clock.move_to(at(2026, 11, 23, 16, 29))
    sweep()
    assert firings(Rule.EARLY_WARNING).count() == 0
    clock.move_to(at(2026, 11, 23, 16, 31))
    sweep()
    sweep()
    assert firings(Rule.EARLY_WARNING, order).count() == 1
    assert Notification.objects.filter(category=Rule.EARLY_WARNING, unit=order.unit).count() == 1


def test_no_early_warning_when_reported_in_time(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()
    contact(order, officer_a)
    sweep()
    clock.move_to(at(2026, 11, 23, 15, 0))
    report(order, officer_a)
    clock.move_to(at(2026, 11, 23, 17, 0))
    sweep()
    assert firings(Rule.EARLY_WARNING).count() == 0


def test_approved_extension_moves_the_early_warning(clock, make_dispatched, officer_a, dispatcher, sweep):
    order = make_dispatched()
    sweep()
    services.order_request_extension(
        order=order, acting_user=officer_a, reason="需协调物业", requested_until=at(2026, 11, 25, 9, 0)
    )
    services.order_decide_extension(order=order, acting_user=dispatcher, approve=True)
    sweep()
    # Two working days from Monday 09:00; 80 % = 720 minutes → Tuesday 15:00.
    assert RuleTimer.objects.get(order=order).due_at == at(2026, 11, 24, 15, 0)
    clock.move_to(at(2026, 11, 23, 17, 0))
    sweep()
    assert firings(Rule.EARLY_WARNING).count() == 0
    clock.move_to(at(2026, 11, 24, 15, 1))
    sweep()
    assert firings(Rule.EARLY_WARNING, order).count() == 1


# --- overdue → 督办单 -------------------------------------------------------------------------


def test_overdue_order_gets_exactly_one_supervision_order(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()
    contact(order, officer_a)
    clock.move_to(at(2026, 11, 24, 8, 59))
    sweep()
    assert notices(order, SUPERVISION).count() == 0
    clock.move_to(at(2026, 11, 24, 9, 1))
    sweep()
    sweep()
    assert notices(order, SUPERVISION).count() == 1
    notice = notices(order, SUPERVISION).get()
    assert notice.rule == Rule.OVERDUE
    assert notice.unit == order.unit
    assert notice.number == "督办〔2026〕第001号"
    assert "2026-11-24 09:00" in notice.reason


def test_order_reported_in_time_gets_no_supervision_order(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()
    contact(order, officer_a)
    report(order, officer_a)
    clock.move_to(at(2026, 11, 25, 9, 0))
    sweep()
    assert notices(order).count() == 0


def test_returned_order_past_its_deadline_is_overdue(clock, make_dispatched, officer_a, reviewer, sweep):
    order = make_dispatched()
    contact(order, officer_a)
    report(order, officer_a)
    services.order_return(order=order, acting_user=reviewer, reason="未见调解记录")
    sweep()  # the return's own 督办单
    clock.move_to(at(2026, 11, 24, 9, 30))
    sweep()
    sweep()
    assert firings(Rule.OVERDUE, order).count() == 1
    assert notices(order, SUPERVISION).count() == 2


def test_each_round_has_its_own_overdue(clock, make_dispatched, officer_a, dispatcher, station_b, sweep):
    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 9, 30))
    sweep()
    services.order_redispatch(order=order, unit=station_b, acting_user=dispatcher)
    clock.move_to(at(2026, 11, 25, 10, 0))
    sweep()
    sweep()
    assert firings(Rule.OVERDUE, order).count() == 2
    assert sorted(notices(order, SUPERVISION).values_list("unit__code", flat=True)) == ["chengguan", "wolongshan"]


def test_sent_back_order_is_not_overdue_until_the_objection_is_rejected(
    clock, make_dispatched, officer_a, dispatcher, sweep
):
    order = make_dispatched()
    services.order_send_back(order=order, acting_user=officer_a, reason="不属我所辖区")
    clock.move_to(at(2026, 11, 24, 10, 0))
    sweep()
    assert firings(Rule.OVERDUE).count() == 0
    assert firings(Rule.CONTACT_WARNING).count() == 0
    services.order_reject_objection(order=order, acting_user=dispatcher, reason="属你所辖区")
    sweep()
    sweep()
    assert firings(Rule.OVERDUE, order).count() == 1
    assert firings(Rule.CONTACT_WARNING, order).count() == 1


# --- reviewer returns → 督办单 -----------------------------------------------------------------


def test_each_return_by_a_reviewer_gets_one_supervision_order(clock, make_dispatched, officer_a, reviewer, sweep):
    order = make_dispatched()
    contact(order, officer_a)
    report(order, officer_a)
    services.order_return(order=order, acting_user=reviewer, reason="未见调解记录")
    sweep()
    sweep()
    assert notices(order, SUPERVISION).count() == 1
    assert "未见调解记录" in notices(order).get().reason
    report(order, officer_a)
    services.order_return(order=order, acting_user=reviewer, reason="仍未解决")
    sweep()
    sweep()
    assert firings(Rule.REVIEW_RETURNED, order).count() == 2
    assert notices(order, SUPERVISION).count() == 2


# --- unsatisfied callback → 提醒函 -------------------------------------------------------------


def walk_to_callback(order, officer, reviewer, dispatcher, satisfaction):
    contact(order, officer)
    report(order, officer)
    services.order_approve(order=order, acting_user=reviewer)
    return services.order_callback(
        order=order, acting_user=dispatcher, satisfaction=satisfaction, citizen_words="噪音依旧"
    )


def test_unsatisfied_callback_gets_one_reminder_letter(clock, make_dispatched, officer_a, reviewer, dispatcher, sweep):
    order = make_dispatched()
    walk_to_callback(order, officer_a, reviewer, dispatcher, Satisfaction.UNSATISFIED)
    sweep()
    sweep()
    letters = notices(order, REMINDER)
    assert letters.count() == 1
    assert letters.get().rule == Rule.CALLBACK_UNSATISFIED
    assert "噪音依旧" in letters.get().reason
    assert letters.get().number == "提醒〔2026〕第001号"


def test_satisfied_callback_gets_no_letter(clock, make_dispatched, officer_a, reviewer, dispatcher, sweep):
    order = make_dispatched()
    walk_to_callback(order, officer_a, reviewer, dispatcher, Satisfaction.SATISFIED)
    sweep()
    assert notices(order).count() == 0


def test_reopened_and_again_unsatisfied_gets_a_second_letter(
    clock, make_dispatched, officer_a, reviewer, dispatcher, sweep
):
    order = make_dispatched()
    walk_to_callback(order, officer_a, reviewer, dispatcher, Satisfaction.UNSATISFIED)
    sweep()
    services.order_reopen(order=order, acting_user=dispatcher, reason="群众不满意")
    walk_to_callback(order, officer_a, reviewer, dispatcher, Satisfaction.UNSATISFIED)
    sweep()
    sweep()
    assert notices(order, REMINDER).count() == 2


# --- repeated complaints → 提醒函 --------------------------------------------------------------


def test_third_call_from_the_same_phone_in_30_days_gets_one_letter_linking_all(clock, make_dispatched, sweep):
    first = make_dispatched(address="人民路1号")
    clock.shift(dt.timedelta(days=10))
    second = make_dispatched(address="建设路2号")
    sweep()
    assert notices(kind=REMINDER).count() == 0
    clock.shift(dt.timedelta(days=10))
    third = make_dispatched(address="幸福小区")
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert set(letter.orders.all()) == {first, second, third}
    assert "138****5678" in letter.reason


def test_calls_spread_over_more_than_30_days_are_not_repeats(clock, make_dispatched, sweep):
    make_dispatched()
    clock.shift(dt.timedelta(days=20))
    make_dispatched()
    clock.shift(dt.timedelta(days=11))
    make_dispatched()
    sweep()
    assert Notice.objects.filter(rule=Rule.REPEAT_COMPLAINT).count() == 0


def test_same_address_and_topic_from_different_phones_is_a_repeat(clock, make_dispatched, sweep):
    for phone in ("13800000001", "13800000002", "13800000003"):
        make_dispatched(caller_phone=phone)
        clock.shift(dt.timedelta(hours=1))
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert letter.orders.count() == 3
    assert "城关街道幸福小区3号楼" in letter.reason


def test_a_fourth_repeat_joins_the_open_letter(clock, make_dispatched, sweep):
    orders = []
    for _i in range(3):
        orders.append(make_dispatched())
        clock.shift(dt.timedelta(hours=1))
    sweep()
    orders.append(make_dispatched())
    sweep()
    sweep()
    letter = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert set(letter.orders.all()) == set(orders)
    assert letter.events.filter(action="link_orders").count() == 1


# --- leader instruction → 提醒函 at dispatch ---------------------------------------------------


def test_leader_instruction_gets_a_letter_at_dispatch(clock, topic, dispatcher, station_a, sweep):
    order = intake(topic, leader_instructed=True, leader_instruction="请城关所务必当日解决")
    sweep()
    assert notices(order).count() == 0
    services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)
    sweep()
    sweep()
    letter = notices(order, REMINDER).get()
    assert letter.rule == Rule.LEADER_INSTRUCTION
    assert "请城关所务必当日解决" in letter.reason


def test_order_without_leader_instruction_gets_no_letter(clock, make_dispatched, sweep):
    order = make_dispatched()
    sweep()
    assert notices(order).count() == 0


# --- switches --------------------------------------------------------------------------------


def test_a_disabled_rule_does_not_fire(clock, make_dispatched, sweep):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"overdue_enabled": False})
    order = make_dispatched()
    clock.move_to(at(2026, 11, 25, 9, 0))
    sweep()
    assert notices(order, SUPERVISION).count() == 0
