"""The worker's patch for issue #11: a Redis channel whose connection was collected raises a
connection error (which Celery handles) instead of AttributeError (which kills the worker).

The whole story, with a real worker and Redis killed mid-sweep, is
tests/supervision/test_broker_outage.py; this pins the mechanism on the installed kombu.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from kombu import Connection
from kombu.common import ignore_errors
from kombu.transport import redis as kombu_redis

from hotline.celery import COLLECTED_MESSAGE, patch_kombu_redis_collected_channel
from tests.conftest import require_service


@pytest.fixture(scope="module", autouse=True)
def _patched():
    patch_kombu_redis_collected_channel()


def test_patching_twice_wraps_once():
    assert patch_kombu_redis_collected_channel() is False
    assert not getattr(kombu_redis.Channel._connparams.__wrapped__, "hotline_patched", False)


def test_a_collected_channel_raises_a_connection_error_the_transport_declares():
    channel = SimpleNamespace(connection=SimpleNamespace(client=None))
    with pytest.raises(kombu_redis.redis.exceptions.ConnectionError, match=re.escape(COLLECTED_MESSAGE)) as caught:
        kombu_redis.Channel._connparams(channel)
    connection_errors, _channel_errors = kombu_redis.get_redis_error_classes()
    assert isinstance(caught.value, connection_errors)


class RedisServer:
    def __init__(self, tmp_path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=tmp_path, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                with Connection(self.url) as conn:
                    conn.ensure_connection(max_retries=0)
                return
            except Exception:  # noqa: BLE001
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    require_service(shutil.which("redis-server") is not None, "needs redis-server (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    yield server
    server.kill()


@pytest.mark.redis
def test_a_channel_left_open_by_collect_fails_with_connection_errors(redis_server):
    """The state Celery 5.7.0 leaves a channel in when Redis dies while the worker waits for work.

    `collect()` cut the channel's close short at the dead BRPOP and detached the transport
    (`client = None`); the channel still holds a task's unacknowledged message. Celery then
    closes the connection (restoring the message) and, after reconnecting, acknowledges the
    message when the task finishes. tests/supervision/test_broker_outage.py does it for real.
    """
    conn = Connection(redis_server.url)
    queue = conn.SimpleQueue("hotline-test-outage")
    queue.put({"task": 1})
    message = queue.get(timeout=5)  # unacknowledged: a task running with acks_late
    channel = message.channel
    redis_server.kill()
    channel._disconnect_pools()
    channel.connection.client = None  # what collect() leaves behind

    # Without the patch: AttributeError("'NoneType' object has no attribute 'hostname'"),
    # which escapes ignore_errors() and stops the worker.
    ignore_errors(conn, channel.close)
    with pytest.raises(conn.connection_errors):
        message.ack()


def test_a_web_process_knows_every_task_the_code_sends_by_name():
    """A web process imports no task module of its own accord: each app's config must, or
    sending by name fails there (and the broker helper took that for an outage)."""
    script = (
        "import django; django.setup();"
        "from celery import current_app;"
        "names = ['supervision.process_order_event', 'supervision.render_letter', 'supervision.deliver',"
        " 'supervision.sweep', 'analysis.render_export', 'connector.deliver_stream', 'connector.import_run',"
        " 'suggest.feedback'];"
        "missing = [n for n in names if n not in current_app.tasks];"
        "print('missing:', missing)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env={**os.environ, "DEBUG": "1"}
    )
    assert "missing: []" in result.stdout, result.stdout + result.stderr
