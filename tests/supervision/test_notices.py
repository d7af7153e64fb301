"""Notice services: numbering, respond-by, who may sign, respond and close, escalation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from stations.models import Unit, UnitKind
from supervision import services
from supervision.exceptions import (
    MSG_NOT_ALLOWED_TO_ISSUE,
    MSG_ORDER_HAS_NO_UNIT,
    MSG_RESPONSE_REQUIRED,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
)
from supervision.models import InboxItem, Notice, NoticeKind, NoticeStatus, Notification, SupervisionPolicy
from supervision.selectors import notices_for_order, open_notices_for_unit, unread_count
from tests.supervision.conftest import SUPERVISION, at, intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(clock, make_dispatched):
    return make_dispatched()


@pytest.fixture
def notice(order, supervisor):
    return services.notice_issue_by_hand(
        acting_user=supervisor, order=order, kind=SUPERVISION, reason="群众多次反映，请加快办理。"
    )


def test_supervisor_issues_a_numbered_notice_due_in_one_working_day(notice, order):
    assert notice.number == "督办〔2026〕第001号"
    assert notice.unit == order.unit
    assert list(notice.orders.all()) == [order]
    # Issued Monday 09:00; one working day of 450 minutes → Tuesday 09:00.
    assert notice.respond_by == at(2026, 11, 24, 9, 0)
    assert notice.events.get().action == "issue"


def test_numbers_follow_a_yearly_sequence_per_kind(order, supervisor):
    kinds = [NoticeKind.SUPERVISION, NoticeKind.REMINDER, NoticeKind.SUPERVISION]
    numbers = [
        services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=k, reason="事由").number for k in kinds
    ]
    assert numbers == ["督办〔2026〕第001号", "提醒〔2026〕第001号", "督办〔2026〕第002号"]


def test_number_format_is_configurable(order, supervisor):
    SupervisionPolicy.objects.update_or_create(
        pk=1, defaults={"supervision_number_format": "嘉警督〔{year}〕{seq:04d}号"}
    )
    notice = services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由")
    assert notice.number == "嘉警督〔2026〕0001号"


def test_a_friday_afternoon_notice_is_due_monday_afternoon(clock, make_dispatched, supervisor):
    clock.move_to(at(2026, 11, 27, 15, 0))
    order = make_dispatched()
    notice = services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由")
    # 2.5 h left on Friday, 5 h on Monday (08:30–12:00, 13:30–15:00).
    assert notice.respond_by == at(2026, 11, 30, 15, 0)


def test_issuing_notifies_the_unit_inbox(officer_a, head_a, notice):
    assert unread_count(officer_a) == 1
    assert unread_count(head_a) == 1
    assert Notification.objects.get(notice=notice).title.startswith("收到督办单 督办〔2026〕第001号")


def test_only_a_supervisor_issues_by_hand(order, dispatcher, officer_a):
    for user in (dispatcher, officer_a):
        with pytest.raises(NotPermitted) as exc:
            services.notice_issue_by_hand(acting_user=user, order=order, kind=SUPERVISION, reason="事由")
        assert exc.value.message == MSG_NOT_ALLOWED_TO_ISSUE
    assert Notice.objects.count() == 0


def test_a_received_order_cannot_get_a_notice(clock, topic, supervisor):
    order = intake(topic)
    with pytest.raises(InvalidInput) as exc:
        services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由")
    assert exc.value.field_errors == {"order": MSG_ORDER_HAS_NO_UNIT}


def test_the_same_form_token_twice_issues_one_notice(order, supervisor):
    token = uuid.uuid4()
    first = services.notice_issue_by_hand(
        acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由", client_token=token
    )
    second = services.notice_issue_by_hand(
        acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由", client_token=token
    )
    assert first.pk == second.pk
    assert Notice.objects.count() == 1


def test_unit_signs_head_responds_supervisor_closes(notice, officer_a, head_a, supervisor):
    notice = services.notice_sign(notice=notice, acting_user=officer_a)
    assert (notice.status, notice.signed_by) == (NoticeStatus.SIGNED, officer_a)
    notice = services.notice_respond(notice=notice, acting_user=head_a, response="已约谈责任民警，明日前办结。")
    assert notice.status == NoticeStatus.RESPONDED
    assert not notice.is_late
    assert InboxItem.objects.filter(user=supervisor, notification__category="notice_responded").count() == 1
    notice = services.notice_close(notice=notice, acting_user=supervisor, note="同意")
    assert notice.status == NoticeStatus.CLOSED
    assert [e.action for e in notice.events.order_by("id")] == ["issue", "sign", "respond", "close"]


def test_another_unit_cannot_sign(notice, officer_b):
    with pytest.raises(NotPermitted):
        services.notice_sign(notice=notice, acting_user=officer_b)


def test_an_officer_cannot_respond_for_the_unit(notice, officer_a):
    services.notice_sign(notice=notice, acting_user=officer_a)
    with pytest.raises(NotPermitted):
        services.notice_respond(notice=notice, acting_user=officer_a, response="整改")


def test_respond_needs_the_remedy(notice, officer_a, head_a):
    services.notice_sign(notice=notice, acting_user=officer_a)
    with pytest.raises(InvalidInput) as exc:
        services.notice_respond(notice=notice, acting_user=head_a, response="   ")
    assert exc.value.field_errors == {"response": MSG_RESPONSE_REQUIRED}


def test_signing_twice_is_refused(notice, officer_a, head_a):
    services.notice_sign(notice=notice, acting_user=officer_a)
    with pytest.raises(InvalidTransition):
        services.notice_sign(notice=notice, acting_user=head_a)
    assert notice.events.filter(action="sign").count() == 1


def test_only_a_supervisor_closes(notice, officer_a, head_a, dispatcher):
    services.notice_sign(notice=notice, acting_user=officer_a)
    services.notice_respond(notice=notice, acting_user=head_a, response="整改")
    for user in (head_a, dispatcher):
        with pytest.raises(NotPermitted):
            services.notice_close(notice=notice, acting_user=user)


def test_allowed_actions_follow_the_table(notice, officer_a, head_a, supervisor, officer_b):
    def actions(user):
        return [t.action for t in services.allowed_notice_actions(notice, user)]

    assert actions(officer_a) == ["sign"]
    assert actions(officer_b) == []
    assert actions(supervisor) == []
    services.notice_sign(notice=notice, acting_user=officer_a)
    notice.refresh_from_db()
    assert actions(head_a) == ["respond"]
    assert actions(officer_a) == []


def test_a_late_response_is_flagged(clock, notice, officer_a, head_a):
    services.notice_sign(notice=notice, acting_user=officer_a)
    clock.move_to(at(2026, 11, 24, 10, 0))
    notice = services.notice_respond(notice=notice, acting_user=head_a, response="整改")
    assert notice.is_late


def test_unanswered_notice_is_escalated_to_the_parent_once(clock, notice, sweep, head_a):
    branch = Unit.objects.create(name="城区分局", code="branch", kind=UnitKind.BRANCH)
    Unit.objects.filter(pk=notice.unit_id).update(parent=branch)
    clock.move_to(at(2026, 11, 24, 8, 59))
    sweep()
    notice.refresh_from_db()
    assert notice.escalated_at is None
    clock.move_to(at(2026, 11, 24, 9, 1))
    sweep()
    sweep()
    notice.refresh_from_db()
    assert notice.is_late and notice.escalated_to == branch
    assert notice.events.filter(action="escalate").count() == 1
    assert Notification.objects.filter(unit=branch, category="notice_escalated").count() == 1
    assert InboxItem.objects.filter(user=head_a, notification__category="notice_escalated").count() == 1


def test_a_notice_answered_in_time_is_not_escalated(clock, notice, sweep, officer_a, head_a):
    services.notice_sign(notice=notice, acting_user=officer_a)
    services.notice_respond(notice=notice, acting_user=head_a, response="整改")
    clock.move_to(at(2026, 11, 25, 9, 0))
    sweep()
    notice.refresh_from_db()
    assert notice.escalated_at is None and not notice.is_late


def test_without_a_parent_the_command_center_gets_the_escalation(clock, notice, sweep, command_center):
    clock.move_to(at(2026, 11, 24, 9, 1))
    sweep()
    notice.refresh_from_db()
    assert notice.escalated_to == command_center


def test_selectors_for_the_workbench(notice, order, station_a, station_b):
    assert list(notices_for_order(order)) == [notice]
    assert list(open_notices_for_unit(station_a)) == [notice]
    assert list(open_notices_for_unit(station_b)) == []


def test_escalation_is_found_even_after_a_long_outage(clock, notice, sweep, command_center):
    sweep()
    clock.shift(dt.timedelta(days=5))
    sweep()
    notice.refresh_from_db()
    assert notice.is_late
