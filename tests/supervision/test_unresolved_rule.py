"""An approved report that leaves the matter unresolved raises a 督办单 to the unit."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.periods import Period
from analysis.stats import figures_by_unit
from supervision.models import Rule, SupervisionPolicy
from tests.supervision.conftest import SUPERVISION, firings, notices
from tickets import services
from tickets.models import ContactMethod, Outcome

pytestmark = pytest.mark.django_db

REASON = "属民事纠纷，已引导当事人诉讼解决"


def walk_to_approval(order, officer, reviewer, outcome=Outcome.UNRESOLVED, reason=REASON):
    services.order_contact(order=order, acting_user=officer, method=ContactMethod.PHONE, note="已电话联系")
    services.order_report(
        order=order,
        acting_user=officer,
        outcome=outcome,
        text="已上门调解",
        unresolved_reason=reason if outcome != Outcome.RESOLVED else "",
    )
    return services.order_approve(order=order, acting_user=reviewer)


def test_approved_unresolved_report_raises_one_supervision_order_with_the_reason(
    clock, make_dispatched, officer_a, reviewer, station_a, sweep
):
    order = make_dispatched()
    walk_to_approval(order, officer_a, reviewer)
    sweep()
    sweep()
    letter = notices(order, SUPERVISION).get()
    assert letter.rule == Rule.UNRESOLVED
    assert letter.unit == station_a
    assert REASON in letter.reason
    assert "未解决" in letter.reason
    assert firings(Rule.UNRESOLVED, order).count() == 1


def test_approved_partly_resolved_report_raises_a_supervision_order(clock, make_dispatched, officer_a, reviewer, sweep):
    order = make_dispatched()
    walk_to_approval(order, officer_a, reviewer, outcome=Outcome.PARTLY, reason="噪音已减轻，施工方仍未整改")
    sweep()
    letter = notices(order, SUPERVISION).get()
    assert "部分解决" in letter.reason
    assert "施工方仍未整改" in letter.reason


def test_resolved_report_raises_no_unresolved_supervision_order(clock, make_dispatched, officer_a, reviewer, sweep):
    order = make_dispatched()
    walk_to_approval(order, officer_a, reviewer, outcome=Outcome.RESOLVED)
    sweep()
    assert firings(Rule.UNRESOLVED).count() == 0
    assert notices(order).count() == 0


def test_unresolved_report_waiting_for_review_raises_nothing_yet(clock, make_dispatched, officer_a, sweep):
    order = make_dispatched()
    services.order_contact(order=order, acting_user=officer_a, method=ContactMethod.PHONE, note="已电话联系")
    services.order_report(
        order=order, acting_user=officer_a, outcome=Outcome.UNRESOLVED, text="调解", unresolved_reason=REASON
    )
    sweep()
    assert notices(order).count() == 0


def test_unresolved_rule_switched_off_raises_nothing(clock, make_dispatched, officer_a, reviewer, sweep):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"unresolved_enabled": False})
    order = make_dispatched()
    walk_to_approval(order, officer_a, reviewer)
    sweep()
    assert notices(order).count() == 0
    assert firings(Rule.UNRESOLVED).count() == 0


def test_weekly_bulletin_counts_the_unresolved_supervision_order(
    clock, make_dispatched, officer_a, reviewer, station_a, sweep
):
    order = make_dispatched()
    walk_to_approval(order, officer_a, reviewer)
    sweep()
    monday = dt.date(2026, 11, 23)
    week = Period(monday, monday + dt.timedelta(days=6))
    figures = figures_by_unit(week, order.received_at + dt.timedelta(days=7))
    assert figures[station_a.pk].supervision_orders == 1
