"""The supervision sweep on a large table: its cost follows the due items, not the orders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_timers python -m bench.sweep

Works in a schema of its own (default `hotline_bench`, created and migrated here) so it never
touches the application's tables. It fills `tickets_workorder` with generate_series — historic
closed orders plus a few thousand open ones not yet due — first to 100,000 rows, then to
1,000,000, and at each size times a sweep with 0, 10, 100 and 1,000 orders that fell overdue
since the previous sweep (each of those gets its 督办单). It also prints the plan of the
handling-deadline window query. Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import time


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="table sizes to measure at (ascending)")
    parser.add_argument("--due", default="0,10,100,1000", help="due orders per measured sweep")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps per measurement with 0 due (median)")
    parser.add_argument("--schema", default="hotline_bench", help="PostgreSQL schema to work in")
    parser.add_argument("--keep", action="store_true", help="keep the rows from an earlier run")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.schema):
        parser.error("--schema must be a plain lower-case identifier")
    args.sizes = [int(x) for x in args.sizes.split(",")]
    args.due = [int(x) for x in args.due.split(",")]
    return args


def setup_django(schema: str):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SUPERVISION_EVENT_TASKS", "0")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The sweep benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    # Everything below happens in the benchmark's own schema.
    connection.settings_dict.setdefault("OPTIONS", {})["options"] = f"-c search_path={schema}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


INSERT_ORDERS = """
INSERT INTO tickets_workorder (
    number, channel, received_at, caller_name, caller_phone, address, content, nature,
    handling_type, urgency, confidential, leader_instructed, leader_instruction, status, cycle,
    version, dispatched_at, contacted_at, reported_at, reviewed_at, callback_at, closed_at,
    contact_deadline, handling_deadline, deadline_warning, return_count, reopen_count, outcome,
    satisfaction, created_at, updated_at, topic_id, unit_id)
SELECT
    %(prefix)s || lpad(g::text, 10, '0'), '12345', r.at, '王先生',
    '139' || lpad((g %% 99999999)::text, 8, '0'), '人民路' || (g %% 5000) || '号', '历史工单', 'complaint',
    'service', 'normal', false, false, '', %(status)s, 1,
    1, r.at + interval '10 minutes', r.at + interval '30 minutes',
    CASE WHEN %(status)s = 'closed' THEN r.at + interval '4 hours' END,
    CASE WHEN %(status)s = 'closed' THEN r.at + interval '5 hours' END,
    CASE WHEN %(status)s = 'closed' THEN r.at + interval '6 hours' END,
    CASE WHEN %(status)s = 'closed' THEN r.at + interval '7 hours' END,
    r.at + interval '70 minutes', r.at + %(handling)s::interval, '', 0, 0,
    CASE WHEN %(status)s = 'closed' THEN 'resolved' ELSE '' END,
    CASE WHEN %(status)s = 'closed' THEN 'satisfied' ELSE '' END,
    r.at, r.at, %(topic)s, %(unit)s
FROM generate_series(%(first)s, %(last)s) AS g,
     LATERAL (SELECT %(start)s::timestamptz + (g - %(first)s) * %(step)s * interval '1 second' AS at) AS r
