"""Named sequences: the daily order-number counter and the yearly notice numbers.

Order numbers are the prefix, the local date and that day's sequence number: GD202611260001.
On PostgreSQL the day's number comes from a sequence of that day (`tickets_order_seq_20261126`):
`nextval()` never waits for another transaction, so concurrent intakes do not queue behind one
counter row held until each commits. The price is gaps: a number taken by an intake that then
fails (a refused dispatch at the desk, a duplicate platform order that lost a race) is not given
again. Order numbers identify an order; they are not an accounting series, and nothing counts
orders by their number, so a gap is harmless. On SQLite, which writes one transaction at a time
anyway, the `Counter` row is used as before (no gaps there).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from ..models import Counter, WorkOrder

ORDER_SEQUENCE_PREFIX = "tickets_order_seq_"

# The days whose sequence this process has seen exist.
_ready: set[str] = set()


def next_counter(key: str) -> int:
    """The next value of a named sequence. Safe under concurrency: the row is locked."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(key=key).value


def _order_day(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y%m%d")


def next_order_number(now: dt.datetime) -> str:
    day = _order_day(now)
    # SQLite writes one transaction at a time anyway: the counter row costs it nothing.
    seq = _next_in_day_sequence(day) if connection.vendor == "postgresql" else next_counter(f"order:{day}")
    return f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}{seq:04d}"


def _next_in_day_sequence(day: str) -> int:
    name = ORDER_SEQUENCE_PREFIX + day
    if name not in _ready:
        _ensure_day_sequence(name, day)
        _ready.add(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _ensure_day_sequence(name: str, day: str) -> None:
    """Create the day's sequence, starting after any number already given that day.

    On a connection of its own, in autocommit: the sequence exists for everybody at once, and
    an intake transaction that rolls back cannot take the day's sequence back with it.
    """
    side = connections.create_connection(connection.alias)  # a new connection, not the request's
    try:
        with side.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                return
            start = _last_number_of_day(cursor, day) + 1
            # Another process creating it at the same moment makes this CREATE fail once the winner
            # commits: the sequence exists, which is all we need.
            with contextlib.suppress(DatabaseError):
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {side.ops.quote_name(name)} START WITH {start:d}")
    finally:
        side.close()


def _last_number_of_day(cursor, day: str) -> int:
    """The highest sequence number given on `day` so far (orders made before the sequence, or by
    the counter of an earlier release), whatever the prefix; 0 when none."""
    prefix = settings.HOTLINE_ORDER_NUMBER_PREFIX + day
    # A range on the unique index (LIKE 'x%' alone cannot use it outside the C collation); a day
    # may pass 9999 orders, so the longest number is the highest.
    cursor.execute(
        "SELECT number FROM tickets_workorder WHERE number >= %s AND number < %s AND number LIKE %s "
        "ORDER BY length(number) DESC, number DESC LIMIT 1",
        [prefix, prefix + "\uffff", prefix.replace("%", r"\%").replace("_", r"\_") + "%"],
    )
    row = cursor.fetchone()
    tail = row[0][len(prefix) :] if row else ""
    highest = int(tail) if tail.isdigit() else 0
    cursor.execute("SELECT value FROM tickets_counter WHERE key = %s", [f"order:{day}"])
    row = cursor.fetchone()
    return max(highest, row[0] if row else 0)


def order_sequences_purge(*, keep_days: int = 7) -> int:
    """Drop the order-number sequences of days more than `keep_days` ago; how many were dropped."""
    if connection.vendor != "postgresql":
        return 0
    oldest = (timezone.localdate() - dt.timedelta(days=keep_days)).strftime("%Y%m%d")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema() AND c.relname LIKE %s",
            [ORDER_SEQUENCE_PREFIX.replace("_", r"\_") + "%"],
        )
        old = [name for (name,) in cursor.fetchall() if name[len(ORDER_SEQUENCE_PREFIX) :] < oldest]
        for name in old:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)}")
            _ready.discard(name)
    return len(old)


def order_counter_catch_up(now: dt.datetime) -> int:
    """Move the day's source of order numbers (its sequence on PostgreSQL, else the counter row)
    up to the highest number already used that day.

    The source can fall behind the orders (a counter set back by hand, a restore from an older
    backup); the next number then collides with the unique constraint. Returns its value afterwards.
    """
    day = _order_day(now)
    prefix = f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}"
    # Sequences grow past four digits on a very busy day: the longest number is the highest.
    used = (
        WorkOrder.objects.filter(number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
    )
    highest = next((int(n[len(prefix) :]) for n in used if n[len(prefix) :].isdigit()), 0)
    if connection.vendor == "postgresql":
        # The day's numbers come from its sequence: move it past the highest number used.
        name = ORDER_SEQUENCE_PREFIX + day
        _next_in_day_sequence(day)  # makes sure it exists
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM " + connection.ops.quote_name(name) + ")))",
                [name, highest],
            )
            return cursor.fetchone()[0]
    key = f"order:{day}"
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key, value__lt=highest).update(value=highest)
        return Counter.objects.get(key=key).value
