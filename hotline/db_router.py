"""Send the analysis reads to a read replica when one is configured (`DATABASE_REPLICA_URL`).

Bulletins, dashboards, hotspots and exports read a great deal and write almost nothing; on a busy
bureau they belong on a streaming replica, away from the dispatch desk's writes (Saleor routes
its reads the same way, with a router and a `replica` alias). What goes there:

- inside `replica_reads()`: reads of the work-order data (tickets, supervision, analysis,
  stations except the user model). `ReplicaReadsMiddleware` opens it for GET and HEAD requests
  under `HOTLINE_REPLICA_PATHS` (the analysis pages and their API); a Celery task wraps its
  reading part in it (`with replica_reads(): …`).
- never: any write, any read outside that block, and the user, session, token and permission
  tables (a user who just signed in must not be signed out by replication lag).

Without a `replica` alias every query goes to `default`, as before. The replica is a physical
copy: nothing is migrated on it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
# Apps whose tables may be read from the replica (the user model is excluded below).
REPLICA_APPS = frozenset({"tickets", "supervision", "analysis", "stations"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("hotline_replica_reads", default=False)


def replica_alias() -> str | None:
    """The alias reads are sent to (`HOTLINE_READ_REPLICA`, set when DATABASE_REPLICA_URL is), or None."""
    return getattr(settings, "HOTLINE_READ_REPLICA", None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of the work-order data go to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None or not _replica_reads.get():
            return None
        meta = model._meta
        if meta.app_label not in REPLICA_APPS or meta.label == settings.AUTH_USER_MODEL:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA and db != replica_alias()


class ReplicaReadsMiddleware:
    """Serve the analysis pages' GET and HEAD requests from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info.startswith(tuple(settings.HOTLINE_REPLICA_PATHS)):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
