"""Benchmark: every page and API read a dispatcher, officer, reviewer or supervisor opens.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.pages \
        [--sizes 10000,1000000] [--database-prefix hotline_bench] [--requests 30] [--drop]

For each size it uses a database of its own (`<prefix>_<size>`, created and migrated when missing;
`--database NAME` for a single size in a database you made), fills it once with the bulletin
benchmark's two years of history (`bench.bulletins.load`: orders with their reports, reviews and
callbacks) plus the same "today's desk" at every size — 120 orders waiting for dispatch, 40 sent
back, 40 extension requests, 120 reported, 120 approved, 120 called back, 150 open orders of the
officer's station — so each page shows the same rows at 10k and at 1M and only the table grows.

Each page is requested `--requests` times in-process with Django's test client (after one warm-up
request); it prints p50 / p95 in ms, the queries per request and the machine's load. The REST list
is walked to page 51 through its `next` links, and every filter is tried with every ordering.
`--explain` prints the plan of each list query the pages make. The databases are kept for the
next run unless `--drop`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

from bench._db import require_postgresql, server_load, setup_django, use_database

DESK_MARK = "DK"


@dataclass
class Result:
    label: str
    times_ms: list[float]
    queries: int
    note: str = ""
    extra: dict = field(default_factory=dict)
    # CPU time of this process per request: the Python side, less sensitive to the other work on
    # a shared machine than the wall time (the database's own time is not in it).
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- data ---


def desk_count() -> int:
    from tickets.models import WorkOrder

    return WorkOrder.objects.filter(number__startswith=DESK_MARK).count()


def history_count() -> int:
    from tickets.models import WorkOrder

    return WorkOrder.objects.filter(number__startswith="BN").count()


def load_desk() -> None:
    """Today's desk: the same open orders at every size, written through the ORM in one go."""
    from django.db import transaction
    from django.utils import timezone

    from bench.bulletins import _cast
    from stations.models import Role
    from tickets.models import (
        Callback,
        ExtensionRequest,
        Objection,
        OrderEvent,
        Report,
        RequestStatus,
        Review,
        Status,
        Topic,
        WorkOrder,
    )

    units, people, keywords = _cast()
    topics = list(Topic.objects.order_by("pk"))
    officer = people[Role.OFFICER]
    station = officer.unit
    now = timezone.now()
    seq = 0
    plan = [
        # status, how many, the unit (None: round robin), minutes before now it was received
        (Status.RECEIVED, 120, None, 180),
        (Status.SENT_BACK, 40, None, 600),
        ("extension", 40, None, 600),
        (Status.REPORTED, 120, None, 900),
        (Status.APPROVED, 120, None, 1500),
        (Status.CALLBACK_DONE, 120, None, 2000),
        (Status.CONTACTED, 90, station, 300),
        (Status.DISPATCHED, 40, station, 60),
        (Status.RETURNED, 20, station, 2500),
        ("overdue", 30, None, 3000),
    ]
    orders: list[WorkOrder] = []
    kinds: list[str] = []
    for kind, count, unit, minutes in plan:
        for i in range(count):
            seq += 1
            received = now - dt.timedelta(minutes=minutes - i)
            status = {
                "extension": Status.DISPATCHED,
                "overdue": Status.CONTACTED,
            }.get(kind, kind)
            target = unit or units[seq % len(units)]
            dispatched = received + dt.timedelta(minutes=5) if status != Status.RECEIVED else None
            handling = None
            if dispatched is not None:
                handling = dispatched + dt.timedelta(hours=8 + (seq % 30))
                if kind == "overdue" or (status == Status.CONTACTED and i % 9 == 0):
                    handling = now - dt.timedelta(minutes=10 + i)
            orders.append(
                WorkOrder(
                    number=f"{DESK_MARK}{now:%Y%m%d}{seq:05d}",
                    channel="12345",
                    received_at=received,
                    caller_name="李先生",
                    caller_phone=f"139{seq:08d}",
                    address=f"{keywords[seq % len(keywords)]}{seq % 50}号",
                    content="小区门口夜间有人聚集喧哗，担心治安问题。",
                    nature="complaint",
                    handling_type="service",
                    topic=topics[seq % len(topics)],
                    urgency="urgent" if seq % 17 == 0 else "normal",
                    leader_instructed=seq % 23 == 0,
                    leader_instruction="请高度重视。" if seq % 23 == 0 else "",
                    status=status,
                    unit=None if status == Status.RECEIVED else target,
                    cycle=0 if status == Status.RECEIVED else 1,
                    dispatched_at=dispatched,
                    contacted_at=dispatched + dt.timedelta(minutes=20)
                    if status not in (Status.RECEIVED, Status.DISPATCHED, Status.SENT_BACK)
                    else None,
                    reported_at=received + dt.timedelta(hours=3)
                    if status in (Status.REPORTED, Status.APPROVED, Status.CALLBACK_DONE, Status.RETURNED)
                    else None,
                    reviewed_at=received + dt.timedelta(hours=4)
                    if status in (Status.APPROVED, Status.CALLBACK_DONE, Status.RETURNED)
                    else None,
                    callback_at=received + dt.timedelta(hours=5) if status == Status.CALLBACK_DONE else None,
                    contact_deadline=dispatched + dt.timedelta(minutes=60) if dispatched else None,
                    handling_deadline=handling,
                    outcome="resolved" if status in (Status.REPORTED, Status.APPROVED, Status.CALLBACK_DONE) else "",
                    satisfaction=("unsatisfied" if i % 4 == 0 else "satisfied")
                    if status == Status.CALLBACK_DONE
                    else "",
                )
            )
            kinds.append(kind)
    with transaction.atomic():
        WorkOrder.objects.bulk_create(orders, batch_size=500)
        events, reports, reviews, callbacks, objections, extensions = [], [], [], [], [], []
        for order, kind in zip(orders, kinds, strict=True):
            events.append(
                OrderEvent(order=order, action="intake", to_status=Status.RECEIVED, actor=people[Role.DISPATCHER])
            )
            if order.status != Status.RECEIVED:
                events.append(
                    OrderEvent(
                        order=order,
                        action="dispatch",
                        from_status=Status.RECEIVED,
                        to_status=Status.DISPATCHED,
                        actor=people[Role.DISPATCHER],
                        payload={"unit": order.unit_id, "unit_name": order.unit.name},
                    )
                )
            if order.reported_at:
                reports.append(Report(order=order, author=officer, outcome="resolved", text="已到现场处理。", cycle=1))
            if kind == Status.SENT_BACK:
                objections.append(
                    Objection(
                        order=order,
                        unit=order.unit,
                        raised_by=officer,
                        reason="该地址不属本所辖区。",
                        previous_status=Status.DISPATCHED,
                    )
                )
            if kind == "extension":
                extensions.append(
                    ExtensionRequest(
                        order=order,
                        requested_by=officer,
                        reason="需要调取监控。",
                        requested_until=order.handling_deadline + dt.timedelta(days=2),
                        previous_deadline=order.handling_deadline,
                        status=RequestStatus.PENDING,
                    )
                )
        OrderEvent.objects.bulk_create(events, batch_size=1000)
        Report.objects.bulk_create(reports, batch_size=1000)
        by_order = {r.order_id: r for r in reports}
        for order in orders:
            if order.reviewed_at:
                reviews.append(
                    Review(
                        order=order,
                        report=by_order[order.pk],
                        reviewer=people[Role.REVIEWER],
                        decision="returned" if order.status == Status.RETURNED else "approved",
                        reason="请补充。" if order.status == Status.RETURNED else "",
                    )
                )
            if order.callback_at:
                callbacks.append(
                    Callback(
                        order=order,
                        caller=people[Role.DISPATCHER],
                        satisfaction=order.satisfaction,
                        citizen_words="民警态度很好。",
                        cycle=1,
                    )
                )
        Review.objects.bulk_create(reviews, batch_size=1000)
        Callback.objects.bulk_create(callbacks, batch_size=1000)
        Objection.objects.bulk_create(objections)
        ExtensionRequest.objects.bulk_create(extensions)


