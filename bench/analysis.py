"""Benchmark: dashboards, hotspots and the bulletin at 10,000 and 1,000,000 orders, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline python -m bench.analysis [--sizes 10000,1000000]

For each size it uses a scratch database of its own (`test_<name>_analysis_<size>`), loads the
orders with the loader of `bench.bulletins` (skipped when the database already holds that many:
`--keep` keeps them for the next run), backfills the daily roll-up (`analysis_rollup --rebuild`,
timed), then times every page's data `--repeat` times and prints p50 and p95 per size:

- "live" is the code path without the roll-up (every figure counted from the orders, as before
  the roll-up existed); "roll-up" is the path the pages take once beat has filled it;
- hotspots are timed with the grouped query the page uses and with the former correlated subquery;
- the bulletin PDF is rendered in-process (what the worker does), with its peak memory.

The load of the machine is printed with the results: timings on two cores shared with other
work vary, compare the columns of one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ.setdefault("DEBUG", "1")


def _percentiles(runs: list[float]) -> tuple[float, float]:
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm: the first run reads from disk and plans
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return _percentiles(runs)


def _without_rollup(fn):
    """Run `fn` as the code ran before the roll-up: every figure counted live."""
    from unittest import mock

    def run():
        with mock.patch("analysis.stats.rollup_boundary", return_value=None):
            return fn()

    return run


def _correlated_hotspots(week, level):
    """The former hotspot query: the area of each order by a correlated subquery."""
    from django.db.models import Count
    from django.db.models.functions import TruncWeek

    from analysis.hotspots import SurgeRule, with_area
    from tickets.models import WorkOrder
    from tickets.workcalendar import bureau_tz

    rule = SurgeRule.from_settings()
    first = week.shifted(-rule.baseline_weeks)
    orders = WorkOrder.objects.filter(received_at__gte=first.start_at, received_at__lt=week.end_at)
    return list(
        with_area(orders, level)
        .annotate(week=TruncWeek("received_at", tzinfo=bureau_tz()))
        .values("topic_id", "area", "week")
        .annotate(n=Count("id"))
        .order_by()
    )


def cases() -> list[tuple[str, object]]:
    from django.utils import timezone

    from analysis.bulletins import bulletin_snapshot
    from analysis.dashboards import dashboard_data
    from analysis.hotspots import hotspot_table
    from analysis.models import AreaLevel
    from analysis.periods import local_date, previous_week, week_containing
    from stations.models import Unit

    now = timezone.now()
    week = previous_week(now)
    this_week = week_containing(local_date(now))
    unit = Unit.objects.filter(code="chengguan").first()
    supervisor = lambda: dashboard_data(now=now)  # noqa: E731
    unit_page = lambda: dashboard_data(unit=unit, now=now)  # noqa: E731
    snapshot = lambda: bulletin_snapshot(week, now)  # noqa: E731
    pages = _pages(unit, week)
    return [
        *pages,
        ("supervisor dashboard (YTD, trend, breakdowns, load), live", _without_rollup(supervisor)),
        ("supervisor dashboard, roll-up", supervisor),
        ("unit dashboard, live", _without_rollup(unit_page)),
        ("unit dashboard, roll-up", unit_page),
        ("bulletin snapshot (one week), live", _without_rollup(snapshot)),
        ("bulletin snapshot (one week), roll-up", snapshot),
        ("hotspots topic × station, correlated subquery", lambda: _correlated_hotspots(this_week, AreaLevel.STATION)),
        ("hotspots topic × station, grouped", lambda: hotspot_table(this_week, AreaLevel.STATION)),
        ("hotspots topic × place, correlated subquery", lambda: _correlated_hotspots(this_week, AreaLevel.PLACE)),
        ("hotspots topic × place, grouped", lambda: hotspot_table(this_week, AreaLevel.PLACE)),
    ]


def _pages(unit, week) -> list[tuple[str, object]]:
    """The pages as a person gets them (rendered HTML through the whole Django stack), logged in as
    a supervisor; the dashboards with the roll-up and, for comparison, counted live."""
    from django.test import Client
    from django.urls import reverse

    from analysis.bulletins import bulletin_generate
    from stations.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-supervisor"))
    bulletin = bulletin_generate(start=week.start, end=week.end, automatic=True)

    def get(url):
        def fetch():
            response = client.get(url, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    dashboard = get(reverse("analysis:dashboard"))
    unit_page = get(reverse("analysis:unit_dashboard", kwargs={"unit_id": unit.pk}))
    return [
        ("page /analysis/dashboard/, live", _without_rollup(dashboard)),
        ("page /analysis/dashboard/, roll-up", dashboard),
        ("page /analysis/dashboard/units/<id>/, live", _without_rollup(unit_page)),
        ("page /analysis/dashboard/units/<id>/, roll-up", unit_page),
        ("page /analysis/hotspots/ (table, surges, repeats)", get(reverse("analysis:hotspots"))),
        ("page /analysis/bulletins/<id>/ (last week)", get(reverse("analysis:bulletin", kwargs={"pk": bulletin.pk}))),
    ]


def render_pdf() -> tuple[float, int, int]:
    """Generate last week's bulletin and render its PDF as the worker does: seconds, bytes, peak RSS MB."""
    from analysis.bulletins import bulletin_generate
    from analysis.exports import export_render
    from analysis.models import ExportFormat
    from analysis.periods import previous_week

    week = previous_week()
    bulletin = bulletin_generate(start=week.start, end=week.end, automatic=True)
    start = time.perf_counter()
    job = export_render(bulletin=bulletin, fmt=ExportFormat.PDF, force=True)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return elapsed, job.file.size, peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="orders per database, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per case after a warm-up (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases and reuse their data")
    parser.add_argument("--pdf", action="store_true", help="also render last week's bulletin PDF (slow at 1M)")
    parser.add_argument("--only", default="", help="time only the cases whose label contains this text")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.bulletins import counts, load

    if connection.vendor != "postgresql":
        print("bench.analysis needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    base = connection.settings_dict["NAME"]
    results: dict[int, dict[str, tuple[float, float]]] = {}
    extras: dict[int, str] = {}
    for size in sizes:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{base}_analysis_{size}"
        connection.close()
        # serialize=False: serializing a kept million-order database takes gigabytes and minutes.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
        try:
            if counts()["orders"] != size:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "TRUNCATE tickets_callback, tickets_review, tickets_report, tickets_workorder CASCADE"
                    )
                load(size)
            start = time.perf_counter()
            call_command("analysis_rollup", "--rebuild", stdout=open(os.devnull, "w"))  # noqa: SIM115
            backfill = time.perf_counter() - start
            start = time.perf_counter()
            call_command("analysis_rollup", "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115
            check = time.perf_counter() - start
            extras[size] = f"roll-up backfill {backfill:.1f} s, check {check:.2f} s"
            print(f"{size:,} orders: {extras[size]}; load {os.getloadavg()[0]:.1f}", flush=True)
            results[size] = {}
            for label, fn in cases():
                if args.only not in label:
                    continue
                results[size][label] = _time(fn, args.repeat)
                p50, p95 = results[size][label]
                print(f"  {label:<58} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms", flush=True)
            if args.pdf:
                seconds, size_bytes, peak = render_pdf()
                extras[size] += f"; bulletin PDF {seconds:.1f} s, {size_bytes / 1e6:.1f} MB, worker peak RSS {peak} MB"
                print(f"  {extras[size]}", flush=True)
        finally:
            connection.creation.destroy_test_db(base, verbosity=0, keepdb=args.keep)
    print(f"\nload average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f} (2 cores)")
    header = "| what | " + " | ".join(f"{s:,} p50 / p95" for s in sizes) + " |"
    print(header)
    print("|---|" + "---:|" * len(sizes))
    for label in results[sizes[0]]:
        cells = [f"{results[s][label][0]:.0f} / {results[s][label][1]:.0f} ms" for s in sizes]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for size in sizes:
        print(f"{size:,}: {extras[size]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
