"""The benchmark's own database: created (if it may) and migrated by name, never via Django's test runner.

`connection.creation.create_test_db()` serialises the whole database into memory for the test
runner's rollback emulation (6.3 GB for a million orders with `--keep`) and insists on a
`test_` name. A benchmark needs neither: it points the default connection at a named database
on the configured server, creates it when it is missing and the user may, and migrates it.
"""

from __future__ import annotations

import os
import re
import sys

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Order events must not try to reach a broker while the benchmark writes orders.
    os.environ.setdefault("SUPERVISION_EVENT_TASKS", "0")
    import django

    django.setup()


def require_postgresql(prog: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{prog} needs PostgreSQL: set DATABASE_URL=postgres://…")


def database_exists(name: str) -> bool:
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def use_database(name: str, *, migrate: bool = True) -> bool:
    """Point the default connection at database `name`; create it if missing. True if created.

    Creating needs the CREATEDB privilege; without it, create the database once by hand
    (`createdb NAME`) and pass its name.
    """
    from django.conf import settings
    from django.db import connection

    if not NAME_RE.match(name):
        raise SystemExit(f"database name must be a plain lower-case identifier: {name!r}")
    created = False
    if not database_exists(name):
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        created = True
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return created


def drop_database(name: str) -> None:
    from django.db import connection

    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def server_load() -> str:
    """The machine's load average, printed beside every timing (the cores are shared)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load n/a"
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f}"
