"""Benchmark: import of a platform export of 10,000 orders, twice (the second creates nothing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench.imports [--rows 10000] [--keep]

Uses its own database `hotline_bench_import` (created and migrated when missing; dropped at the
end unless --keep). Writes the workbook with openpyxl write_only in the platform's layout
(tests/connector/platform_export.py), then times the upload's preview (`import_job_create`)
and the import as the worker runs it (`import_run`, one slice a call, as the Celery task),
twice. Prints the times and checks that the second import created nothing.

Measured (2 shared cores, load ~2.5): 10,000 rows — preview 1.5 s, import 46 s in 5 slices;
again — preview 2.1 s (10,000 known), import 14 s, nothing created.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench._db import drop_database, require_postgresql, server_load, setup_django, use_database

DATABASE = "hotline_bench_import"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args(argv)
    setup_django()
    require_postgresql(parser.prog)
    use_database(DATABASE)
    try:
        return _run(args.rows)
    finally:
        if not args.keep:
            drop_database(DATABASE)


def _run(rows: int) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from connector.models import ImportJob, ImportMapping, ImportStatus
    from connector.services import imports
    from stations.models import Role, Unit, UnitKind, User
    from tests.connector.platform_export import CODE_MAP, COLUMN_MAP, row, xlsx
    from tickets.models import Topic, WorkOrder

    # The benchmark is the worker: it runs each slice itself instead of queuing the next one.
    imports._enqueue = lambda job_id: None
    Topic.objects.get_or_create(code="noise", defaults={"name": "噪音扰民"})
    unit, _ = Unit.objects.get_or_create(
        code="bench-command", defaults={"name": "指挥中心", "kind": UnitKind.COMMAND_CENTER}
    )
    user, _ = User.objects.get_or_create(
        username="bench-import", defaults={"role": Role.DISPATCHER, "unit": unit, "full_name": "值班员"}
    )
    mapping = ImportMapping.objects.create(name="bench", column_map=COLUMN_MAP, code_map=CODE_MAP)
    started = time.monotonic()
    content = xlsx([row(n, prefix="BENCH") for n in range(1, rows + 1)])
    print(f"{rows} rows: workbook {len(content) / 1e6:.1f} MB written in {time.monotonic() - started:.1f}s")

    for attempt in (1, 2):
        started = time.monotonic()
        job = imports.import_job_create(mapping=mapping, upload=SimpleUploadedFile("x.xlsx", content), acting_user=user)
        previewed = time.monotonic()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
        job.refresh_from_db()
        slices = 0
        while job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            job = imports.import_run(job_id=job.pk)
            slices += 1
        done = time.monotonic()
        print(
            f"import {attempt}: preview {previewed - started:.1f}s (new {job.preview_new}, known {job.preview_known}),"
            f" import {done - previewed:.1f}s in {slices} slices (created {job.created_count},"
            f" existing {job.existing_count}, failed {job.failed_count}); {server_load()}",
            flush=True,
        )
    orders = WorkOrder.objects.filter(platform_number__startswith="BENCH").count()
    print(f"orders with a BENCH platform number: {orders}")
    return 0 if orders == rows and job.created_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
