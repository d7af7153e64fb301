"""The trigram indexes of the number search, back where an earlier upgrade dropped them.

`0005_order_indexes` dropped every single-column index on `number`, `platform_number` and
`caller_phone` that the models do not declare, meaning Django's old automatic ones; when
`0005_search` had run first, that took its GIN trigram indexes too, and a search by any part of an
order number read the whole table (about a second at a million orders). `0005_order_indexes` now
spares them; this puts them back on databases that lost them (IF NOT EXISTS: nothing happens
where they are there), CONCURRENTLY so the table keeps taking orders meanwhile.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "order_number_trgm_idx": "number",
    "order_platform_number_trgm_idx": "platform_number",
    "order_caller_phone_trgm_idx": "caller_phone",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_workorder USING gin ({column} gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("tickets", "0009_merge_signed_for"),
    ]

    # Back: the indexes stay; 0005_search, unapplied, drops them.
    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
