"""Benchmark: intake over REST against a trivial endpoint, on the same gunicorn server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.intake \
        [--sizes 10000,1000000] [--workers 2] [--requests 300] [--concurrency 8]

For each size it uses the pages benchmark's database (`hotline_bench_<size>`, filled the
same way when missing; `--database NAME` for one of your own), starts `gunicorn -w 2` on
127.0.0.1 with DEBUG off and a Redis broker on a database number of its own (`--redis-url`;
order events are sent to it as in production and the queue is deleted afterwards), and times
`GET /healthz` (one `SELECT 1`) and `POST /api/v1/orders/` (a new order each, token auth):
first one client after the other, then `--concurrency` clients at once. Every loop is bounded
by a request count. It prints requests per second, p50 / p95 latency and intake as a share of
the healthz rate, checks that every new order number is unique, then deletes the orders it made.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench._db import require_postgresql, server_load, setup_django, use_database

MARK = "BENCH-INTAKE-"


@dataclass
class Load:
    label: str
    clients: int
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run_load(label: str, port: int, clients: int, requests: int, make_request) -> Load:
    """`requests` requests spread over `clients` threads; each thread loops a bounded number of times."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def worker(count: int) -> None:
        nonlocal errors
        mine = []
        bad = 0
        for _ in range(count):
            method, path, body, headers, expected = make_request()
            started = time.perf_counter()
            status = _request(port, method, path, body, headers)
            mine.append((time.perf_counter() - started) * 1000)
            if status != expected:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Load(label, clients, requests, time.perf_counter() - started, latencies, errors)


def start_server(database: str, port: int, workers: int, redis_url: str, var_dir: Path) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{database}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SUPERVISION_EVENT_TASKS": "1",
        "HOTLINE_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if _port_in_use(port):
        raise SystemExit(f"port {port} is taken by another server: pass --port, or leave it to pick a free one")
    process = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "hotline.wsgi"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz", None, {}) == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop_server(process: subprocess.Popen) -> None:
    # Only the process group this benchmark started.
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def intake_body(topic: int) -> bytes:
    return json.dumps(
        {
            "platform_number": MARK + uuid.uuid4().hex[:20],
            "channel": "12345",
            "caller_name": "赵女士",
            "caller_phone": "13912345678",
            "address": "幸福小区5号楼",
            "content": "楼上夜间装修噪音扰民，请求处理。",
            "nature": "complaint",
            "handling_type": "service",
            "topic": topic,
        }
    ).encode()


def cleanup() -> tuple[int, int]:
    """Delete the orders this benchmark made (and their events); (orders, distinct numbers)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT number) FROM tickets_workorder WHERE platform_number LIKE %s",
            [MARK + "%"],
        )
        made, distinct = cursor.fetchone()
        cursor.execute(
            "DELETE FROM tickets_orderevent WHERE order_id IN "
            "(SELECT id FROM tickets_workorder WHERE platform_number LIKE %s)",
            [MARK + "%"],
        )
        cursor.execute("DELETE FROM tickets_workorder WHERE platform_number LIKE %s", [MARK + "%"])
    return made, distinct


def purge_queue(redis_url: str) -> None:
    try:
        import redis
    except ImportError:
        return
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("celery*"):
        client.delete(key)
    for key in client.scan_iter("_kombu*"):
        client.delete(key)


def measure(args, database: str) -> list[Load]:
    from rest_framework.authtoken.models import Token

    from bench.bulletins import _cast
    from stations.models import Role
    from tickets.models import Topic

    _units, people, _keywords = _cast()
    token, _ = Token.objects.get_or_create(user=people[Role.DISPATCHER])
    topic = Topic.objects.order_by("pk").first().pk
    headers = {"Authorization": f"Token {token.key}", "Content-Type": "application/json"}

    def healthz():
        return "GET", "/healthz", None, {}, 200

    def create():
        return "POST", "/api/v1/orders/", intake_body(topic), headers, 201

    var_dir = Path(f"/tmp/hotline-bench-intake-{os.getpid()}")
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    server = start_server(database, args.port, args.workers, args.redis_url, var_dir)
    loads = []
    try:
        # Warm both workers' imports and connections.
        run_load("warm-up", args.port, 2, 20, healthz)
        run_load("warm-up", args.port, 2, 10, create)
        for clients, requests in ((1, args.requests), (args.concurrency, args.requests * 2)):
            for label, make in (("GET /healthz", healthz), ("POST /api/v1/orders/", create)):
                load = run_load(label, args.port, clients, requests, make)
                loads.append(load)
                print(
                    f"  {label:<22} {clients} client(s): {load.rate:7.1f}/s  p50 {load.p50:6.1f} ms  "
                    f"p95 {load.p95:6.1f} ms  errors {load.errors}  ({server_load()})",
                    flush=True,
                )
    finally:
        stop_server(server)
        purge_queue(args.redis_url)
    made, distinct = cleanup()
    print(f"  {made} orders made, {distinct} distinct numbers; deleted", flush=True)
    if made != distinct:
        print("  DUPLICATE ORDER NUMBERS", flush=True)
    return loads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="history sizes (the pages benchmark's databases)")
    parser.add_argument("--database-prefix", default="hotline_bench")
    parser.add_argument("--database", help="one database by name (only with a single size)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--requests", type=int, default=300, help="requests per sequential run (x2 concurrent)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    setup_django()
    require_postgresql("bench.intake")
    from bench.pages import ensure_data, size_tag

    table: dict[int, list[Load]] = {}
    for size in sizes:
        name = args.database or f"{args.database_prefix}_{size_tag(size)}"
        use_database(name)
        ensure_data(size)
        print(f"database {name}: gunicorn -w {args.workers}; {server_load()}", flush=True)
        table[size] = measure(args, name)
    print()
    print("| load | " + " | ".join(f"{s:,}: req/s · p50 · p95 ms" for s in sizes) + " | share of healthz |")
    print("|---|" + "---:|" * len(sizes) + "---:|")
    for i, load in enumerate(table[sizes[0]]):
        cells = []
        for size in sizes:
            row = table[size][i]
            cells.append(f"{row.rate:.0f} · {row.p50:.1f} · {row.p95:.1f}")
        share = ""
        if load.label.startswith("POST"):
            share = " / ".join(f"{table[s][i].rate / table[s][i - 1].rate:.0%}" for s in sizes)
        print(f"| {load.label}, {load.clients} client(s) | " + " | ".join(cells) + f" | {share} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
