"""Every figure of the fixed week (conftest.py), computed by hand and compared.

The week is Mon 2026-11-16 … Sun 2026-11-22 (Asia/Shanghai), cut-off Mon 2026-11-23 08:00.
Working hours 08:30–12:00 and 13:30–17:30; a service order's limit is one working day (450 min).

Station A (城关派出所)          received  due  on time  closed-in-week  approved  callbacks
  q1 received the Sunday before     –      ✓      ✓           ✓            ✓       satisfied
  o1                                ✓      ✓      ✓           ✓            ✓       satisfied
  o2 contact late, report late      ✓      ✓      ✗                        ✓(partly) unsatisfied
  o3 returned once, on time         ✓      ✓      ✓           ✓            ✓       basically
  o4 received Sun 23:30             ✓   (due next week)
  o5 merged into o1                 –  (never counts)
  o6 extension approved             ✓   (deadline moved to next week)
  o7 sent back, pending             ✓   (out of due and response)
  o8 never contacted                ✓      ✓      ✗
  o9 leader-instructed, late        ✓      ✓      ✗                        ✓
Station B (卧龙山派出所)
  p1                                ✓      ✓      ✓           ✓            ✓       satisfied
  p2 sent back by A, re-dispatched  ✓      ✓      ✓                        ✓(unresolved)
"""

import pytest

from analysis.bulletins import bulletin_snapshot, meeting_list
from analysis.periods import Period
from analysis.stats import Figures, figures_by_unit, total
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, local

pytestmark = pytest.mark.django_db

WEEK = Period(WEEK_START, WEEK_END)


@pytest.fixture
def figures(week):
    return figures_by_unit(WEEK, GENERATED_AT)


def test_received_counts_orders_received_in_the_week_without_merged_duplicates(figures, station_a, station_b):
    # A: o1 o2 o3 o4 o6 o7 o8 o9 (q1 was received the week before; o5 is merged). B: p1 p2.
    assert figures[station_a.pk].received == 8
    assert figures[station_b.pk].received == 2


def test_response_rate_counts_contact_within_the_contact_deadline(figures, station_a, station_b):
    a = figures[station_a.pk]
    # Base: the 8 received minus o7 (sent back, pending) = 7.
    # Responded: o1 (09:30 ≤ 10:10), o3, o4 (00:20 ≤ 00:40), o6, o9; not o2 (11:30 > 11:05) nor o8.
    assert (a.responded, a.response_base) == (5, 7)
    assert a.response_rate == pytest.approx(5 / 7)
    # p2's contact deadline is an hour after its re-dispatch to B (10:00 → 11:00); contacted 10:30.
    b = figures[station_b.pk]
    assert (b.responded, b.response_base) == (2, 2)


def test_due_cohort_is_deadlines_in_the_week_without_pending_send_backs(figures, station_a):
    # q1 (Mon 17:30), o1 (Tue 09:10), o2 (Tue 10:05), o3 (Wed 09:05), o8 (Fri 10:10), o9 (Thu 09:10).
    # Not o4 (due Mon 23rd), o6 (extended to Tue 24th), o7 (sent back), o5 (merged).
    assert figures[station_a.pk].due == 6


def test_closure_rate_is_closed_among_due(figures, station_a, station_b):
    a = figures[station_a.pk]
    assert (a.due_closed, a.due) == (3, 6)  # q1, o1, o3
    assert a.closure_rate == pytest.approx(0.5)
    b = figures[station_b.pk]
    assert (b.due_closed, b.due) == (1, 2)  # p1; p2 approved, not called back
    assert b.closure_rate == pytest.approx(0.5)


def test_on_time_rate_and_overdue(figures, station_a, station_b):
    a = figures[station_a.pk]
    # On time: q1, o1, o3 (re-reported Tue 16:00 before Wed 09:05). Late: o2, o8, o9.
    assert (a.on_time, a.overdue) == (3, 3)
    assert a.on_time_rate == pytest.approx(0.5)
    b = figures[station_b.pk]
    assert (b.on_time, b.overdue, b.on_time_rate) == (2, 0, 1.0)


