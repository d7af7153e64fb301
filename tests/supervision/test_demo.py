"""The demo as `make run` loads it: its past is history, not a backlog for the worker."""

import datetime as dt
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from stations.models import Role, Unit, User
from supervision.demo import READ_AFTER_WORKING_MINUTES, SupervisionHistory
from supervision.models import InboxItem, Notice, NoticeStatus, Notification, RuleFiring
from supervision.sweep import run_sweep
from tests.factories import WorkOrderFactory
from tests.supervision.conftest import at
from tickets import events, services
from tickets.demo import load_demo
from tickets.models import Topic
from tickets.workcalendar import WorkCalendar

# A Wednesday morning on the 2026 calendar, in the middle of the working day.
NOW = at(2026, 11, 18, 10, 0)
LIVE_SINCE = NOW - dt.timedelta(days=14)


@pytest.fixture
def demo(db):
    return load_demo(order_count=60, now=NOW, history=SupervisionHistory(since=LIVE_SINCE))


@pytest.fixture
def seeded():
    """The topics and time limits of migration 0002, which a transactional test before this one
    may have flushed away (serialized_rollback clashes with the content types post_migrate makes)."""
    import_module("tickets.migrations.0002_seed_policies_and_topics").seed(django_apps, None)


# Real commits: listeners are told when the outermost transaction commits, which under a test's
# own transaction would be after the command, outside its muted() block.
@pytest.mark.django_db(transaction=True)
def test_loaddemo_tells_no_listener_of_its_events(seeded, monkeypatch, settings):
    settings.DEBUG = True  # the demo loads only with DEBUG on (tests/security/test_demo_guard.py)
    heard: list[int] = []
    monkeypatch.setattr(events, "_listeners", [heard.append])

    call_command("loaddemo", "--orders", "30", stdout=StringIO())

    assert heard == []
    # Muting ended with the load: the next transition is heard again. A new order, since which of
    # the demo's orders still wait at the desk depends on the time of day the demo is loaded.
    order = WorkOrderFactory(topic=Topic.objects.order_by("pk").first())
    heard.clear()
    services.order_dispatch(
        order=order, unit=Unit.objects.get(code="nanzhan"), acting_user=User.objects.get(username="dispatcher")
    )
    assert len(heard) == 1


def test_demo_raises_nothing_before_supervision_went_live(demo):
    assert RuleFiring.objects.exists()
    assert not RuleFiring.objects.filter(fired_at__lt=LIVE_SINCE).exists()
    assert not Notification.objects.filter(created_at__lt=LIVE_SINCE).exists()
    assert not Notification.objects.filter(created_at__gt=NOW).exists()


def test_demo_rules_fired_when_they_fell_due_not_at_load(demo):
    firings = RuleFiring.objects.exclude(due_at=None)
    assert firings.exists()
    for firing in firings:
        assert firing.fired_at == firing.due_at, firing


def test_first_sweep_after_loading_finds_the_demo_past_handled(demo):
    result = run_sweep(now=NOW)

    assert result.fired == 0


def test_demo_inbox_has_only_the_last_working_hour_unread(demo):
    calendar = WorkCalendar()
    unread = InboxItem.objects.filter(read_at=None).select_related("notification")
    for item in unread:
        assert calendar.working_minutes_between(item.notification.created_at, NOW) < READ_AFTER_WORKING_MINUTES
    assert InboxItem.objects.exclude(read_at=None).count() > unread.count()
    assert unread.filter(user__username="officer").count() <= 5


def test_demo_units_answer_most_notices(demo):
    notices = Notice.objects.filter(issued_at__lt=NOW - dt.timedelta(days=3))
    assert notices.exists()
    assert notices.filter(status=NoticeStatus.CLOSED).count() >= notices.count() * 0.6


def test_every_unit_that_handles_orders_has_a_head_to_answer_notices(demo):
    for unit in Unit.objects.all():
        if unit.handles_orders:
            assert User.objects.filter(unit=unit, role=Role.UNIT_HEAD).exists(), unit
