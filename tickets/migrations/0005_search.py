"""Search (issue #12) and related orders (issue #16).

Adds `WorkOrder.search_vector` (NULL: filled by intake from now on, and for the existing rows by
`python manage.py search_index`, in batches, while the site runs) and `related_orders`. On
PostgreSQL it also creates `pg_trgm` and the search indexes. They are built CONCURRENTLY (this
migration is not atomic), so a table of a million orders keeps taking new orders while they build;
they are not part of the model state, because SQLite can build none of them.

The GIN index on `search_vector` is built while the column is still empty, so it costs nothing
here; `search_index` fills it. Until then the search reads the rows not yet indexed the old way
(LIKE), through the small partial index `order_search_pending_idx`, so no order goes missing.
"""

import django.contrib.postgres.search
from django.db import migrations, models


class PostgresOnly(migrations.RunSQL):
    """Raw SQL that runs on PostgreSQL and is skipped elsewhere (SQLite in development and tests)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def concurrent_index(name: str, definition: str) -> PostgresOnly:
    return PostgresOnly(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_workorder {definition}",
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
    )


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("tickets", "0004_stats_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="related_orders",
            field=models.ManyToManyField(blank=True, to="tickets.workorder", verbose_name="关联工单"),
        ),
        migrations.AddField(
            model_name="workorder",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True, verbose_name="检索向量"
            ),
        ),
        # Left in place on the way back: other database objects may use it.
        PostgresOnly("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        # Words of content and address (tickets/textindex.py).
        concurrent_index("order_search_vector_idx", "USING gin (search_vector)"),
        # Rows whose vector is not computed yet: the backfill's work list, and the search's fallback.
        concurrent_index("order_search_pending_idx", "(id) WHERE search_vector IS NULL"),
        # Any part of a number (LIKE / ILIKE '%…%'), and similar addresses.
        concurrent_index("order_number_trgm_idx", "USING gin (number gin_trgm_ops)"),
        concurrent_index("order_platform_number_trgm_idx", "USING gin (platform_number gin_trgm_ops)"),
        concurrent_index("order_caller_phone_trgm_idx", "USING gin (caller_phone gin_trgm_ops)"),
        concurrent_index("order_address_trgm_idx", "USING gin (address gin_trgm_ops)"),
        # A caller's name from its first characters (王 → 王女士), LIKE '王%'.
        concurrent_index("order_caller_name_prefix_idx", "(caller_name varchar_pattern_ops)"),
    ]