"""


def insert_orders(*, first, last, start, step, status, handling, prefix, topic, unit):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_ORDERS,
            {
                "first": first,
                "last": last,
                "start": start,
                "step": step,
                "status": status,
                "handling": handling,
                "prefix": prefix,
                "topic": topic,
                "unit": unit,
            },
        )


def reset(schema):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND "
            "(tablename LIKE 'tickets\\_%%' OR tablename LIKE 'supervision\\_%%') "
            "AND tablename NOT IN ('tickets_topic', 'tickets_timelimitpolicy')",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_workorder")


def order_count() -> int:
    from tickets.models import WorkOrder

    return WorkOrder.objects.count()


def grow_to(size, *, topic, unit, now):
    """Historic closed orders, received over three years up to two days ago, up to `size` rows."""
    from tickets.models import WorkOrder

    have = WorkOrder.objects.filter(number__startswith="H").count()
    if size <= have:
        return
    start = now - dt.timedelta(days=3 * 365)
    step = (3 * 365 - 2) * 86400 / size
    # Rows first..last keep one received time per sequence number whatever the final size.
    insert_orders(
        first=have + 1,
        last=size,
        start=start + dt.timedelta(seconds=have * step),
        step=step,
        status="closed",
        handling="1 day",
        prefix="H",
        topic=topic,
        unit=unit,
    )


def add_open_not_due(count, *, topic, unit, now, seq):
    """Open orders whose deadlines are still ahead (hours to days away)."""
    insert_orders(
        first=seq,
        last=seq + count - 1,
        start=now - dt.timedelta(minutes=30),
        step=60,
        status="contacted",
        handling="3 days",
        prefix="O",
        topic=topic,
        unit=unit,
    )


def add_just_due(count, *, topic, unit, now, seq):
    """Orders contacted long ago whose handling deadline passed in the last few seconds."""
    if count == 0:
        return
    start = now - dt.timedelta(days=1, seconds=30)
    insert_orders(
        first=seq,
        last=seq + count - 1,
        start=start,
        step=20 / count,
        status="contacted",
        handling="1 day",
        prefix="D",
        topic=topic,
        unit=unit,
    )


def set_cursors(position):
    from supervision.models import SweepCursor

    for name in ("events", "contact", "handling", "early", "notices"):
        SweepCursor.objects.update_or_create(name=name, defaults={"position": position})


def timed_sweep():
    from django.db import connection

    from supervision.sweep import run_sweep

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = run_sweep(time_budget=0)
        seconds = time.perf_counter() - started
    return seconds, queries, result


def window_plan(low, high) -> list[str]:
    from django.db import connection

    from supervision.sweep import _handling_window  # noqa: F401 - documents which query this is
    from tickets.models import UNIT_WORK_STATUSES

    sql = """
        EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
        SELECT o.id, o.handling_deadline, o.cycle FROM tickets_workorder o
        WHERE (o.status = ANY(%s) OR (o.status = ANY(%s) AND o.reported_at > o.handling_deadline))
          AND NOT EXISTS (SELECT 1 FROM supervision_rulefiring f
                          WHERE f.order_id = o.id AND f.rule = 'overdue' AND f.cycle = o.cycle)
          AND o.handling_deadline > %s AND o.handling_deadline <= %s
        ORDER BY o.handling_deadline, o.id LIMIT 500
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(UNIT_WORK_STATUSES), ["reported", "approved", "callback_done", "closed"], low, high])
        return [row[0] for row in cursor.fetchall()]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_django(args.schema)

    import time_machine  # noqa: F401 - only to make sure the dev requirements are installed
    from django.conf import settings
    from django.utils import timezone

    from stations.models import Unit, UnitKind
    from tickets.models import Topic

    if not args.keep:
        reset(args.schema)
    unit, _ = Unit.objects.get_or_create(
        code="bench-station", defaults={"name": "基准派出所", "kind": UnitKind.STATION}
    )
    Unit.objects.get_or_create(code="bench-command", defaults={"name": "基准指挥中心", "kind": UnitKind.COMMAND_CENTER})
    topic = Topic.objects.order_by("pk").first() or Topic.objects.create(name="噪音扰民", code="noise")
    overlap = settings.SUPERVISION_SWEEP_OVERLAP_SECONDS
    print(f"schema {args.schema}; window overlap {overlap}s; sizes {args.sizes}; due per sweep {args.due}")
    print()
    print("| orders in table | due in this sweep | sweep (ms) | queries | ms per due item |")
    print("|---:|---:|---:|---:|---:|")
    seq = 1
    plans = {}
    for size in args.sizes:
        now = timezone.now()
        started = time.perf_counter()
        grow_to(size, topic=topic.pk, unit=unit.pk, now=now)
        add_open_not_due(2000, topic=topic.pk, unit=unit.pk, now=now, seq=seq)
        seq += 2000
        analyze()
        fill = time.perf_counter() - started
        total = order_count()
        print(f"<!-- filled to {total:,} orders in {fill:.1f}s -->", file=sys.stderr)
        for due in args.due:
            now = timezone.now()
            # The previous sweep ran a minute ago; `due` orders fell overdue since.
            set_cursors(now - dt.timedelta(seconds=60))
            add_just_due(due, topic=topic.pk, unit=unit.pk, now=now, seq=seq)
            seq += max(due, 1)
            if due:
                analyze()
            runs = [timed_sweep() for _ in range(1 if due else args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            first = runs[0]
            fired = first[2].counts.get("handling.fired", 0)
            assert fired == due, (fired, due, first[2].summary())
            per = f"{seconds * 1000 / due:.1f}" if due else "–"
            print(f"| {order_count():,} | {due:,} | {seconds * 1000:.1f} | {first[1]} | {per} |", flush=True)
            if due == 0:
                low = now - dt.timedelta(seconds=60 + overlap)
                plans[size] = window_plan(low, timezone.now())
    for size, plan in plans.items():
        print()
        print(f"Plan of the handling-deadline window query at {size:,} orders, nothing due:")
        for line in plan:
            print("    " + line)


if __name__ == "__main__":
    main()
