"""What each step of the loop records, and what it refuses."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from stations.models import UnitKind
from tests.conftest import after_the_deadline
from tests.factories import UnitFactory
from tickets import services
from tickets.exceptions import InvalidInput, InvalidTransition, StaleVersion
from tickets.models import (
    ExtensionRequest,
    Objection,
    OrderEvent,
    RequestStatus,
    Status,
    WorkOrder,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH), tick=False)
def test_dispatch_sets_unit_round_and_both_deadlines(loop, cast):
    order = loop.dispatched(handling_type="consultation")
    assert order.unit == cast["officer_a"].unit
    assert order.cycle == 1
    assert order.dispatched_at == timezone.now()
    assert order.contact_deadline == timezone.now() + dt.timedelta(minutes=60)
    assert order.handling_deadline.astimezone(SH) == dt.datetime(2026, 11, 24, 15, 15, tzinfo=SH)
    assert order.deadline_warning == ""


def test_dispatch_to_a_review_unit_is_refused(loop, cast, review_unit):
    order = loop.received()
    with pytest.raises(InvalidInput) as exc:
        services.order_dispatch(order=order, unit=review_unit, acting_user=cast["dispatcher"])
    assert "unit" in exc.value.field_errors
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_dispatch_to_an_inactive_unit_is_refused(loop, cast):
    closed = UnitFactory(name="已撤销派出所", code="closed", kind=UnitKind.STATION, is_active=False)
    with pytest.raises(InvalidInput):
        services.order_dispatch(order=loop.received(), unit=closed, acting_user=cast["dispatcher"])


def test_dispatch_into_an_uncovered_year_stores_the_calendar_warning(loop, cast):
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 0, tzinfo=SH), tick=False):
        order = loop.dispatched()
    assert "2027" in order.deadline_warning


def test_contact_names_the_officer_and_records_the_talk(loop, cast):
    order = loop.contacted()
    assert order.officer == cast["officer_a"]
    assert order.contacts.get().note == "已电话联系"
    assert order.contacted_at is not None


def test_contact_time_cannot_be_in_the_future(loop, cast):
    with pytest.raises(InvalidInput) as exc:
        services.order_contact(
            order=loop.dispatched(),
            acting_user=cast["officer_a"],
            method="phone",
            note="已联系",
            contacted_at=timezone.now() + dt.timedelta(hours=2),
        )
    assert "contacted_at" in exc.value.field_errors


def test_report_without_text_is_refused(loop, cast):
    with pytest.raises(InvalidInput) as exc:
        services.order_report(order=loop.contacted(), acting_user=cast["officer_a"], outcome="resolved", text=" ")
    assert "text" in exc.value.field_errors


def test_unresolved_report_needs_the_reason(loop, cast):
    with pytest.raises(InvalidInput) as exc:
        services.order_report(
            order=loop.contacted(), acting_user=cast["officer_a"], outcome="unresolved", text="已答复"
        )
    assert "unresolved_reason" in exc.value.field_errors


def test_unresolved_report_records_outcome_and_reason(loop, cast):
    order = services.order_report(
        order=loop.contacted(),
        acting_user=cast["officer_a"],
        outcome="unresolved",
        text="已答复当事人",
        unresolved_reason="属民事纠纷，已引导诉讼",
    )
    assert order.outcome == "unresolved"
    assert order.reports.get().unresolved_reason == "属民事纠纷，已引导诉讼"


def test_return_needs_a_reason(loop, cast):
    with pytest.raises(InvalidInput):
        services.order_return(order=loop.reported(), acting_user=cast["reviewer"], reason="")


def test_returned_order_is_reported_again_by_the_unit(loop, cast):
    order = loop.returned()
    assert order.return_count == 1
    order = services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已补充")
    assert order.status == Status.REPORTED
    assert order.reports.count() == 2


def test_approval_records_handling_time_in_working_minutes(loop, cast):
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH), tick=False):
        order = loop.contacted()
    with time_machine.travel(dt.datetime(2026, 11, 24, 14, 0, tzinfo=SH), tick=False):
        order = services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已办")
        order = services.order_approve(order=order, acting_user=cast["reviewer"])
    assert order.handling_minutes == 150  # 10:00-12:00 and 13:30-14:00


def test_callback_needs_a_satisfaction_level(loop, cast):
    with pytest.raises(InvalidInput) as exc:
        services.order_callback(order=loop.approved(), acting_user=cast["dispatcher"], satisfaction="")
    assert "satisfaction" in exc.value.field_errors


def test_reopen_of_a_satisfied_order_is_refused(loop, cast):
    order = loop.callback_done(satisfaction="satisfied")
    with pytest.raises(InvalidTransition):
        services.order_reopen(order=order, acting_user=cast["dispatcher"], reason="再办")


def test_unsatisfied_callback_reopens_for_the_same_unit_with_a_new_round(loop, cast):
    order = loop.callback_done(satisfaction="unsatisfied")
    order = services.order_reopen(order=order, acting_user=cast["dispatcher"], reason="群众不满意")
    assert (order.status, order.unit, order.cycle, order.reopen_count) == (
        Status.DISPATCHED,
        cast["officer_a"].unit,
        2,
        1,
    )
    assert order.satisfaction == ""
    assert order.contacted_at is None


def test_send_back_and_rejected_objection_returns_the_order_to_its_state(loop, cast):
    order = services.order_send_back(order=loop.contacted(), acting_user=cast["officer_a"], reason="非本所辖区")
    assert order.status == Status.SENT_BACK
    order = services.order_reject_objection(order=order, acting_user=cast["dispatcher"], reason="属本所辖区")
    assert order.status == Status.CONTACTED
    assert order.unit == cast["officer_a"].unit
    assert Objection.objects.get(order=order).status == RequestStatus.REJECTED


def test_rejecting_an_objection_needs_a_reason(loop, cast):
    with pytest.raises(InvalidInput):
        services.order_reject_objection(order=loop.sent_back(), acting_user=cast["dispatcher"], reason="")


def test_redispatching_a_sent_back_order_accepts_the_objection_and_restarts_the_clock(loop, cast):
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=SH), tick=False):
        order = loop.sent_back()
    first_deadline = order.handling_deadline
    with time_machine.travel(dt.datetime(2026, 11, 24, 14, 0, tzinfo=SH), tick=False):
        order = services.order_redispatch(order=order, unit=cast["officer_b"].unit, acting_user=cast["dispatcher"])
    assert (order.status, order.unit, order.cycle, order.officer) == (
        Status.DISPATCHED,
        cast["officer_b"].unit,
        2,
        None,
    )
    assert order.handling_deadline > first_deadline
    assert Objection.objects.get(order=order).status == RequestStatus.APPROVED


def test_redispatch_to_the_same_unit_is_refused(loop, cast):
    with pytest.raises(InvalidInput):
        services.order_redispatch(order=loop.dispatched(), unit=cast["officer_a"].unit, acting_user=cast["dispatcher"])


def test_approved_extension_moves_the_handling_deadline(loop, cast):
    order = loop.contacted()
    later = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=cast["officer_a"], reason="需协调", requested_until=later)
    order = services.order_decide_extension(order=order, acting_user=cast["dispatcher"], approve=True)
    assert order.handling_deadline == later
    assert ExtensionRequest.objects.get().status == RequestStatus.APPROVED


def test_rejected_extension_keeps_the_deadline_and_needs_a_reason(loop, cast):
    order = loop.contacted()
    deadline = order.handling_deadline
    later = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=cast["officer_a"], reason="需协调", requested_until=later)
    with pytest.raises(InvalidInput):
        services.order_decide_extension(order=order, acting_user=cast["dispatcher"], approve=False, note="")
    order = services.order_decide_extension(order=order, acting_user=cast["dispatcher"], approve=False, note="不予延期")
    assert order.handling_deadline == deadline


def test_extension_must_be_later_than_the_current_deadline(loop, cast):
    order = loop.contacted()
    with pytest.raises(InvalidInput) as exc:
        services.order_request_extension(
            order=order, acting_user=cast["officer_a"], reason="需协调", requested_until=order.handling_deadline
        )
    assert "requested_until" in exc.value.field_errors


def test_a_second_pending_extension_is_refused(loop, cast):
    order = loop.contacted()
    later = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=cast["officer_a"], reason="需协调", requested_until=later)
    with pytest.raises(InvalidTransition):
        services.order_request_extension(
            order=order, acting_user=cast["officer_a"], reason="再次", requested_until=later + dt.timedelta(days=1)
        )


def test_merged_order_closes_with_its_primary(loop, cast):
    primary = loop.contacted()
    duplicate = services.order_merge(order=loop.received(), primary=primary, acting_user=cast["dispatcher"])
    assert duplicate.status == Status.MERGED and duplicate.merged_into == primary
    primary = services.order_report(order=primary, acting_user=cast["officer_a"], outcome="resolved", text="已办")
    primary = services.order_approve(order=primary, acting_user=cast["reviewer"])
    primary = services.order_callback(order=primary, acting_user=cast["dispatcher"], satisfaction="satisfied")
    services.order_close(order=primary, acting_user=cast["dispatcher"])
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.events.latest("id").action == "closed_with_primary"


def test_duplicates_of_a_merged_order_follow_it_to_the_new_primary(loop, cast):
    middle = loop.received()
    first = services.order_merge(order=loop.received(), primary=middle, acting_user=cast["dispatcher"])
    primary = loop.dispatched()
    services.order_merge(order=middle, primary=primary, acting_user=cast["dispatcher"])
    first.refresh_from_db()
    assert first.merged_into == primary
    assert set(primary.merged_orders.all()) == {first, middle}


def test_merge_into_itself_is_refused(loop, cast):
    order = loop.received()
    with pytest.raises(InvalidInput):
        services.order_merge(order=order, primary=order, acting_user=cast["dispatcher"])


def test_merge_into_a_closed_order_is_refused(loop, cast):
    with pytest.raises(InvalidInput):
        services.order_merge(order=loop.received(), primary=loop.closed(), acting_user=cast["dispatcher"])


def test_unit_head_assigns_an_officer_of_the_unit_only(loop, cast):
    order = loop.dispatched()
    with pytest.raises(InvalidInput):
        services.order_assign(order=order, acting_user=cast["head_a"], officer=cast["officer_b"])
    order = services.order_assign(order=order, acting_user=cast["head_a"], officer=cast["officer_a"])
    assert order.officer == cast["officer_a"]


def test_stale_version_is_refused_and_changes_nothing(loop, cast):
    order = loop.received()
    with pytest.raises(StaleVersion):
        services.order_dispatch(
            order=order, unit=cast["officer_a"].unit, acting_user=cast["dispatcher"], expected_version=order.version + 1
        )
    assert WorkOrder.objects.get(pk=order.pk).status == Status.RECEIVED


def test_every_change_bumps_the_version(loop, cast):
    order = loop.received()
    version = order.version
    order = services.order_dispatch(order=order, unit=cast["officer_a"].unit, acting_user=cast["dispatcher"])
    assert order.version == version + 1


def test_events_are_append_only(loop):
    event = OrderEvent.objects.filter(order=loop.dispatched()).first()
    event.note = "篡改"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_the_timeline_tells_the_whole_story(loop, cast):
    order = loop.closed()
    actions = list(order.events.values_list("action", "actor__username"))
    assert actions == [
        ("dispatch", "dispatcher"),
        ("contact", "officer_a"),
        ("report", "officer_a"),
        ("approve", "reviewer"),
        ("callback", "dispatcher"),
        ("close", "dispatcher"),
    ]
