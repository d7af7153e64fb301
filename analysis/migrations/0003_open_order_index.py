"""Partial covering indexes for the live part of the figures: open orders, returns.

With the daily roll-up filled, the figures count live only the orders not settled; most of them
are not closed (`stats.live_parts`). This index holds exactly those (and no merged duplicate), with
every column the figures, the trend and the breakdowns read, so PostgreSQL answers them with an
index-only scan instead of fetching scattered rows of the orders table. The returns (审核退回)
made in a period are read from a partial index on returned reviews (a twentieth of the reviews).
PostgreSQL only (INCLUDE); built CONCURRENTLY so a deploy does not block intake.
"""

from django.db import migrations

INDEX = "analysis_open_order_idx"
RETURNS_INDEX = "analysis_returned_review_idx"
COLUMNS = (
    "id, status, received_at, handling_deadline, contact_deadline, contacted_at, reported_at, reviewed_at, "
    "closed_at, callback_at, outcome, handling_minutes, handling_type, topic_id, channel"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("tickets", "WorkOrder")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} (unit_id) INCLUDE ({COLUMNS}) "
        "WHERE status <> 'closed' AND merged_into_id IS NULL"
    )
    reviews = apps.get_model("tickets", "Review")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {RETURNS_INDEX} ON {reviews} (created_at) INCLUDE (order_id) "
        "WHERE decision = 'returned'"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RETURNS_INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("analysis", "0002_rollup_and_exports"),
        ("tickets", "0004_stats_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
