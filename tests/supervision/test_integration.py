"""The real stack: a Celery worker and beat (subprocesses) against Redis and PostgreSQL.

An order falls overdue (a short test policy: its handling deadline a few seconds after dispatch)
and exactly one 督办单 appears. Then the worker is killed with SIGKILL in the middle of issuing the
next one; after a restart there is still exactly one per order.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from supervision.models import Notice, Rule, RuleFiring
from tests.conftest import require_service
from tests.supervision.conftest import intake
from tickets import services
from tickets.deadlines import Deadlines
from tickets.models import WorkOrder

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def redis_available(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Stack:
    """Starts and kills the worker and beat; each in its own process group."""

    def __init__(self, tmp_path: Path):
        db = connection.settings_dict
        self.queue = f"hotline-it-{uuid.uuid4().hex[:12]}"
        self.key_prefix = f"{self.queue}:"  # every Redis key the worker and beat write
        self.marker = tmp_path / "slow-issue"
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.supervision.it_settings",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.REDIS_URL,
            "HOTLINE_IT_QUEUE": self.queue,
            "HOTLINE_IT_KEY_PREFIX": self.key_prefix,
            "HOTLINE_IT_SLOW_MARKER": str(self.marker),
            "HOTLINE_VAR_DIR": str(tmp_path / "var"),
            "SUPERVISION_SWEEP_SECONDS": "1",
            "SECRET_KEY": "integration-test",
            "DEBUG": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.starts = 0

    def _start(self, name: str, argv: list[str]) -> None:
        self.starts += 1
        log = open(self.logs / f"{name}-{self.starts}.log", "w")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_worker(self) -> None:
        self._start(
            "worker",
            [sys.executable, "-m", "tests.supervision.it_worker", "worker", "-Q", self.queue,
             "--concurrency=1", "--pool=prefork", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"{self.queue}@%h"],
        )  # fmt: skip

    def start_beat(self) -> None:
        self._start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "hotline", "beat", "--loglevel=INFO",
             "-s", str(self.logs / "celerybeat-schedule")],
        )  # fmt: skip

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and its pool child
            proc.wait(10)

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match=f"{self.key_prefix}*"):
            client.delete(key)

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))


def overdue_notices(order) -> int:
    return Notice.objects.filter(orders=order, rule=Rule.OVERDUE).count()


def dispatch_due_in(topic, dispatcher, unit, seconds: float, phone: str) -> WorkOrder:
    order = intake(topic, caller_phone=phone, address=f"集成测试路{phone[-2:]}号")

    # The short test policy: due a few seconds from now (a real limit is half a working day).
    # Set through the dispatch itself, so the event log carries it too: the rules judge a
    # deadline by the log, and a column changed behind it would not count.
    def short_limits(handling_type, dispatched_at):
        return Deadlines(
            contact=dispatched_at + dt.timedelta(hours=1), handling=dispatched_at + dt.timedelta(seconds=seconds)
        )

    with mock.patch("tickets.services.common.compute_deadlines", short_limits):
        return services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)


@pytest.mark.django_db(transaction=True)
def test_real_worker_and_beat_raise_one_supervision_order_even_after_sigkill(
    tmp_path, settings, topic, dispatcher, station_a, officer_a
):
    require_service(redis_available(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/2")
    # Nothing from this process goes to the broker: the worker's sweep finds the events itself.
    settings.SUPERVISION_EVENT_TASKS = False
    stack = Stack(tmp_path)
    try:
        first = dispatch_due_in(topic, dispatcher, station_a, 3, "13800000001")
        stack.start_worker()
        stack.start_beat()
        wait_for(lambda: overdue_notices(first) == 1, 90, "the first 督办单")
        # More sweeps run (one a second): still exactly one.
        time.sleep(4)
        assert overdue_notices(first) == 1

        # Kill the worker while it is issuing the second order's 督办单.
        Path(str(stack.marker) + ".armed").touch()
        second = dispatch_due_in(topic, dispatcher, station_a, 1, "13800000002")
        wait_for(stack.marker.exists, 60, "the worker to start issuing the second 督办单")
        stack.kill("worker")
        assert overdue_notices(second) == 0  # the open transaction died with the worker
        Path(str(stack.marker) + ".armed").unlink()

        stack.start_worker()
        wait_for(lambda: overdue_notices(second) == 1, 90, "the second 督办单 after the restart")
        time.sleep(7)  # the killed task is delivered again (visibility timeout 5 s); more sweeps run
        assert overdue_notices(first) == 1
        assert overdue_notices(second) == 1
        assert RuleFiring.objects.filter(rule=Rule.OVERDUE).count() == 2
        assert Notice.objects.filter(rule=Rule.OVERDUE).count() == 2
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{stack.log_tail()}") from exc
    finally:
        stack.stop()
        connection.close()
