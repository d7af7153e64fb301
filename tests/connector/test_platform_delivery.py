"""Against a platform served over HTTP on 127.0.0.1: refused, 500, timed out, then accepted —
every step of a full loop arrives exactly once and in order."""

import time

import pytest

from connector.models import OutboxMessage, OutboxStatus
from connector.services import delivery
from tests.connector.platform_server import PlatformServer, closed_port
from tickets import services

pytestmark = pytest.mark.django_db

LOOP_STEPS = ["signed", "contacted", "reported", "callback"]


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.CONNECTOR_BACKOFF_SECONDS = 0.05
    settings.CONNECTOR_BACKOFF_MAX_SECONDS = 0.2


def full_loop(loop, cast, fields):
    order = services.order_sign(order=loop.dispatched(**fields), acting_user=cast["officer_a"])
    services.order_contact(order=order, acting_user=cast["officer_a"], method="phone", note="已电话联系")
    services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已协调停工")
    services.order_approve(order=order, acting_user=cast["reviewer"])
    services.order_callback(order=order, acting_user=cast["dispatcher"], satisfaction="satisfied")
    return order


def deliver_until_done(timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    rounds = 0
    while OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists():
        assert time.monotonic() < deadline, "the outbox did not drain"
        delivery.deliver_due()
        rounds += 1
        time.sleep(0.05)
    return rounds


def test_every_step_arrives_once_and_in_order_through_refusal_errors_and_timeouts(loop, cast, platform, from_platform):
    order = full_loop(loop, cast, from_platform())
    # The platform is down: the connection is refused.
    platform.endpoint_url = f"http://127.0.0.1:{closed_port()}/api/feedback"
    platform.save()
    delivery.deliver_due()
    head = OutboxMessage.objects.get(order=order, sequence=1)
    assert head.status == OutboxStatus.PENDING and "Connection refused" in head.last_error
    assert not OutboxMessage.objects.filter(order=order, attempts__gt=0, sequence__gt=1).exists()

    with PlatformServer(secret=platform.secret, script=["500", "timeout", "500"], delay=1.5) as server:
        platform.endpoint_url = server.url
        platform.save()
        deliver_until_done()

    assert [m["step"] for m in server.applied] == LOOP_STEPS
    assert [m["platform_number"] for m in server.applied] == [order.platform_number] * 4
    assert server.bad_signatures == 0
    # The timed-out message was sent again with its id, and recognised.
    ids = [m["_id"] for m in server.received]
    assert len(ids) == 4 + 3 and len(set(ids)) == 4
    messages = list(OutboxMessage.objects.filter(order=order).order_by("sequence"))
    assert all(m.status == OutboxStatus.SENT for m in messages)
    assert messages[0].attempts == 5  # refused, 500, timed out, 500, accepted
    assert messages[0].response_status == 200 and "X-Hotline-Signature: sha256=" in messages[0].request


def test_a_message_waits_while_an_earlier_one_of_its_order_is_undelivered(loop, cast, platform, from_platform):
    order = full_loop(loop, cast, from_platform())
    with PlatformServer(secret=platform.secret, script=["500"]) as server:
        platform.endpoint_url = server.url
        platform.save()
        delivery.deliver_due()
        assert server.received and [m["step"] for m in server.received] == ["signed"]
        assert OutboxMessage.objects.filter(order=order, status=OutboxStatus.SENT).count() == 0
        deliver_until_done()
    assert [m["step"] for m in server.applied] == LOOP_STEPS


def test_delivering_twice_sends_nothing_again(loop, cast, platform, from_platform):
    full_loop(loop, cast, from_platform())
    with PlatformServer(secret=platform.secret) as server:
        platform.endpoint_url = server.url
        platform.save()
        deliver_until_done()
        assert delivery.deliver_due() == 0
    assert len(server.received) == 4


def test_the_field_and_code_mapping_renames_what_is_sent(loop, cast, platform, from_platform):
    platform.field_map = {"platform_number": "gdbh", "step": "czlx", "outcome": "bljg"}
    platform.code_map = {"step": {"reported": "BJFK"}, "outcome": {"resolved": "1"}}
    full_loop(loop, cast, from_platform())
    with PlatformServer(secret=platform.secret) as server:
        platform.endpoint_url = server.url
        platform.save()
        deliver_until_done()
    reported = server.applied[2]
    assert (reported["czlx"], reported["bljg"]) == ("BJFK", "1")
    assert "gdbh" in reported and "platform_number" not in reported


def test_the_admin_resend_sends_a_delivered_message_again_with_its_id(loop, cast, platform, from_platform):
    order = full_loop(loop, cast, from_platform())
    with PlatformServer(secret=platform.secret) as server:
        platform.endpoint_url = server.url
        platform.save()
        deliver_until_done()
        delivery.outbox_resend(messages=OutboxMessage.objects.filter(order=order, kind="reported"))
        deliver_until_done()
    assert len(server.received) == 5 and len(server.applied) == 4
    assert server.received[-1]["step"] == "reported"
