"""Outside channels: email and the group-chat robot webhook, with retries; never blocking."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import transaction

from supervision.models import Delivery, DeliveryChannel, DeliveryStatus, SupervisionPolicy, WebhookFormat
from supervision.notifications import attempt_delivery, notify_unit, requeue_deliveries, webhook_payload
from supervision.tasks import deliver

pytestmark = pytest.mark.django_db


class RobotServer:
    """A stand-in for the WeCom/DingTalk robot endpoint on 127.0.0.1: answers with the queued
    statuses (then 200) and records what it received."""

    def __init__(self, statuses=(), body=b'{"errcode":0,"errmsg":"ok"}'):
        self.statuses = list(statuses)
        self.body = body
        self.received: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                server.received.append(json.loads(self.rfile.read(length).decode("utf-8")))
                status = server.statuses.pop(0) if server.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(server.body if status == 200 else b"{}")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def robot_unit(unit, url):
    unit.webhook_url = url
    unit.notify_by_webhook = True
    unit.save()
    return unit


def test_webhook_delivery_sends_robot_json(station_a):
    with RobotServer() as robot:
        robot_unit(station_a, robot.url)
        notification = notify_unit(unit=station_a, title="新工单 GD202611230001", body="噪音扰民", category="t")
        delivery = Delivery.objects.get(notification=notification)
        assert attempt_delivery(delivery.pk).status == DeliveryStatus.SENT
    assert robot.received == [{"msgtype": "text", "text": {"content": "【12345热线】新工单 GD202611230001\n噪音扰民"}}]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


def test_webhook_is_retried_after_a_500(station_a, clock):
    with RobotServer(statuses=[500]) as robot:
        robot_unit(station_a, robot.url)
        notification = notify_unit(unit=station_a, title="预警", category="t")
        delivery = Delivery.objects.get(notification=notification)
        first = attempt_delivery(delivery.pk)
        assert first.status == DeliveryStatus.PENDING and first.retry_in == 30
        delivery.refresh_from_db()
        assert "HTTP 500" in delivery.last_error
        # Not yet due: a second message for the same delivery does nothing.
        assert attempt_delivery(delivery.pk) is None
        clock.shift(dt.timedelta(seconds=31))
        assert attempt_delivery(delivery.pk).status == DeliveryStatus.SENT
    assert len(robot.received) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")


def test_robot_refusal_with_http_200_counts_as_a_failure(station_a):
    with RobotServer(body=b'{"errcode":93000,"errmsg":"invalid webhook url"}') as robot:
        robot_unit(station_a, robot.url)
        notification = notify_unit(unit=station_a, title="预警", category="t")
        delivery = Delivery.objects.get(notification=notification)
        assert attempt_delivery(delivery.pk).status == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert "93000" in delivery.last_error


def test_a_delivery_that_keeps_failing_is_recorded_as_failed(station_a, clock, settings):
    settings.SUPERVISION_DELIVERY_MAX_ATTEMPTS = 3
    robot_unit(station_a, "http://127.0.0.1:9/unreachable")  # the discard port: connection refused
    notification = notify_unit(unit=station_a, title="预警", category="t")
    delivery = Delivery.objects.get(notification=notification)
    delays = []
    for _attempt in range(3):
        result = attempt_delivery(delivery.pk)
        delays.append(result.retry_in)
        clock.shift(dt.timedelta(hours=1))
    assert delays == [30, 60, None]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.last_error


def test_email_delivery_uses_the_django_backend(station_a):
    station_a.email = "chengguan@example.gov.cn"
    station_a.notify_by_email = True
    station_a.save()
    notification = notify_unit(unit=station_a, title="收到督办单", body="请于明日前反馈", category="t", url="/x/")
    delivery = Delivery.objects.get(notification=notification, channel=DeliveryChannel.EMAIL)
    assert attempt_delivery(delivery.pk).status == DeliveryStatus.SENT
    assert mail.outbox[0].to == ["chengguan@example.gov.cn"]
    assert mail.outbox[0].subject == "【12345热线】收到督办单"
    assert "http://127.0.0.1:8000/x/" in mail.outbox[0].body


def test_channels_switched_off_get_no_delivery(station_a):
    station_a.email = "a@example.gov.cn"
    station_a.webhook_url = "http://127.0.0.1:9/"
    station_a.save()  # addresses set, switches off
    notify_unit(unit=station_a, title="x", category="t")
    assert Delivery.objects.count() == 0


def test_deliveries_are_queued_after_commit_and_sent_by_the_task(station_a, django_capture_on_commit_callbacks):
    with RobotServer() as robot:
        robot_unit(station_a, robot.url)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notify_unit(unit=station_a, title="转办通知", category="t")
            assert robot.received == []  # nothing leaves before the commit
        assert len(robot.received) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_deliver_task_twice_sends_once(station_a):
    with RobotServer() as robot:
        robot_unit(station_a, robot.url)
        notification = notify_unit(unit=station_a, title="x", category="t")
        delivery = Delivery.objects.get(notification=notification)
        deliver.apply(args=(delivery.pk,))
        deliver.apply(args=(delivery.pk,))
    assert len(robot.received) == 1


def test_sweep_requeues_deliveries_whose_message_was_lost(station_a, clock):
    with RobotServer() as robot:
        robot_unit(station_a, robot.url)
        notify_unit(unit=station_a, title="x", category="t")  # no commit hook ran: message "lost"
        now = dt.datetime.now(dt.UTC)
        assert requeue_deliveries(now=now) == 0  # too fresh: its own message may be on its way
        clock.shift(dt.timedelta(minutes=10))
        assert requeue_deliveries(now=dt.datetime.now(dt.UTC)) == 1  # eager Celery sends it now
    assert len(robot.received) == 1


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (WebhookFormat.WECOM_MARKDOWN, {"msgtype": "markdown", "markdown": {"content": "### 【12345热线】标题\n正文"}}),
        (
            WebhookFormat.DINGTALK_MARKDOWN,
            {
                "msgtype": "markdown",
                "markdown": {"title": "【12345热线】标题", "text": "### 【12345热线】标题\n\n正文"},
            },
        ),
    ],
)
def test_markdown_formats(fmt, expected, station_a):
    SupervisionPolicy.objects.update_or_create(pk=1, defaults={"webhook_format": fmt})
    notification = notify_unit(unit=station_a, title="标题", body="正文", category="t")
    assert webhook_payload(notification, fmt) == expected