def test_closed_counts_orders_closed_in_the_week_whenever_received(figures, station_a, station_b):
    # A: q1 (received the week before), o1, o3. o5 closed with o1 but is a merged duplicate.
    assert figures[station_a.pk].closed == 3
    assert figures[station_b.pk].closed == 1


def test_resolution_rate_uses_outcomes_of_results_approved_in_the_week(figures, station_a, station_b):
    a = figures[station_a.pk]
    assert (a.approved, a.resolved, a.partly, a.unresolved) == (5, 4, 1, 0)  # q1 o1 o2 o3 o9
    assert a.resolution_rate == pytest.approx(0.8)
    b = figures[station_b.pk]
    assert (b.approved, b.resolved, b.unresolved, b.resolution_rate) == (2, 1, 1, 0.5)


def test_average_handling_time_in_working_hours(figures, station_a, station_b):
    a = figures[station_a.pk]
    # Working minutes from dispatch to the approved report:
    # q1  Sun 23:55 → Mon 10:00                      90
    # o1  Mon 09:10 → Mon 15:00   170 + 90          260
    # o2  Mon 10:05 → Wed 09:00   115 + 240 + 450 + 30  835
    # o3  Tue 09:05 → Tue 16:00   175 + 150         325
    # o9  Wed 09:10 → Thu 15:00   170 + 240 + 210 + 90  710
    assert a.handling_minutes_total == pytest.approx(2220)
    assert a.avg_handling_hours == pytest.approx(2220 / 5 / 60)  # 7.4 h
    b = figures[station_b.pk]
    # p1 09:10 → 10:00 = 50; p2 from its re-dispatch 10:00 → 15:00 = 120 + 90 = 210.
    assert b.avg_handling_hours == pytest.approx(260 / 2 / 60)


def test_satisfaction_rate_counts_callbacks_made_in_the_week(figures, station_a, station_b):
    a = figures[station_a.pk]
    assert (a.callbacks, a.satisfied, a.basically, a.unsatisfied) == (4, 2, 1, 1)
    assert a.satisfaction_rate == pytest.approx(0.75)
    assert figures[station_b.pk].satisfaction_rate == 1.0


def test_returned_counts_review_returns_in_the_week(figures, station_a, station_b):
    assert figures[station_a.pk].returned == 1  # o3
    assert figures[station_b.pk].returned == 0


def test_unit_with_no_orders_has_zero_counts_and_no_rates(figures, department):
    assert department.pk not in figures
    empty = Figures()
    assert empty.received == 0
    assert empty.closure_rate is None and empty.satisfaction_rate is None and empty.avg_handling_hours is None


def test_bureau_totals_add_up_the_units_and_recompute_the_rates(figures):
    bureau = total(figures.values())
    assert (bureau.received, bureau.due, bureau.on_time, bureau.closed) == (10, 8, 5, 4)
    assert bureau.on_time_rate == pytest.approx(5 / 8)
    assert bureau.response_rate == pytest.approx(7 / 9)
    assert bureau.satisfaction_rate == pytest.approx(4 / 5)
    assert bureau.avg_handling_hours == pytest.approx(2480 / 7 / 60)


def test_snapshot_lists_the_unit_without_orders(week, department):
    data = bulletin_snapshot(WEEK, GENERATED_AT, min_orders=5)
    row = next(r for r in data["units"] if r["unit_id"] == department.pk)
    assert row["figures"]["received"] == 0
    assert row["figures"]["on_time_rate"] is None
    assert row["ranked"] is False