def ensure_data(size: int) -> None:
    from django.db import connection

    from bench import bulletins

    have = history_count()
    if have != size:
        if have:
            print(f"  {have:,} history orders, want {size:,}: emptying the tables", flush=True)
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE tickets_callback, tickets_review, tickets_report, tickets_orderevent, "
                    "tickets_objection, tickets_extensionrequest, tickets_workorder CASCADE"
                )
        bulletins.load(size)
    if not desk_count():
        started = time.perf_counter()
        load_desk()
        with connection.cursor() as cursor:
            for table in ("tickets_workorder", "tickets_orderevent", "tickets_report", "tickets_review"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"  loaded today's desk in {time.perf_counter() - started:.1f} s", flush=True)


# --- measuring ---


class Pages:
    def __init__(self, requests: int):
        from django.test import Client
        from rest_framework.authtoken.models import Token

        from bench.bulletins import _cast
        from stations.models import Role

        self.requests = requests
        _units, people, _keywords = _cast()
        self.people = people
        self.clients = {}
        self.tokens = {}
        for role, user in people.items():
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            self.clients[role] = client
            token, _ = Token.objects.get_or_create(user=user)
            self.tokens[role] = token.key
        self.Role = Role

    def get(self, role, url, *, api=False):
        from django.test import Client

        if api:
            client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        else:
            client = self.clients[role]
        return client.get(url)

    def time(self, label: str, role, url: str, *, api: bool = False, requests: int | None = None) -> Result:
        from django.db import connection, reset_queries

        response = self.get(role, url, api=api)  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"{label}: GET {url} answered {response.status_code}")
        times, cpu = [], []
        queries = 0
        for _ in range(requests or self.requests):
            reset_queries()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = self.get(role, url, api=api)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            queries = len(connection.queries)
            assert response.status_code == 200, (url, response.status_code)
        return Result(label, times, queries, cpu_ms=cpu)


