"""Every step the platform must hear about is written to the outbox with the change, and only then."""

import pytest

from connector.models import FeedEntry, OutboxMessage
from tests.conftest import after_the_deadline
from tests.connector.conftest import steps
from tickets import services
from tickets.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def test_a_full_loop_writes_every_platform_step_once_in_order(loop, cast, platform, from_platform):
    order = loop.dispatched(**from_platform())
    services.order_sign(order=order, acting_user=cast["officer_a"])
    services.order_request_extension(
        order=order, acting_user=cast["officer_a"], reason="需协调", requested_until=after_the_deadline(order)
    )
    services.order_decide_extension(order=order, acting_user=cast["dispatcher"], approve=True)
    services.order_contact(order=order, acting_user=cast["officer_a"], method="phone", note="已电话联系")
    services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已协调停工")
    services.order_approve(order=order, acting_user=cast["reviewer"])
    services.order_callback(order=order, acting_user=cast["dispatcher"], satisfaction="satisfied")
    assert steps(order) == [
        "signed", "extension_requested", "extension_decided", "contacted", "reported", "callback",
    ]  # fmt: skip
    assert list(OutboxMessage.objects.filter(order=order).order_by("sequence").values_list("sequence", flat=True)) == [
        1, 2, 3, 4, 5, 6,
    ]  # fmt: skip


def test_the_report_message_carries_outcome_reply_officer_and_time(loop, cast, platform, from_platform):
    order = services.order_report(
        order=loop.contacted(**from_platform()), acting_user=cast["officer_a"], outcome="resolved", text="已协调停工"
    )
    payload = OutboxMessage.objects.get(order=order, kind="reported").payload
    assert (payload["outcome"], payload["reply_text"], payload["officer"]) == (
        "resolved", "已协调停工", cast["officer_a"].display_name,
    )  # fmt: skip
    assert payload["reported_at"] and payload["platform_number"] == order.platform_number


def test_contact_without_signing_tells_the_platform_signed_then_contacted(loop, platform, from_platform):
    order = loop.contacted(**from_platform())
    assert steps(order) == ["signed", "contacted"]


def test_sending_back_is_a_platform_step(loop, platform, from_platform):
    assert steps(loop.sent_back(**from_platform())) == ["sent_back"]


def test_an_order_not_from_the_platform_writes_nothing_for_it(loop, platform):
    order = loop.contacted()
    assert steps(order) == []


def test_without_an_active_connection_nothing_is_written(loop, platform, from_platform):
    platform.is_active = False
    platform.save()
    assert steps(loop.contacted(**from_platform())) == []


def test_a_refused_transition_writes_no_message(loop, cast, platform, from_platform):
    order = loop.contacted(**from_platform())
    before = OutboxMessage.objects.count()
    with pytest.raises(InvalidInput):
        services.order_report(order=order, acting_user=cast["officer_a"], outcome="partly", text="部分")
    assert OutboxMessage.objects.count() == before


def test_every_order_event_gets_one_feed_entry(loop):
    order = loop.contacted()
    assert FeedEntry.objects.filter(order=order).count() == order.events.count() == 2  # dispatch, contact
