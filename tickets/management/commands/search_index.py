"""Fill the search document of the orders that have none (rows older than the search index).

    python manage.py search_index              # the rows not indexed yet, in batches
    python manage.py search_index --rebuild    # every row again (after changing tickets/textindex.py)

Safe while the site runs and resumable: each batch is its own short transaction, and a stopped
run continues where it left off (the work list is `search_vector IS NULL`, from the partial index
`order_search_pending_idx`). Intake fills the document of every new order itself.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from tickets import textindex
from tickets.models import WorkOrder

UPDATE_BATCH = """
UPDATE tickets_workorder AS o SET search_vector = v.vector::tsvector
FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS vector) AS v
WHERE o.id = v.id
"""


class Command(BaseCommand):
    help = "Compute the search document (jieba words and bigrams) of orders that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="orders per transaction (default 1000)")
        parser.add_argument("--rebuild", action="store_true", help="recompute every order, not only the missing")

    def handle(self, *args, batch_size: int, rebuild: bool, **options) -> None:
        textindex.warm_up()
        orders = WorkOrder.objects.all() if rebuild else WorkOrder.objects.filter(search_vector__isnull=True)
        total = orders.count()
        self.stdout.write(f"{total} orders to index")
        done, last, started = 0, 0, time.monotonic()
        while True:
            rows = list(orders.filter(pk__gt=last).order_by("pk").values_list("pk", "content", "address")[:batch_size])
            if not rows:
                break
            ids = [pk for pk, _content, _address in rows]
            vectors = [textindex.document_vector(content=content, address=address) for _pk, content, address in rows]
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(UPDATE_BATCH, [ids, vectors])
                else:
                    for pk, vector in zip(ids, vectors, strict=True):
                        WorkOrder.objects.filter(pk=pk).update(search_vector=vector)
            done += len(rows)
            last = ids[-1]
            if options["verbosity"] > 1 or done % (batch_size * 50) < batch_size or done == total:
                rate = done / max(time.monotonic() - started, 1e-9)
                self.stdout.write(f"{done}/{total} indexed ({rate:.0f} a second)")
        self.stdout.write(self.style.SUCCESS(f"done: {done} orders indexed in {time.monotonic() - started:.0f} s"))
        # (CONCURRENTLY, so intake goes on meanwhile; it cannot run inside a transaction.)
        if done and not rebuild and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The work list's partial index is empty now but keeps the pages it had: a search
            # scans all of them (10 ms after a million). Rebuilt, it is one page again.
            with connection.cursor() as cursor:
                cursor.execute("REINDEX INDEX CONCURRENTLY order_search_pending_idx")