NEXT_HTML = re.compile(r'<a href="([^"]+)"(?: rel="next")?>\s*(?:下一页|Next)')


def html_next(response) -> str | None:
    import html

    match = NEXT_HTML.search(response.content.decode())
    return html.unescape(match.group(1)) if match else None


def walk_api(pages: Pages, role, url: str, to_page: int) -> tuple[str, list[float]]:
    """Follow `next` from page 1 to page `to_page`; the URL of that page and each step's time."""
    times = []
    for _ in range(to_page - 1):
        started = time.perf_counter()
        response = pages.get(role, url, api=True)
        times.append((time.perf_counter() - started) * 1000)
        nxt = response.json()["next"]
        if nxt is None:
            break  # a short list: time its last page
        url = nxt.replace("http://127.0.0.1", "")
    return url, times


def walk_html(pages: Pages, role, url: str, to_page: int) -> tuple[str, list[float]]:
    times = []
    base = url.split("?")[0]
    for _ in range(to_page - 1):
        started = time.perf_counter()
        response = pages.get(role, url)
        times.append((time.perf_counter() - started) * 1000)
        nxt = html_next(response)
        if nxt is None:
            break  # a short list: time its last page
        url = base + nxt if nxt.startswith("?") else nxt
    return url, times


# Every filter of the order list, each with a common and a rare (or absent) value.
def list_filters() -> list[tuple[str, str]]:
    from django.utils import timezone

    from stations.models import Unit
    from tickets.models import Topic

    today = timezone.localdate()
    unit = Unit.objects.get(code="chengguan").pk
    small_unit = Unit.objects.get(code="exit-entry").pk
    topic = Topic.objects.order_by("pk").first().pk
    week_ago = today - dt.timedelta(days=7)
    return [
        ("none", ""),
        ("status=closed", "status=closed"),
        ("status=reported", "status=reported"),
        ("status=sent_back&status=returned", "status=sent_back&status=returned"),
        ("handling_type=consultation", "handling_type=consultation"),
        ("nature=complaint", "nature=complaint"),
        ("nature=suggestion (none)", "nature=suggestion"),
        ("urgency=urgent (rare)", "urgency=urgent"),
        ("urgency=critical (none)", "urgency=critical"),
        ("channel=sms", "channel=sms"),
        ("topic", f"topic={topic}"),
        ("unit (large)", f"unit={unit}"),
        ("unit (small)", f"unit={small_unit}"),
        ("officer (none)", f"officer={Pages_officer_id()}"),
        ("leader_instructed=true", "leader_instructed=true"),
        ("overdue=true", "overdue=true"),
        ("overdue=false", "overdue=false"),
        ("due_before=now", f"due_before={timezone.now().isoformat().replace('+', '%2B')}"),
        ("received last 7 days", f"received_after={week_ago}&received_before={today}"),
        (
            "received one day a year ago",
            f"received_after={today.replace(year=today.year - 1)}&received_before={today.replace(year=today.year - 1)}",
        ),
        ("closed last 7 days", f"closed_after={week_ago}&closed_before={today}"),
        ("platform_number", "platform_number=P-NOT-THERE"),
        ("unit + status=closed", f"unit={unit}&status=closed"),
        ("unit + overdue", f"unit={unit}&overdue=true"),
    ]


