"""Redis dies in the middle of a sweep: the worker stays up, reconnects, and every notice is raised once.

A real Celery worker (`--concurrency=2`, as `make run` and docker-compose start it) and beat run
against a Redis server of the test's own (append-only file on, as docker-compose runs it) and
PostgreSQL. Issue #11: the worker used to exit on the lost connection with
AttributeError("'NoneType' object has no attribute 'hostname'") and never come back.

- Group A is overdue when the stack starts. Each notice takes a moment to issue, so the sweep is
  still working through A when Redis is SIGKILLed.
- Group B is dispatched as Redis comes back and falls due a second later, so its notices prove
  that the same worker process reconnected and ran new sweeps that beat sent after the outage.
- The sweep that was running during the outage cannot acknowledge its message; with the test's
  5-second visibility timeout Redis hands it out again. Nothing may be issued twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from supervision.models import Notice, Rule, RuleFiring, SweepHeartbeat
from tests.conftest import require_service
from tests.supervision.test_integration import Stack, dispatch_due_in, wait_for
from tickets.models import WorkOrder

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

GROUP_A = 16  # overdue at the start; the sweep is issuing these when Redis dies
GROUP_B = 4  # due only after Redis is back
ISSUE_DELAY = 0.4  # seconds each notice takes to issue: the first sweep lasts about 7 s
# Longer than a sweep, as in production: when Redis dies one pool process is sweeping and the
# worker is waiting (BRPOP) for work for the other, which is the case that crashed. With sweeps
# overlapping, both processes are busy, nothing is waiting on Redis, and the worker survived.
SWEEP_SECONDS = 15
# HOTLINE_IT_OUTAGE_SECONDS=150 runs the issue's two-minute outage (and more).
OUTAGE_SECONDS = float(os.environ.get("HOTLINE_IT_OUTAGE_SECONDS") or 12)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, killed and started again on the same port and data."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.starts += 1
        log = open(self.directory / f"redis-{self.starts}.log", "w")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.ping, 20, "redis-server to answer")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # a crash, not a shutdown
            self.proc.wait(10)


class OutageStack(Stack):
    """The integration test's worker and beat, on the given Redis, started as production does."""

    def __init__(self, tmp_path: Path, redis_url: str):
        super().__init__(tmp_path)
        self.env.update(
            {
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                "SUPERVISION_SWEEP_SECONDS": str(SWEEP_SECONDS),
                "HOTLINE_IT_ISSUE_DELAY": str(ISSUE_DELAY),
            }
        )

    def start_worker(self) -> None:
        # Gossip, mingle and heartbeats on, two pool processes: the shape that crashed.
        self._start(
            "worker",
            [sys.executable, "-m", "tests.supervision.it_worker", "worker", "-Q", self.queue,
             "--concurrency=2", "--pool=prefork", "--loglevel=INFO", "-n", f"{self.queue}@%h"],
        )  # fmt: skip

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name)


def notices_per_order(orders: list[WorkOrder]) -> dict[int, int]:
    counts = dict(
        Notice.objects.filter(rule=Rule.OVERDUE, orders__in=orders)
        .values_list("orders")
        .annotate(n=Count("id", distinct=True))
        .values_list("orders", "n")
    )
    return {order.pk: counts.get(order.pk, 0) for order in orders}


@pytest.mark.django_db(transaction=True)
def test_worker_survives_redis_dying_mid_sweep_and_raises_every_notice_once(
    tmp_path, settings, topic, dispatcher, station_a, officer_a
):
    require_service(shutil.which("redis-server") is not None, "needs redis-server (apt-get install redis-server)")
    settings.SUPERVISION_EVENT_TASKS = False  # this process never talks to the broker
    redis_server = RedisServer(tmp_path)
    stack = OutageStack(tmp_path, redis_server.url)
    try:
        group_a = [dispatch_due_in(topic, dispatcher, station_a, 2, f"1380001{i:04d}") for i in range(GROUP_A)]

        redis_server.start()
        stack.start_worker()
        stack.start_beat()
        worker = stack.procs["worker"]

        # Mid-sweep: some of group A issued, not all.
        issued = wait_for(lambda: sum(notices_per_order(group_a).values()), 120, "the sweep to start issuing")
        redis_server.kill()
        killed_at = time.monotonic()
        issued_at_kill = sum(notices_per_order(group_a).values())
        assert 0 < issued <= issued_at_kill < GROUP_A, "Redis was not killed in the middle of the sweep"

        time.sleep(OUTAGE_SECONDS)
        assert worker.poll() is None, f"the worker exited during the outage (code {worker.returncode})"

        back = timezone.now()
        # Dispatched now (the desk keeps working without Redis), due a second later: only a
        # sweep that starts after the outage can raise these.
        group_b = [dispatch_due_in(topic, dispatcher, station_a, 1, f"1390001{i:04d}") for i in range(GROUP_B)]
        redis_server.start()
        back_at = time.monotonic()

        everyone = group_a + group_b
        wait_for(lambda: all(n >= 1 for n in notices_per_order(everyone).values()), 120, "every 督办单")
        recovered_in = time.monotonic() - back_at
        # The orphaned message comes back after the visibility timeout (5 s); more sweeps run.
        time.sleep(10)

        assert worker.poll() is None, "the worker exited after the outage"
        assert worker is stack.procs["worker"]  # the same process throughout: it reconnected
        assert notices_per_order(everyone) == {o.pk: 1 for o in everyone}
        assert RuleFiring.objects.filter(rule=Rule.OVERDUE).count() == len(everyone)
        assert Notice.objects.filter(rule=Rule.OVERDUE).count() == len(everyone)
        assert SweepHeartbeat.objects.get().completed_at > back
        log = (tmp_path / "worker-1.log").read_text()
        assert "Unrecoverable error" not in log
        assert "Connection to broker lost" in log  # the outage did happen to this worker
        print(
            f"outage {back_at - killed_at:.1f}s, {issued_at_kill}/{GROUP_A} of A issued when Redis died, "
            f"all notices {recovered_in:.1f}s after Redis came back"
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{stack.log_tail()}") from exc
    finally:
        stack.stop()
        redis_server.kill()
        connection.close()
