"""Every index of the work order and the query it is kept for, with that query's plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.indexes [--sizes 10000,1000000]

For each size, in the pages benchmark's database (`hotline_bench_<size>`, filled when
missing; `--database NAME` for one of your own), it lists the indexes of `tickets_workorder` and
`tickets_orderevent` with their sizes, then runs EXPLAIN ANALYZE on the query each index serves
(the ORM's own queryset where the query comes from this project) and checks that the plan uses
that index. An index no listed query uses is reported as such: it should not exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from bench._db import require_postgresql, server_load, setup_django, use_database

SCAN = re.compile(r"Index (?:Only )?Scan (?:Backward )?using (\S+)|Bitmap Index Scan on (\S+)")


def queries():
    """(index, what it serves, a queryset or raw SQL) for every index of the two tables."""
    from django.db.models import Q
    from django.utils import timezone

    from stations.models import Unit, User
    from tickets import selectors
    from tickets.models import UNIT_WORK_STATUSES, OrderEvent, Review, Status, WorkOrder

    now = timezone.now()
    unit = Unit.objects.get(code="chengguan")
    officer = User.objects.get(username="bench-officer")
    reviewer = User.objects.get(username="bench-reviewer")
    some = WorkOrder.objects.filter(status=Status.CLOSED).order_by("-received_at").first()
    week_ago = now - dt.timedelta(days=7)
    orders = WorkOrder.objects.all()
    return [
        ("tickets_workorder_pkey", "an order by id (detail page, API detail)", orders.filter(pk=some.pk)),
        ("number", "an order by its number (merge form)", orders.filter(number=some.number)),
        ("platform_number", "intake: the 12345 order already registered?", orders.filter(platform_number="P-1")),
        ("received_at", "REST list, default order, page 1", orders.order_by("-received_at", "-pk")[:51]),
        (
            "order_status_received_idx",
            "dispatch board: the waiting queue",
            orders.filter(status=Status.RECEIVED).order_by("received_at", "pk")[:100],
        ),
        (
            "order_unit_received_idx",
            "an officer's order list (REST, search), newest first",
            selectors.orders_visible_to(officer).order_by("-received_at", "-pk")[:51],
        ),
        (
            "order_open_work_idx",
            "unit workbench: open orders, nearest deadline first",
            orders.filter(unit=unit, status__in=UNIT_WORK_STATUSES).order_by("handling_deadline", "received_at")[:100],
        ),
        (
            "order_open_work_idx",
            "every unit's open / due soon / overdue counts",
            "UNIT_WORKLOAD",
        ),
        (
            "order_open_work_idx",
            "overview: overdue orders, oldest deadline first",
            orders.filter(status__in=UNIT_WORK_STATUSES, handling_deadline__lt=now).order_by("handling_deadline")[:100],
        ),
        (
            "order_sent_back_idx",
            "dispatch board: orders sent back",
            orders.filter(status=Status.SENT_BACK).order_by("dispatched_at", "pk")[:100],
        ),
        (
            "order_review_queue_idx",
            "review queue",
            orders.filter(status=Status.REPORTED).order_by("reported_at", "pk")[:100],
        ),
        (
            "order_callback_queue_idx",
            "callback queue: approved, to call back",
            orders.filter(status=Status.APPROVED).order_by("reviewed_at", "pk")[:100],
        ),
        (
            "order_close_queue_idx",
            "callback queue: called back, to close; overview: unsatisfied",
            orders.filter(status=Status.CALLBACK_DONE).order_by("callback_at", "pk")[:100],
        ),
        (
            "order_unit_waiting_idx",
            "workbench: reported or sent back, waiting for others",
            orders.filter(unit=unit, status__in=[Status.REPORTED, Status.SENT_BACK]).order_by("-updated_at")[:50],
        ),
        (
            "order_caller_phone_idx",
            "repeat-caller rule: same phone within 30 days",
            orders.filter(caller_phone=some.caller_phone, received_at__gte=some.received_at - dt.timedelta(days=30)),
        ),
        (
            "order_urgency_idx",
            "REST list filter urgency=critical (rare)",
            orders.filter(urgency="critical").order_by("-received_at", "-pk")[:51],
        ),
        (
            "order_nature_idx",
            "REST list filter nature=suggestion (rare)",
            orders.filter(nature="suggestion").order_by("-received_at", "-pk")[:51],
        ),
        (
            "order_leader_idx",
            "REST list filter leader_instructed=true",
            orders.filter(leader_instructed=True).order_by("-received_at", "-pk")[:51],
        ),
        ("order_officer_idx", "REST list filter officer", orders.filter(officer=officer).order_by("-received_at")[:51]),
        ("order_merged_into_idx", "order page: the orders merged into it", orders.filter(merged_into=some)),
        (
            "handling_deadline",
            "REST list ordered by deadline; the sweep's handling window",
            orders.filter(handling_deadline__isnull=False).order_by("handling_deadline", "pk")[:51],
        ),
        (
            "contact_deadline",
            "the sweep's contact window",
            orders.filter(Q(status=Status.DISPATCHED), contact_deadline__gt=now - dt.timedelta(minutes=3))
            .filter(contact_deadline__lte=now)
            .order_by("contact_deadline")[:500],
        ),
        (
            "closed_at",
            "bulletin: orders closed in a week (analysis/stats.py)",
            orders.filter(status=Status.CLOSED, closed_at__gte=week_ago, closed_at__lt=now).order_by(),
        ),
        ("order_reviewed_at_idx", "bulletin: results approved in a week", orders.filter(reviewed_at__gte=week_ago)),
        ("order_callback_at_idx", "bulletin: orders called back in a week", orders.filter(callback_at__gte=week_ago)),
        (
            "topic_id",
            "REST list filter topic, a rare topic",
            orders.filter(topic_id=some.topic_id, received_at__gte=week_ago).order_by("-received_at")[:51],
        ),
        (
            "event_order_time_idx",
            "an order's timeline",
            OrderEvent.objects.filter(order_id=some.pk).order_by("created_at", "id"),
        ),
        (
            "tickets_orderevent_created_at",
            "the sweep's event window",
            OrderEvent.objects.filter(created_at__gt=now - dt.timedelta(minutes=3)).order_by("created_at")[:500],
        ),
        (
            "tickets_orderevent_actor_id",
            "deleting a user (PROTECT check)",
            OrderEvent.objects.filter(actor_id=officer.pk)[:1],
        ),
        (
            "tickets_review_order_id",
            "a reviewer's list: did this reviewer review the order? (EXISTS per row)",
            Review.objects.filter(order_id=some.pk, reviewer=reviewer),
        ),
    ]


# Indexes the benchmark's data may not show in a plan, and why they stay. Its orders are spread
# evenly over the units and topics, so walking the list's own index finds a page of any unit or
# topic at once; a real bureau has small units and rare topics, where these are the plan.
KEPT_WITHOUT_A_PLAN = {
    "order_unit_received_idx": "the unit foreign key's index; an officer's list of a small unit, newest first",
    "topic_id": "the topic foreign key's index; the list filtered by a rare topic",
}


def index_sizes(cursor, table: str) -> list[tuple[str, int]]:
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass ORDER BY 1",
        [table],
    )
    return cursor.fetchall()


def explain(target) -> list[str]:
    from django.db import connection
    from django.utils import timezone

    from tickets import selectors, timewords

    if target == "UNIT_WORKLOAD":
        captured = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            selectors.unit_workload(timezone.now(), timewords.DUE_SOON)
        sql, params = captured[0]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            return [row[0] for row in cursor.fetchall()]
    return target.explain(analyze=True, costs=False).splitlines()


def run(size: int) -> int:
    from django.db import connection

    missing = 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_workorder")
        for table in ("tickets_workorder", "tickets_orderevent"):
            sizes = index_sizes(cursor, table)
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [table])
            heap = cursor.fetchone()[0]
            total = sum(s for _n, s in sizes)
            print(f"  {table}: {len(sizes)} indexes, {total / 2**20:.1f} MB of index for {heap / 2**20:.1f} MB of rows")
            for name, bytes_ in sizes:
                print(f"    {name:<58} {bytes_ / 2**20:8.1f} MB")
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'tickets_workorder'::regclass")
        existing = {row[0] for row in cursor.fetchall()}
    used = set()
    print()
    for index, what, target in queries():
        plan = explain(target)
        text = "\n".join(plan)
        names = {a or b for a, b in SCAN.findall(text)}
        hit = sorted(n for n in names if index in n)
        used.update(names)
        timing = re.search(r"Execution Time: ([\d.]+) ms", text)
        verdict = "uses it" if hit else "uses another"
        if not hit and not any(key in index for key in KEPT_WITHOUT_A_PLAN):
            missing += 1
        print(f"  {index:<32} {what:<62} {verdict:<16} {timing.group(1) if timing else '?':>9} ms")
        for line in plan:
            if "Scan" in line or "Execution Time" in line or "Sort" in line:
                print(f"      {line.strip()}")
    unused = sorted(n for n in existing if n not in used)
    print()
    print(f"  indexes of tickets_workorder no listed query used here: {unused or 'none'}  ({server_load()})")
    for name in unused:
        reason = next((why for key, why in KEPT_WITHOUT_A_PLAN.items() if key in name), None)
        print(f"    {name}: {reason or 'NO REASON TO KEEP IT'}")
    return missing + sum(1 for name in unused if not any(key in name for key in KEPT_WITHOUT_A_PLAN))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.indexes", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--database-prefix", default="hotline_bench")
    parser.add_argument("--database", help="one database by name (only with a single size)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    setup_django()
    require_postgresql("bench.indexes")
    from bench.pages import ensure_data, size_tag

    problems = 0
    for size in sizes:
        name = args.database or f"{args.database_prefix}_{size_tag(size)}"
        use_database(name)
        ensure_data(size)
        print(f"database {name}: {size:,} history orders")
        # On a small table the planner may read a queue through a bigger index just as fast;
        # what each index is for shows at the largest size, which alone decides the exit status.
        problems = run(size)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
