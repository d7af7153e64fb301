"""A real Celery worker and beat (the supervision integration harness) deliver to a platform on
127.0.0.1; the worker is SIGKILLed while a message is on the wire. Nothing is lost: the killed
worker's transaction dies with it and frees the message, still pending; the next worker sends it
again with the same id, which the platform recognises. Nothing is applied twice or out of order."""

from __future__ import annotations

import pytest

from connector.models import OutboxMessage, OutboxStatus, PlatformConnection
from tests.conftest import require_service
from tests.connector.platform_server import PlatformServer
from tests.connector.test_platform_delivery import LOOP_STEPS, full_loop
from tests.supervision.test_integration import Stack, redis_available, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(tmp_path, settings, loop, cast):
    require_service(redis_available(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/2")
    settings.SUPERVISION_EVENT_TASKS = False
    stack = Stack(tmp_path)
    stack.env["CONNECTOR_SWEEP_SECONDS"] = "1"
    stack.env["CONNECTOR_BACKOFF_SECONDS"] = "0.5"
    stack.env["CONNECTOR_BACKOFF_MAX_SECONDS"] = "1"
    # The platform takes "signed", then holds the "contacted" request open (having applied it).
    with PlatformServer(secret="s3cret", script=["ok", "hold"]) as server:
        PlatformConnection.objects.create(
            name="市12345平台", is_active=True, endpoint_url=server.url, secret="s3cret", timeout_seconds=30
        )
        order = full_loop(loop, cast, {"platform_number": "12345-KILL-1"})
        try:
            stack.start_worker()
            stack.start_beat()
            wait_for(server.holding.is_set, 90, "the worker to send the second step")
            stack.kill("worker")
            server.release.set()
            assert OutboxMessage.objects.get(order=order, kind="contacted").status == OutboxStatus.PENDING

            stack.start_worker()
            wait_for(
                lambda: not OutboxMessage.objects.filter(order=order, status=OutboxStatus.PENDING).exists(),
                90,
                "every message delivered after the restart",
            )
        except AssertionError:
            print(stack.log_tail())
            raise
        finally:
            stack.stop()
    assert [m["step"] for m in server.applied] == LOOP_STEPS
    contacted = str(OutboxMessage.objects.get(order=order, kind="contacted").pk)
    assert [m["_id"] for m in server.received].count(contacted) == 2  # sent again with its id
    assert len(server.received) == len(LOOP_STEPS) + 1
