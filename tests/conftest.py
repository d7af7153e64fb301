"""The shared cast and the service checks.

Tests that need PostgreSQL, Redis or a browser skip with a reason when it is absent, except
under CI=true, where a missing service fails the run.
"""

import datetime as dt
import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from hotline.celery import app as celery_app
from stations.models import Role, UnitKind
from tests.factories import UnitFactory, UserFactory, WorkOrderFactory
from tickets import services
from tickets.models import WorkOrder

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI needs this service: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require_service(
            connection.vendor == "postgresql",
            "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline",
        )


def pytest_sessionstart(session):
    if IN_CI and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("CI=true but DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Files the code stores (rendered PDFs and workbooks) go to a temporary folder, not var/media;
    and no test sees what another cached (ids come back after a rollback)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_task_broker():
    """Under pytest Celery publishes to an in-memory broker in this process (hotline/settings.py),
    so nothing reaches REDIS_URL's Redis. Each test starts with it empty, whatever the last sent."""
    yield
    if celery_app.conf.broker_url.startswith("memory://"):
        celery_app.control.purge()


@pytest.fixture(autouse=True)
def _english_free_defaults(settings):
    """Tests see the product's default language unless they ask otherwise."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The API's throttle counters live in the (in-memory) cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def command_center(db):
    return UnitFactory(name="指挥中心", code="command", kind=UnitKind.COMMAND_CENTER)


@pytest.fixture
def station_a(db):
    return UnitFactory(name="城关派出所", code="chengguan", kind=UnitKind.STATION)


@pytest.fixture
def station_b(db):
    return UnitFactory(name="卧龙山派出所", code="wolongshan", kind=UnitKind.STATION)


@pytest.fixture
def review_unit(db):
    return UnitFactory(name="督察大队", code="inspection", kind=UnitKind.REVIEW)


@pytest.fixture
def dispatcher(command_center):
    return UserFactory(username="dispatcher", unit=command_center, role=Role.DISPATCHER)


@pytest.fixture
def officer_a(station_a):
    return UserFactory(username="officer_a", unit=station_a, role=Role.OFFICER)


@pytest.fixture
def head_a(station_a):
    return UserFactory(username="head_a", unit=station_a, role=Role.UNIT_HEAD)


@pytest.fixture
def officer_b(station_b):
    return UserFactory(username="officer_b", unit=station_b, role=Role.OFFICER)


@pytest.fixture
def reviewer(review_unit):
    return UserFactory(username="reviewer", unit=review_unit, role=Role.REVIEWER)


@pytest.fixture
def supervisor(command_center):
    return UserFactory(username="supervisor", unit=command_center, role=Role.SUPERVISOR)


@pytest.fixture
def outsider(db):
    """A department officer with no business on station orders."""
    unit = UnitFactory(name="出入境管理大队", code="exit-entry", kind=UnitKind.DEPARTMENT)
    return UserFactory(username="outsider", unit=unit, role=Role.OFFICER)


# --- orders in every state of the loop, built through the services as a real one would be ---


class Loop:
    """Walks orders through the loop with the shared cast."""

    def __init__(self, cast):
        self.cast = cast

    def received(self, **fields) -> WorkOrder:
        return WorkOrderFactory(**fields)

    def dispatched(self, **fields) -> WorkOrder:
        return services.order_dispatch(
            order=self.received(**fields), unit=self.cast["officer_a"].unit, acting_user=self.cast["dispatcher"]
        )

    def contacted(self, **fields) -> WorkOrder:
        return services.order_contact(
            order=self.dispatched(**fields), acting_user=self.cast["officer_a"], method="phone", note="已电话联系"
        )

    def reported(self, **fields) -> WorkOrder:
        return services.order_report(
            order=self.contacted(**fields), acting_user=self.cast["officer_a"], outcome="resolved", text="已处理"
        )

    def returned(self, **fields) -> WorkOrder:
        return services.order_return(order=self.reported(**fields), acting_user=self.cast["reviewer"], reason="不清楚")

    def approved(self, **fields) -> WorkOrder:
        return services.order_approve(order=self.reported(**fields), acting_user=self.cast["reviewer"])

    def callback_done(self, satisfaction="satisfied", **fields) -> WorkOrder:
        return services.order_callback(
            order=self.approved(**fields), acting_user=self.cast["dispatcher"], satisfaction=satisfaction
        )

    def closed(self, **fields) -> WorkOrder:
        return services.order_close(order=self.callback_done(**fields), acting_user=self.cast["dispatcher"])

    def sent_back(self, **fields) -> WorkOrder:
        return services.order_send_back(
            order=self.dispatched(**fields), acting_user=self.cast["officer_a"], reason="不属于本所辖区"
        )

    def merged(self, **fields) -> WorkOrder:
        primary = self.dispatched()
        return services.order_merge(order=self.received(**fields), primary=primary, acting_user=self.cast["dispatcher"])

    def in_status(self, status: str, **fields) -> WorkOrder:
        order = getattr(self, status)(**fields)
        assert order.status == status
        return order


@pytest.fixture
def cast(dispatcher, officer_a, head_a, officer_b, reviewer, supervisor, outsider):
    return {
        "dispatcher": dispatcher,
        "officer_a": officer_a,
        "head_a": head_a,
        "officer_b": officer_b,
        "reviewer": reviewer,
        "supervisor": supervisor,
        "outsider": outsider,
    }


@pytest.fixture
def loop(cast):
    return Loop(cast)


def after_the_deadline(order: WorkOrder, days: int = 3) -> dt.datetime:
    """`days` after the order's handling deadline (or now, if it has none): a 延期 the service
    accepts whatever day the test runs.

    Not "now + n days": an order dispatched on a Friday is due on Monday, one dispatched the day
    before National Day more than a week later.
    """
    return max(filter(None, [order.handling_deadline, timezone.now()])) + dt.timedelta(days=days)
