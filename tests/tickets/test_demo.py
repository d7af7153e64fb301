from io import StringIO

import pytest
from django.core.management import call_command

from stations.models import Role, Unit, User
from tickets.models import OrderEvent, Status, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # the demo loads only with DEBUG on (tests/security/test_demo_guard.py)
    out = StringIO()
    call_command("loaddemo", "--orders", "80", stdout=out)
    return out.getvalue()


def test_demo_builds_a_county_bureau(demo):
    assert Unit.objects.filter(kind="station").count() >= 6
    assert Unit.objects.filter(kind="review").count() == 3
    assert Unit.objects.filter(kind="department").exists()
    assert Unit.objects.filter(kind="command_center").exists()


def test_demo_has_one_login_per_role_and_prints_them(demo):
    for role in Role.values:
        assert User.objects.filter(role=role).exists()
    assert "hotline-demo" in demo and "dispatcher" in demo


def test_demo_orders_cover_the_loop_with_events(demo):
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.REPORTED,
        Status.CLOSED,
        Status.SENT_BACK,
        Status.MERGED,
    } <= statuses
    assert OrderEvent.objects.filter(action="dispatch").count() >= 40


def test_loaddemo_if_empty_leaves_existing_data_alone(demo):
    count = WorkOrder.objects.count()
    call_command("loaddemo", "--if-empty", stdout=StringIO())
    assert WorkOrder.objects.count() == count
