"""The read replica: analysis reads go to `replica` when it is configured, everything else to `default`.

The tests add a second alias, `replica`, with its own connection to the test database (what a
streaming replica is: the same committed data behind another connection), and look at which
connection each query went through.
"""

from __future__ import annotations

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline.db_router import REPLICA, replica_reads
from stations.models import Unit, User
from tests.factories import WorkOrderFactory
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica(transactional_db, settings):
    """A second alias, `replica`, with its own connection to the test database, as
    DATABASE_REPLICA_URL would add one (settings set HOTLINE_READ_REPLICA to it)."""
    connection = connections.create_connection("default")
    connection.alias = REPLICA
    setattr(connections._connections, REPLICA, connection)
    settings.HOTLINE_READ_REPLICA = REPLICA
    try:
        yield connection
    finally:
        connection.close()
        delattr(connections._connections, REPLICA)


TABLES = ("tickets_workorder", "stations_user", "django_session")


def tables(queries) -> set[str]:
    return {table for q in queries for table in TABLES if table in q["sql"]}


def test_reads_inside_replica_reads_go_to_the_replica(replica):
    order = WorkOrderFactory()
    default = connections["default"]
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(default) as on_default, replica_reads():
        assert WorkOrder.objects.get(pk=order.pk).number == order.number
    assert "tickets_workorder" in tables(on_replica.captured_queries)
    assert "tickets_workorder" not in tables(on_default.captured_queries)


def test_writes_inside_replica_reads_go_to_default(replica):
    with replica_reads():
        assert router.db_for_write(WorkOrder) == "default"
        order = WorkOrderFactory()
    assert order._state.db == "default"


def test_reads_outside_replica_reads_stay_on_default(replica):
    assert router.db_for_read(WorkOrder) == "default"


def test_user_table_is_never_read_from_the_replica(replica):
    with replica_reads():
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Unit) == REPLICA


def test_without_a_replica_everything_reads_from_default(transactional_db, settings):
    assert settings.HOTLINE_READ_REPLICA is None
    with replica_reads():
        assert router.db_for_read(WorkOrder) == "default"


def test_nothing_is_migrated_on_the_replica(replica):
    assert router.allow_migrate(REPLICA, "tickets") is False
    assert router.allow_migrate("default", "tickets") is True


def test_analysis_page_reads_orders_from_the_replica(replica, client, supervisor):
    WorkOrderFactory()
    client.force_login(supervisor)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        response = client.get(reverse("analysis:dashboard"))
    assert response.status_code == 200
    assert "tickets_workorder" in tables(on_replica.captured_queries)
    assert "tickets_workorder" not in tables(on_default.captured_queries)
    # Who is signed in is read where it was written.
    assert "django_session" in tables(on_default.captured_queries)
    assert not {"stations_user", "django_session"} & tables(on_replica.captured_queries)


def test_workbench_pages_read_from_default(replica, client, dispatcher):
    client.force_login(dispatcher)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("tickets:dispatch_board")).status_code == 200
    assert on_replica.captured_queries == []