def Pages_officer_id() -> int:  # noqa: N802 - a value the filter list needs, looked up late
    from stations.models import User

    return User.objects.get(username="bench-officer").pk


ORDERINGS = ["-received_at", "received_at", "handling_deadline", "-handling_deadline"]


def measure(pages: Pages, *, filters: bool) -> list[Result]:
    from tickets.models import WorkOrder

    Role = pages.Role
    desk_order = WorkOrder.objects.filter(number__startswith=DESK_MARK, status="callback_done").order_by("pk").first()
    old_order = WorkOrder.objects.filter(number__startswith="BN", status="closed").order_by("pk").first()
    results = [
        pages.time("/dispatch/ (dispatcher board)", Role.DISPATCHER, "/dispatch/"),
        pages.time("/dispatch/units/ (board refresh)", Role.DISPATCHER, "/dispatch/units/"),
        pages.time("/overview/ (supervisor)", Role.SUPERVISOR, "/overview/"),
        pages.time("/callbacks/", Role.DISPATCHER, "/callbacks/"),
        pages.time("/review/ (reviewer)", Role.REVIEWER, "/review/"),
        pages.time("/workbench/ (officer)", Role.OFFICER, "/workbench/"),
        pages.time("order detail, open order with records", Role.DISPATCHER, f"/orders/{desk_order.pk}/"),
        pages.time("order detail, closed order", Role.DISPATCHER, f"/orders/{old_order.pk}/"),
        pages.time("order detail, reviewer", Role.REVIEWER, f"/orders/{desk_order.pk}/"),
        pages.time("/orders/ page 1 (dispatcher)", Role.DISPATCHER, "/orders/"),
    ]
    url, _steps = walk_html(pages, Role.DISPATCHER, "/orders/", 51)
    results.append(pages.time("/orders/ page 51 (dispatcher)", Role.DISPATCHER, url))
    results.append(pages.time("/orders/ page 1 (officer)", Role.OFFICER, "/orders/"))
    results.append(pages.time("/orders/?status=closed page 1", Role.DISPATCHER, "/orders/?status=closed"))
    results.append(pages.time("/orders/?overdue=true page 1", Role.DISPATCHER, "/orders/?overdue=true"))
    for role, who in ((Role.DISPATCHER, "dispatcher"), (Role.OFFICER, "officer"), (Role.REVIEWER, "reviewer")):
        results.append(pages.time(f"REST list page 1 ({who})", role, "/api/v1/orders/", api=True))
        url, steps = walk_api(pages, role, "/api/v1/orders/", 51)
        label = f"REST list page {len(steps) + 1 if len(steps) < 50 else 51} ({who})"
        results.append(pages.time(label, role, url, api=True))
    results.append(pages.time("REST detail", Role.DISPATCHER, f"/api/v1/orders/{desk_order.pk}/", api=True))
    if filters:
        results.extend(filter_matrix(pages))
    return results