def test_meeting_list_has_the_unsatisfied_and_the_late_leader_instructed_orders(week, station_a):
    meeting = meeting_list(WEEK, GENERATED_AT)
    assert [u["unit_id"] for u in meeting] == [station_a.pk]
    orders = {o["number"]: o for o in meeting[0]["orders"]}
    assert orders[week["o2"].order.number]["reasons"] == ["unsatisfied"]
    assert orders[week["o2"].order.number]["details"] == ["问题没有解决。"]
    assert orders[week["o9"].order.number]["reasons"] == ["key"]
    assert set(orders) == {week["o2"].order.number, week["o9"].order.number}


def test_order_received_in_one_week_and_closed_in_the_next_counts_in_each(week, station_a):
    # q1: received Sunday 15th 23:50 (week of the 9th), due, approved and closed in the week of the 16th.
    before = figures_by_unit(Period(WEEK_START.replace(day=9), WEEK_START.replace(day=15)), GENERATED_AT)
    assert before[station_a.pk].received == 1
    assert before[station_a.pk].due == 0
    assert before[station_a.pk].closed == 0


def test_order_received_sunday_night_is_due_the_next_week(week, station_a):
    # o4 (received Sun 22nd 23:30, due Mon 23rd 17:30) and o6 (extended to Tue 24th 12:00).
    next_week = Period(WEEK_START.replace(day=23), WEEK_END.replace(day=29))
    after = figures_by_unit(next_week, local(25, 8))
    assert after[station_a.pk].received == 0
    assert after[station_a.pk].due == 2
    assert after[station_a.pk].on_time == 0


def test_deadlines_after_the_cut_off_are_not_yet_due(week, station_a):
    # Generated mid-week (Wed 18th 09:30): only q1, o1 and o2 were due by then, and o3 at 09:05.
    mid = figures_by_unit(WEEK, local(18, 9, 30))
    assert mid[station_a.pk].due == 4


def test_unsatisfied_callback_of_a_reopened_order_still_counts(cast, station_a, officer_a):
    # The satisfaction rate counts callbacks made, not the order's latest rating: reopening an
    # unsatisfied order (which clears `satisfaction` and starts a new round) must not hide it.
    walk = (
        cast.receive(local(16, 9))
        .dispatch(local(16, 9, 5), station_a)
        .contact(local(16, 9, 20), officer_a)
        .report(local(16, 10), officer_a)
        .approve(local(16, 11))
        .callback(local(16, 14), "unsatisfied")
        .reopen(local(16, 15))
    )
    assert walk.order.satisfaction == ""
    a = figures_by_unit(WEEK, GENERATED_AT)[station_a.pk]
    assert (a.callbacks, a.unsatisfied, a.satisfaction_rate) == (1, 1, 0.0)
    # The reopened round is due on Tuesday and was not handled: overdue.
    assert (a.due, a.on_time) == (1, 0)


def test_a_cut_off_before_the_period_counts_nothing_due(week, station_a):
    figures = figures_by_unit(WEEK, local(15, 12))
    assert all(f.due == 0 for f in figures.values())


def test_sign_rate_counts_orders_signed_within_the_hour_of_dispatch(cast, station_a, officer_a):
    from tests.analysis.conftest import at
    from tickets import services

    signed = cast.receive(local(16, 9)).dispatch(local(16, 9, 5), station_a)
    with at(local(16, 9, 30)):
        services.order_sign(order=signed.order, acting_user=officer_a)
    cast.receive(local(16, 10)).dispatch(local(16, 10, 5), station_a).contact(local(16, 11, 30), officer_a)  # late
    cast.receive(local(16, 11)).dispatch(local(16, 11, 5), station_a)  # never signed, window over
    a = figures_by_unit(WEEK, GENERATED_AT)[station_a.pk]
    assert (a.signed_in_time, a.sign_base) == (1, 3)
    assert a.sign_rate == pytest.approx(1 / 3)


def test_an_unsigned_order_inside_its_window_is_not_yet_counted(cast, station_a):
    cast.receive(local(16, 9)).dispatch(local(16, 9, 5), station_a)
    a = figures_by_unit(WEEK, local(16, 9, 30))[station_a.pk]
    assert a.sign_base == 0
