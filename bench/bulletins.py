"""Benchmark: the weekly bulletin and the 12-week dashboard on 10,000 and 1,000,000 orders (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.bulletins \
        [--sizes 10000,1000000] [--database NAME] [--drop]

Each size has a database of its own, `hotline_bench_<size>` (shared with the other benchmarks;
`--database NAME` for one you made, when the user may not create databases), created and
migrated when missing. It is filled once with N orders spread over the two years before now
(`INSERT … SELECT generate_series`, plus their reports, reviews and callbacks) and today's desk,
VACUUM ANALYZEd, then each figure the bulletin and the dashboards compute is timed. The databases
are kept for the next run (the data is reused) unless `--drop`. The figures of all sizes are
printed side by side at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

WEEKS_OF_DATA = 104


def _timed(label: str, fn, repeat: int) -> dict:
    """Run `fn` once cold, then `repeat` times; report the cold run and the median."""
    start = time.perf_counter()
    fn()
    cold = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    result = {"label": label, "cold_ms": cold * 1000, "median_ms": statistics.median(runs) * 1000}
    print(f"  {label:<58} cold {result['cold_ms']:8.1f} ms   median {result['median_ms']:8.1f} ms", flush=True)
    return result


def _cast():
    """Units (the demo county's stations and departments), one user per role, address rules."""
    from stations.models import Role, RoutingRule, RoutingRuleKind, Unit, UnitKind, User
    from tickets.demo import DEPARTMENTS, STATIONS

    branch, _ = Unit.objects.get_or_create(
        code="bench-bureau", defaults={"name": "基准测试局", "kind": UnitKind.BRANCH}
    )
    command, _ = Unit.objects.get_or_create(
        code="bench-command", defaults={"name": "指挥中心", "kind": UnitKind.COMMAND_CENTER, "parent": branch}
    )
    review, _ = Unit.objects.get_or_create(code="bench-review", defaults={"name": "督察大队", "kind": UnitKind.REVIEW})
    units = []
    for code, name, keywords in STATIONS:
        unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": UnitKind.STATION})
        units.append(unit)
        for keyword in keywords:
            RoutingRule.objects.get_or_create(kind=RoutingRuleKind.ADDRESS, keyword=keyword, defaults={"unit": unit})
    for code, name, _topics in DEPARTMENTS:
        unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": UnitKind.DEPARTMENT})
        units.append(unit)
    people = {}
    for username, role, unit in (
        ("bench-dispatcher", Role.DISPATCHER, command),
        ("bench-officer", Role.OFFICER, units[0]),
        ("bench-reviewer", Role.REVIEWER, review),
        ("bench-supervisor", Role.SUPERVISOR, command),
    ):
        people[role], _ = User.objects.get_or_create(username=username, defaults={"role": role, "unit": unit})
    keywords = [k for _c, _n, ks in STATIONS for k in ks]
    return units, people, keywords


CONTENT_VARIANTS = 60

LOAD_ORDERS = """
SELECT setseed(0.4217);
INSERT INTO tickets_workorder (
    id, number, channel, received_at, caller_name, caller_phone, address, content, nature, handling_type,
    topic_id, urgency, confidential, leader_instructed, leader_instruction, status, unit_id, merged_into_id,
    cycle, version, dispatched_at, contacted_at, reported_at, reviewed_at, callback_at, closed_at,
    contact_deadline, handling_deadline, deadline_warning, return_count, reopen_count, handling_minutes,
    outcome, satisfaction, created_at, updated_at
)
SELECT
    g,
    'BN' || lpad(g::text, 12, '0'),
    (ARRAY['12345','12345','12345','12345','110','online','walk_in','sms','web'])[1 + g % 9],
    s.received_at,
    '王女士',
    '13' || lpad((g::bigint % 400000 * 7919 % 1000000000)::text, 9, '0'),
    {keywords}[1 + (g * 7) % {keyword_count}] || (g % 40)::text || '号',
    {contents}[1 + (g * 13) % {topic_count}][1 + (g * 7919) % {variants}],
    'complaint',
    CASE WHEN g % 3 = 0 THEN 'consultation' WHEN g % 3 = 1 THEN 'service' ELSE 'enforcement' END,
    {topics}[1 + (g * 13) % {topic_count}],
    'normal', false, g % 50 = 0, CASE WHEN g % 50 = 0 THEN '请高度重视。' ELSE '' END,
    s.status,
    CASE WHEN s.status = 'received' THEN NULL ELSE {units}[1 + (g * 31) % {unit_count}] END,
    CASE WHEN s.status = 'merged' THEN g - 1 END,
    1, 1,
    CASE WHEN s.status <> 'received' THEN s.received_at + interval '10 minutes' END,
    CASE WHEN s.status NOT IN ('received', 'dispatched', 'sent_back')
         THEN s.received_at + interval '10 minutes' + s.contact_after END,
    CASE WHEN s.status IN ('reported', 'returned', 'approved', 'callback_done', 'closed')
         THEN s.received_at + interval '10 minutes' + s.contact_after + s.report_after END,
    CASE WHEN s.status IN ('returned', 'approved', 'callback_done', 'closed')
         THEN s.received_at + interval '10 minutes' + s.contact_after + s.report_after + interval '1 hour' END,
    CASE WHEN s.status IN ('callback_done', 'closed')
         THEN s.received_at + s.contact_after + s.report_after + interval '3 hours' END,
    CASE WHEN s.status = 'closed'
         THEN s.received_at + s.contact_after + s.report_after + interval '4 hours' END,
    CASE WHEN s.status <> 'received' THEN s.received_at + interval '70 minutes' END,
    CASE WHEN s.status <> 'received'
         THEN s.received_at + interval '10 minutes'
              + CASE WHEN g % 3 = 0 THEN interval '4 hours' ELSE interval '24 hours' END END,
    '', 0, 0,
    CASE WHEN s.status IN ('approved', 'callback_done', 'closed') THEN round((s.u2 * 900)::numeric, 1) END,
    CASE WHEN s.status IN ('reported', 'returned', 'approved', 'callback_done', 'closed')
         THEN CASE WHEN s.u2 < 0.80 THEN 'resolved' WHEN s.u2 < 0.92 THEN 'partly' ELSE 'unresolved' END
         ELSE '' END,
    CASE WHEN s.status IN ('callback_done', 'closed')
         THEN CASE WHEN s.u3 < 0.75 THEN 'satisfied' WHEN s.u3 < 0.93 THEN 'basically' ELSE 'unsatisfied' END
         ELSE '' END,
    s.received_at, s.received_at
FROM generate_series(1, {count}) AS g
CROSS JOIN LATERAL (
    SELECT
        t.received_at,
        t.u2,
        t.u3,
        make_interval(mins => (t.u2 * 90)::int) AS contact_after,
        make_interval(mins => (30 + t.u3 * 1800)::int) AS report_after,
        CASE
            WHEN g > 1 AND t.u1 < 0.01 THEN 'merged'
            WHEN t.age > interval '4 days' THEN
                CASE WHEN t.u1 < 0.95 THEN 'closed' WHEN t.u1 < 0.97 THEN 'callback_done'
                     WHEN t.u1 < 0.98 THEN 'approved' WHEN t.u1 < 0.985 THEN 'contacted'
                     WHEN t.u1 < 0.99 THEN 'dispatched' WHEN t.u1 < 0.995 THEN 'returned' ELSE 'sent_back' END
            ELSE
                (ARRAY['received', 'dispatched', 'contacted', 'contacted', 'reported', 'returned', 'approved',
                       'callback_done', 'closed', 'closed', 'closed', 'sent_back'])[1 + floor(t.u1 * 12)::int]
        END AS status
    FROM (
        SELECT
            now() - make_interval(secs => (g::float8 / {count}) * {span_seconds}) AS received_at,
            make_interval(secs => (g::float8 / {count}) * {span_seconds}) AS age,
            random() + 0 * g AS u1,
            random() + 0 * g AS u2,
            random() + 0 * g AS u3
    ) AS t
) AS s;
SELECT setval(pg_get_serial_sequence('tickets_workorder', 'id'), (SELECT max(id) FROM tickets_workorder));
"""

LOAD_RECORDS = """
INSERT INTO tickets_report (order_id, author_id, outcome, text, unresolved_reason, created_at, cycle)
SELECT id, {officer}, outcome, '已处理。', '', reported_at, 1
FROM tickets_workorder WHERE reported_at IS NOT NULL AND outcome <> '';
INSERT INTO tickets_review (order_id, report_id, reviewer_id, decision, reason, created_at)
SELECT w.id, r.id, {reviewer}, 'approved', '', w.reviewed_at
FROM tickets_workorder w JOIN tickets_report r ON r.order_id = w.id
WHERE w.status IN ('approved', 'callback_done', 'closed');
INSERT INTO tickets_review (order_id, report_id, reviewer_id, decision, reason, created_at)
SELECT w.id, r.id, {reviewer}, 'returned', '请补充。', w.reviewed_at - interval '30 minutes'
FROM tickets_workorder w JOIN tickets_report r ON r.order_id = w.id
WHERE w.status = 'returned' OR (w.status IN ('approved', 'callback_done', 'closed') AND w.id % 20 = 0);
INSERT INTO tickets_callback (order_id, caller_id, satisfaction, citizen_words, created_at, cycle)
SELECT id, {dispatcher}, satisfaction, '', callback_at, 1
FROM tickets_workorder WHERE satisfaction <> '';
"""


def load(count: int) -> None:
    from django.db import connection

    from stations.models import Role
    from tickets.demo_text import content_for
    from tickets.models import Topic

    units, people, keywords = _cast()
    topics = list(Topic.objects.values_list("pk", "code"))

    def array(values) -> str:
        return "(ARRAY[" + ",".join(values) + "])"

    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    # What the callers said: CONTENT_VARIANTS sentences per topic from the demo's generator
    # (several templates per topic, places, times, people), so word searches, similar orders and
    # the suggestion model meet text as varied as a real desk's, not one sentence a million times.
    rng = random.Random(4217)
    contents = "(ARRAY[" + ",".join(
        "[" + ",".join(quoted(content_for(code, rng)) for _ in range(CONTENT_VARIANTS)) + "]" for _pk, code in topics
    ) + "])"

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            LOAD_ORDERS.format(
                count=count,
                span_seconds=WEEKS_OF_DATA * 7 * 86400,
                keywords=array("'" + k.replace("'", "''") + "'" for k in keywords),
                keyword_count=len(keywords),
                topics=array(str(pk) for pk, _code in topics),
                contents=contents,
                variants=CONTENT_VARIANTS,
                topic_count=len(topics),
                units=array(str(u.pk) for u in units),
                unit_count=len(units),
            )
        )
    print(f"  loaded {count:,} orders in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            LOAD_RECORDS.format(
                officer=people[Role.OFFICER].pk,
                reviewer=people[Role.REVIEWER].pk,
                dispatcher=people[Role.DISPATCHER].pk,
            )
        )
    print(f"  loaded reports, reviews and callbacks in {time.perf_counter() - started:.1f} s", flush=True)
    # As autovacuum would have by the time anyone reads a bulletin: statistics for the planner and
    # a visibility map for index-only scans (VACUUM runs outside a transaction, one table at a time).
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("tickets_workorder", "tickets_report", "tickets_review", "tickets_callback"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def counts() -> dict:
    from tickets.models import Callback, Report, Review, WorkOrder

    return {
        "orders": WorkOrder.objects.count(),
        "reports": Report.objects.count(),
        "reviews": Review.objects.count(),
        "callbacks": Callback.objects.count(),
    }


def run(repeat: int) -> list[dict]:
    from django.utils import timezone

    from analysis.bulletins import bulletin_snapshot
    from analysis.dashboards import dashboard_data
    from analysis.hotspots import hotspot_table, repeat_callers, repeat_window, repeated_addresses
    from analysis.models import AreaLevel
    from analysis.periods import last_weeks, local_date, previous_week, week_containing
    from analysis.stats import figures_by_unit, unit_load, weekly_trend
    from stations.models import Unit

    now = timezone.now()
    week = previous_week(now)
    unit = Unit.objects.filter(code="chengguan").first()
    results = [
        _timed("bulletin: figures of every unit, one week", lambda: figures_by_unit(week, now), repeat),
        _timed(
            "bulletin: whole snapshot (figures, ranking, meeting list)", lambda: bulletin_snapshot(week, now), repeat
        ),
        _timed("dashboard: 12-week trend (bureau)", lambda: weekly_trend(last_weeks(12, now), now), repeat),
        _timed(
            "dashboard: 12-week trend (unit vs bureau)",
            lambda: weekly_trend(last_weeks(12, now), now, unit_id=unit.pk),
            repeat,
        ),
        _timed("dashboard: current load of every unit", lambda: unit_load(now), repeat),
        _timed("dashboard: supervisor page (YTD, trend, breakdowns, load)", lambda: dashboard_data(now=now), repeat),
        _timed("dashboard: unit page", lambda: dashboard_data(unit=unit, now=now), repeat),
        _timed(
            "hotspots: topic × station, week + 4 baseline weeks",
            lambda: hotspot_table(week_containing(local_date(now)), AreaLevel.STATION),
            repeat,
        ),
        _timed(
            "hotspots: topic × community/road",
            lambda: hotspot_table(week_containing(local_date(now)), AreaLevel.PLACE),
            repeat,
        ),
        _timed(
            "hotspots: repeat callers and addresses (30 days)",
            lambda: (repeat_callers(*repeat_window(week, now)), repeated_addresses(*repeat_window(week, now))),
            repeat,
        ),
    ]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulletins", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="orders to load, one database each")
    parser.add_argument("--orders", type=int, help="a single size (same as --sizes N)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the cold one (default 5)")
    parser.add_argument("--database-prefix", default="hotline_bench", help="databases <prefix>_<size>")
    parser.add_argument("--database", help="one database by name (only with a single size)")
    parser.add_argument("--keep", action="store_true", help="kept by default; accepted for old scripts")
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    args = parser.parse_args(argv)
    sizes = [args.orders] if args.orders else [int(x) for x in args.sizes.split(",")]
    if args.database and len(sizes) != 1:
        parser.error("--database takes a single size")

    # Not Django's test-database creation: create_test_db() serialises the whole database into
    # memory for the test runner (6.3 GB for a million orders) and insists on a test_ name.
    from bench._db import drop_database, require_postgresql, setup_django, use_database
    from bench.pages import ensure_data, size_tag

    setup_django()
    require_postgresql("bench.bulletins")
    results: dict[int, list[dict]] = {}
    for size in sizes:
        name = args.database or f"{args.database_prefix}_{size_tag(size)}"
        started = time.perf_counter()
        use_database(name)
        ensure_data(size)
        print(f"database {name}: {counts()}; set-up {time.perf_counter() - started:.1f} s; timings:", flush=True)
        results[size] = run(args.repeat)
    if len(sizes) > 1:
        print()
        print("| figure | " + " | ".join(f"{s:,}: median ms" for s in sizes) + " |")
        print("|---|" + "---:|" * len(sizes))
        for i, row in enumerate(results[sizes[0]]):
            cells = " | ".join(f"{results[s][i]['median_ms']:.1f}" for s in sizes)
            print(f"| {row['label']} | {cells} |")
    if args.drop:
        for size in sizes:
            drop_database(args.database or f"{args.database_prefix}_{size_tag(size)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
