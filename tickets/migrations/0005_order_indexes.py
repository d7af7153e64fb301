# Indexes of the work order for the pages and the order list at a million orders (issue #12).
#
# What goes, and why (at 1,000,000 orders the table had 21 indexes, 420 MB for 328 MB of rows):
# - `status` and its `varchar_pattern_ops` copy: `(status, received_at)` serves every status lookup.
# - `unit_id` and `(unit_id, status)`: `(unit_id, received_at)` serves the foreign key, an officer's
#   order list newest first, and the unit filter; the unit's open work has a partial index below.
# - the `varchar_pattern_ops` copies of `number`, `platform_number` and `caller_phone`: no query
#   compares them with LIKE 'prefix%' (the search's `icontains` cannot use them either); the
#   unique constraints and a plain index on `caller_phone` stay.
# - `officer_id`, `merged_into_id`: almost always empty; partial indexes on the rows that have one.
# - `tickets_orderevent.order_id`: `(order_id, created_at)` serves every lookup by order.
# What comes: the partial indexes of the queues (a few thousand rows each), `(unit_id,
# received_at)`, and small deduplicated indexes on `urgency` and `nature` so a rare value of
# those list filters is found without reading the table. `python -m bench.indexes` prints the
# plan of the query each index serves.
#
# Safe on a live database: on PostgreSQL every index is built and dropped CONCURRENTLY (the
# migration is not atomic for that reason), new indexes before the ones they replace, so no query
# is left without its index and writes are never blocked. Rows are not touched.

from django.conf import settings
from django.db import migrations, models

# (table, column): every non-unique single-column index on it that Meta.indexes does not
# declare goes (Django's automatic index of a field and its `_like` copy).
REPLACED = [
    ("tickets_workorder", "status"),
    ("tickets_workorder", "caller_phone"),
    ("tickets_workorder", "unit_id"),
    ("tickets_workorder", "officer_id"),
    ("tickets_workorder", "merged_into_id"),
    ("tickets_workorder", "number"),
    ("tickets_workorder", "platform_number"),
    ("tickets_orderevent", "order_id"),
]


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


class AddIndexOnline(migrations.AddIndex):
    """AddIndex, built CONCURRENTLY on PostgreSQL (writes go on meanwhile); plain elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            # A concurrent build that failed (or was cancelled) leaves an invalid index of this
            # name behind; the index is new here, so any such leftover goes before building.
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.index.name)}")
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class RemoveIndexOnline(migrations.RemoveIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.remove_index(model, index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            schema_editor.add_index(model, index, concurrently=True)


def drop_replaced_indexes(apps, schema_editor):
    connection = schema_editor.connection
    declared = {index.name for model in apps.get_app_config("tickets").get_models() for index in model._meta.indexes}
    for table, column in REPLACED:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            # Only Django's automatic B-tree indexes: the search's GIN trigram indexes on the same
            # columns (0005_search, which may run first) serve other queries and stay.
            if (
                info["index"]
                and info.get("type") == "btree"
                and not name.endswith("_trgm_idx")
                and not info["unique"]
                and not info["primary_key"]
                and info["columns"] == [column]
                and name not in declared
            ):
                quoted = schema_editor.quote_name(name)
                schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {quoted}")


def restore_replaced_indexes(apps, schema_editor):
    """Back to Django's automatic indexes, with the names Django gives them."""
    order = apps.get_model("tickets", "WorkOrder")
    event = apps.get_model("tickets", "OrderEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    for model, name in [
        (order, "status"),
        (order, "caller_phone"),
        (order, "unit"),
        (order, "officer"),
        (order, "merged_into"),
        (event, "order"),
    ]:
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(name)]))
    if postgresql:
        for name in ("status", "caller_phone", "number", "platform_number"):
            field = order._meta.get_field(name)
            like = schema_editor._create_index_sql(
                order, fields=[field], suffix="_like", opclasses=["varchar_pattern_ops"]
            )
            schema_editor.execute(like)


def _index(**kwargs):
    return AddIndexOnline(model_name="workorder", index=models.Index(**kwargs))


WORK = ("dispatched", "contacted", "returned")


class Migration(migrations.Migration):
    # CREATE / DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("stations", "0002_initial"),
        ("tickets", "0004_stats_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # New indexes first: the queries move over before the old indexes go.
        _index(fields=["unit", "received_at"], name="order_unit_received_idx"),
        _index(fields=["handling_deadline", "unit"], condition=models.Q(status__in=WORK), name="order_open_work_idx"),
        _index(
            fields=["dispatched_at", "unit"],
            condition=models.Q(status="sent_back"),
            name="order_sent_back_idx",
        ),
        _index(fields=["reported_at"], condition=models.Q(status="reported"), name="order_review_queue_idx"),
        _index(fields=["reviewed_at"], condition=models.Q(status="approved"), name="order_callback_queue_idx"),
        _index(fields=["callback_at"], condition=models.Q(status="callback_done"), name="order_close_queue_idx"),
        _index(
            fields=["unit", "updated_at"],
            condition=models.Q(status__in=["reported", "sent_back"]),
            name="order_unit_waiting_idx",
        ),
        _index(fields=["caller_phone"], name="order_caller_phone_idx"),
        _index(fields=["urgency"], name="order_urgency_idx"),
        _index(fields=["nature"], name="order_nature_idx"),
        _index(fields=["received_at"], condition=models.Q(leader_instructed=True), name="order_leader_idx"),
        _index(fields=["officer"], condition=models.Q(officer__isnull=False), name="order_officer_idx"),
        _index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False), name="order_merged_into_idx"),
        # Then the ones they replace. The fields lose `db_index` in the model state only: the
        # database drops the indexes by name (an AlterField of a foreign key would drop and
        # re-validate the constraint over the whole table).
        RemoveIndexOnline(model_name="workorder", name="order_unit_status_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="orderevent",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="events",
                        to="tickets.workorder",
                        verbose_name="工单",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="caller_phone",
                    field=models.CharField(max_length=30, verbose_name="来电号码"),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="merged_orders",
                        to="tickets.workorder",
                        verbose_name="并入工单",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="officer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="handled_orders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="承办民警",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("received", "待转办"),
                            ("dispatched", "已转办"),
                            ("contacted", "已联系"),
                            ("reported", "已上报"),
                            ("returned", "退回"),
                            ("approved", "审核通过"),
                            ("callback_done", "已回访"),
                            ("closed", "办结"),
                            ("sent_back", "退单待审"),
                            ("merged", "已并单"),
                        ],
                        default="received",
                        max_length=15,
                        verbose_name="状态",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="orders",
                        to="stations.unit",
                        verbose_name="承办单位",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_replaced_indexes, restore_replaced_indexes)],
        ),
    ]