def filter_matrix(pages: Pages) -> list[Result]:
    """Every filter × every ordering, page 1 and the page after it: a few runs each; the worst."""
    Role = pages.Role
    combos = []
    cpu = []
    for name, query in list_filters():
        for ordering in ORDERINGS:
            url = f"/api/v1/orders/?ordering={ordering}" + (f"&{query}" if query else "")
            response = pages.get(Role.DISPATCHER, url, api=True)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            nxt = response.json()["next"]
            urls = [url] * 3 + ([nxt.replace("http://127.0.0.1", "")] * 2 if nxt else [])
            times = []
            for target in urls:
                started, started_cpu = time.perf_counter(), time.process_time()
                pages.get(Role.DISPATCHER, target, api=True)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            combos.append((f"{name} · {ordering}", times))
    every = [t for _name, times in combos for t in times]
    worst = sorted(combos, key=lambda c: max(c[1]), reverse=True)[:5]
    result = Result(f"REST list, {len(combos)} filter × ordering combinations", every, 0, cpu_ms=cpu)
    result.extra["worst"] = [(name, max(times)) for name, times in worst]
    for name, ms in result.extra["worst"]:
        print(f"    slowest: {name:<60} {ms:8.1f} ms", flush=True)
    return [result]


def report(results_by_size: dict[int, list[Result]]) -> None:
    sizes = sorted(results_by_size)
    labels = [r.label for r in results_by_size[sizes[0]]]
    head = " | ".join(f"{size:,}: p50 / p95 (cpu p50) ms" for size in sizes)
    print()
    print(f"| page | {head} | queries | p95 ratio |")
    print("|---|" + "---:|" * len(sizes) + "---:|---:|")
    for label in labels:
        cells = []
        rows = []
        for size in sizes:
            row = next((r for r in results_by_size[size] if r.label == label), None)
            rows.append(row)
            cells.append(f"{row.p50:.1f} / {row.p95:.1f} ({row.cpu_p50:.1f})" if row else "–")
        queries = " / ".join(str(r.queries) for r in rows if r) if any(r and r.queries for r in rows) else "–"
        ratio = f"{rows[-1].p95 / rows[0].p95:.2f}×" if len(rows) > 1 and rows[0] and rows[-1] else ""
        print(f"| {label} | " + " | ".join(cells) + f" | {queries} | {ratio} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="history sizes, comma-separated")
    parser.add_argument("--database-prefix", default="hotline_bench", help="databases <prefix>_<size>")
    parser.add_argument("--database", help="one database by name (only with a single size)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--no-filters", action="store_true", help="skip the filter × ordering matrix")
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.database and len(sizes) != 1:
        parser.error("--database takes a single size")

    setup_django()
    require_postgresql("bench.pages")
    results: dict[int, list[Result]] = {}
    for size in sizes:
        name = args.database or f"{args.database_prefix}_{size_tag(size)}"
        started = time.perf_counter()
        use_database(name)
        ensure_data(size)
        print(
            f"database {name}: {size:,} history orders; set-up {time.perf_counter() - started:.1f} s; {server_load()}",
            flush=True,
        )
        pages = Pages(args.requests)
        results[size] = measure(pages, filters=not args.no_filters)
        for r in results[size]:
            print(
                f"  {r.label:<58} p50 {r.p50:8.1f} ms   p95 {r.p95:8.1f} ms   cpu p50 {r.cpu_p50:7.1f} ms"
                f"   {r.queries:4d} queries",
                flush=True,
            )
        print(f"  ({server_load()})", flush=True)
    report(results)
    if args.drop:
        from bench._db import drop_database

        for size in sizes:
            drop_database(args.database or f"{args.database_prefix}_{size_tag(size)}")
    return 0


def size_tag(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
