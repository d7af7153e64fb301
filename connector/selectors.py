"""Reading the change feed.

Why no late commit is ever skipped. An id (or a sequence) is taken when a row is inserted, not when
its transaction commits: a transition that inserted entry 41 and commits after the one that
inserted 42 would be skipped by a reader that saw 42 and moved its cursor past it. So entries are
ordered by the id of the transaction that wrote them (`txid`, `pg_current_xact_id()`), and a reader
only returns entries below the xmin of its snapshot (`pg_snapshot_xmin(pg_current_snapshot())`):
every transaction with a smaller id has ended, so no entry can still appear below the cursor.
Entries of a transaction still running wait (at most that transaction's length) and then come in
their place. An aborted transaction's entries were never visible. The order is that of the
transaction ids, a total order consistent across readers; within one transaction, by id.

On SQLite (the demo) one writer at a time holds the database until it commits, so ids are given
in commit order: `txid` is 0 and the cursor is the id.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from stations.models import Role
from supervision.selectors import notices_visible_to
from tickets.selectors import orders_visible_to

from .models import FeedEntry, ImportJob, ReplyFile

MAX_LIMIT = 500
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    txid: int = 0
    id: int = 0

    def encode(self) -> str:
        return f"{self.txid}-{self.id}"


def decode_cursor(raw: str | None) -> Cursor | None:
    """The cursor a client sent back; None when it is not one of ours."""
    if not raw:
        return Cursor()
    txid, sep, pk = raw.partition("-")
    if not sep or not txid.isascii() or not pk.isascii() or not txid.isdigit() or not pk.isdigit() or len(raw) > 60:
        return None
    if int(txid) > BIGINT_MAX or int(pk) > BIGINT_MAX:
        return None
    return Cursor(int(txid), int(pk))


def settled_entries() -> QuerySet[FeedEntry]:
    """Entries no transaction still running can come before."""
    entries = FeedEntry.objects.all()
    if connection.vendor == "postgresql":
        # Below the oldest running transaction; or written by the reader's own transaction (which
        # counts as running, but whose rows it sees: only a reader that also writes, as a test does).
        entries = entries.filter(
            Q(txid__lt=RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", []))
            | Q(txid=RawSQL("pg_current_xact_id_if_assigned()::text::bigint", []))
        )
    return entries


def feed_page(user, *, after: Cursor, limit: int = 100) -> tuple[list[FeedEntry], Cursor]:
    """The next events `user` may see after `after`, and the cursor to ask from next."""
    limit = max(1, min(limit, MAX_LIMIT))
    visible = Q(order__in=orders_visible_to(user).values("pk")) | Q(notice__in=notices_visible_to(user).values("pk"))
    entries = list(
        settled_entries()
        .filter(Q(txid__gt=after.txid) | Q(txid=after.txid, id__gt=after.id))
        .filter(visible)
        .select_related("order_event__actor", "order_event__order", "notice_event__actor", "notice_event__notice")
        .order_by("txid", "id")[:limit]
    )
    cursor = Cursor(entries[-1].txid, entries[-1].id) if entries else after
    return entries, cursor


def reply_files_visible_to(user) -> QuerySet[ReplyFile]:
    """The daily reply files: the dispatch desk's (it uploads them to the platform) and administrators'."""
    files = ReplyFile.objects.select_related("connection")
    if user is None or not user.is_authenticated or not user.is_active:
        return files.none()
    if user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMINISTRATOR):
        return files
    return files.none()


def import_jobs_recent() -> QuerySet[ImportJob]:
    """The dispatch desk's uploads, newest first, without their (large) previews."""
    return ImportJob.objects.select_related("mapping", "uploaded_by").defer("preview", "errors")
