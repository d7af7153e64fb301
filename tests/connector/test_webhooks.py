"""Webhooks ride the same outbox: written with the change, signed, retried, logged."""

import hashlib
import hmac
import json
import time

import pytest

from connector.models import OutboxMessage, OutboxStatus, WebhookSubscription
from connector.services import delivery
from connector.signing import body_signature
from supervision.services import notice_issue
from tests.connector.platform_server import PlatformServer
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.CONNECTOR_BACKOFF_SECONDS = 0.05
    settings.CONNECTOR_BACKOFF_MAX_SECONDS = 0.1


def subscribe(url="http://127.0.0.1:9/hook", types=("order.created", "order.dispatched", "order.reported")):
    return WebhookSubscription.objects.create(name="区政务平台", url=url, secret="hook-secret", event_types=list(types))


def drain():
    deadline = time.monotonic() + 10
    while OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists():
        assert time.monotonic() < deadline
        delivery.deliver_due()
        time.sleep(0.05)


def test_the_signature_is_the_hmac_sha256_of_the_body_with_the_secret():
    body = b'{"type": "order.created"}'
    expected = hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert body_signature("hook-secret", body) == f"sha256={expected}"


def test_only_subscribed_event_types_are_written(loop, cast):
    subscribe(types=["order.reported"])
    order = loop.reported()
    assert list(OutboxMessage.objects.filter(order=order).values_list("kind", flat=True)) == ["order.reported"]


def test_an_inactive_subscription_gets_nothing(loop):
    hook = subscribe()
    hook.is_active = False
    hook.save()
    loop.reported()
    assert not OutboxMessage.objects.exists()


def test_a_receiver_verifies_every_delivery_and_gets_each_once_in_order(loop):
    with PlatformServer(secret="hook-secret", script=["500"]) as receiver:
        subscribe(url=receiver.url)
        order = loop.reported()
        drain()
    assert receiver.bad_signatures == 0
    assert [m["type"] for m in receiver.applied] == ["order.dispatched", "order.reported"]
    reported = receiver.applied[-1]
    assert reported["order"]["number"] == order.number and "caller_phone" not in json.dumps(reported)
    assert OutboxMessage.objects.filter(kind="order.dispatched").get().attempts == 2


def test_intake_is_the_order_created_event(loop, cast):
    subscribe()
    order = services.order_intake(
        acting_user=cast["dispatcher"],
        channel="web",
        caller_name="李先生",
        caller_phone="13900000000",
        address="新华路1号",
        content="咨询户口迁移",
        nature="consultation",
        handling_type="consultation",
        topic=loop.received().topic,
    ).order
    assert OutboxMessage.objects.get(order=order).kind == "order.created"


def test_issuing_a_notice_is_a_webhook_event(loop, cast, station_a):
    subscribe(types=["notice.issued"])
    notice = notice_issue(kind="supervision", unit=station_a, orders=[loop.dispatched()], reason="超期未办结")
    message = OutboxMessage.objects.get(kind="notice.issued")
    assert message.payload["notice"]["number"] == notice.number
