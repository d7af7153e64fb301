"""The sweep's guarantees: exactly once across reruns, outages, crashes and concurrent workers;
transitions never wait for Celery."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hotline.celery import app as celery_app
from supervision import broker
from supervision import rules as rules_module
from supervision.models import Notice, Notification, Rule, RuleFiring, SweepCursor
from supervision.rules import FireResult, Firing, fire
from supervision.sweep import mark_swept, run_sweep
from tests.supervision.conftest import SUPERVISION, at, firings, notices
from tickets import services
from tickets.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db


def test_after_two_days_of_downtime_everything_due_is_raised_once(clock, make_dispatched, sweep):
    sweep()  # the sweep ran once, then the worker went down
    orders = [make_dispatched(caller_phone=f"1380000000{i}", address=f"人民路{i}号") for i in range(3)]
    clock.move_to(at(2026, 11, 25, 12, 0))
    result = sweep()
    for order in orders:
        for rule in (Rule.DISPATCH_NOTICE, Rule.CONTACT_WARNING, Rule.EARLY_WARNING, Rule.OVERDUE):
            assert firings(rule, order).count() == 1, (rule, order)
    assert notices(kind=SUPERVISION).count() == 3
    assert result.fired == 12
    again = sweep()
    assert again.fired == 0
    assert RuleFiring.objects.count() == 12


def test_an_order_reported_late_during_the_outage_still_gets_its_supervision_order(
    clock, make_dispatched, officer_a, sweep
):
    order = make_dispatched()
    services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")
    sweep()
    clock.move_to(at(2026, 11, 24, 11, 0))  # deadline Tuesday 09:00 passed, nobody swept
    services.order_report(order=order, acting_user=officer_a, outcome="resolved", text="已处理")
    clock.move_to(at(2026, 11, 24, 12, 0))
    sweep()
    notice = notices(order, SUPERVISION).get()
    assert "2026-11-24 11:00" in notice.reason  # says when it was reported


def test_a_crash_inside_a_firing_leaves_nothing_and_the_next_sweep_fires_once(
    clock, make_dispatched, sweep, monkeypatch
):
    order = make_dispatched()
    sweep()
    clock.move_to(at(2026, 11, 24, 10, 0))
    real_issue = rules_module.notice_issue
    calls = {"n": 0}

    def crash_once(**kwargs):
        calls["n"] += 1
        notice = real_issue(**kwargs)  # the notice is written, then the worker "dies"
        if calls["n"] == 1:
            raise RuntimeError("worker lost")
        return notice

    monkeypatch.setattr(rules_module, "notice_issue", crash_once)
    first = sweep()
    assert first.counts["handling.error"] == 1
    assert firings(Rule.OVERDUE).count() == 0 and Notice.objects.count() == 0
    sweep()
    sweep()
    assert firings(Rule.OVERDUE, order).count() == 1
    assert notices(order, SUPERVISION).count() == 1


def test_firing_twice_is_refused_by_the_record(clock, make_dispatched):
    from supervision.models import SupervisionPolicy

    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 10, 0))
    policy = SupervisionPolicy.load()
    firing = Firing(order.pk, Rule.OVERDUE, order.cycle, due_at=order.handling_deadline)
    assert fire(firing, policy=policy) == FireResult.FIRED
    assert fire(firing, policy=policy) == FireResult.ALREADY


def test_the_unique_constraint_is_the_last_guard(clock, make_dispatched):
    from django.db import IntegrityError

    order = make_dispatched()
    RuleFiring.objects.create(order=order, rule=Rule.OVERDUE, cycle=1, fired_at=dt.datetime.now(dt.UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleFiring.objects.create(order=order, rule=Rule.OVERDUE, cycle=1, fired_at=dt.datetime.now(dt.UTC))


def test_the_sweep_reads_only_its_window(clock, make_dispatched, sweep, django_assert_max_num_queries):
    for i in range(5):
        make_dispatched(caller_phone=f"1390000000{i}", address=f"青山路{i}号")
    clock.move_to(at(2026, 11, 25, 9, 0))
    sweep()
    # Nothing new fell due: a constant number of queries, whatever the number of orders.
    clock.shift(dt.timedelta(minutes=1))
    with django_assert_max_num_queries(20):
        result = sweep()
    assert result.fired == 0


def test_cursors_advance_to_the_sweep_time(clock, make_dispatched, sweep):
    make_dispatched()
    sweep()
    positions = dict(SweepCursor.objects.values_list("name", "position"))
    assert positions["handling"] == at(2026, 11, 23, 9, 0)
    assert set(positions) == {"events", "contact", "handling", "early", "notices"}


def test_a_sweep_out_of_time_resumes_where_it_stopped(clock, make_dispatched):
    for i in range(3):
        make_dispatched(caller_phone=f"1370000000{i}", address=f"北环路{i}号")
        clock.shift(dt.timedelta(minutes=5))
    clock.move_to(at(2026, 11, 25, 9, 0))
    result = run_sweep(time_budget=1e-9)
    assert result.more
    while run_sweep(time_budget=1e-9).more:
        pass
    run_sweep(time_budget=0)
    assert firings(Rule.OVERDUE).count() == 3
    assert RuleFiring.objects.count() == 12


def test_the_listener_fires_event_rules_without_waiting_for_the_sweep(
    clock, topic, dispatcher, station_a, officer_a, django_capture_on_commit_callbacks
):
    from tests.supervision.conftest import intake

    order = intake(topic)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)
    # Celery runs eagerly in these tests: the dispatch notice is there with no sweep.
    assert Notification.objects.filter(category=Rule.DISPATCH_NOTICE, order=order).count() == 1


@pytest.fixture
def broker_down(settings):
    """Point Celery at a port where nothing listens, as when Redis is down."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    conf.broker_url = "redis://127.0.0.1:1/0"
    conf.broker_transport_options = {"socket_connect_timeout": 1, "max_retries": 1, "interval_max": 0.2}
    conf.task_always_eager = False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    broker._broker_down_until = 0.0
    yield
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    broker._broker_down_until = 0.0


def test_transitions_are_saved_quickly_when_the_broker_is_down(
    clock, topic, dispatcher, station_a, broker_down, sweep, django_capture_on_commit_callbacks
):
    from tests.supervision.conftest import intake

    orders = [intake(topic, caller_phone=f"1360000000{i}", address=f"南湖{i}号") for i in range(5)]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for order in orders:
            services.order_dispatch(order=order, unit=station_a, acting_user=dispatcher)
    elapsed = time.monotonic() - started
    assert len(callbacks) == 5
    assert elapsed < 5, elapsed  # one failed connection, then the listener backs off
    assert WorkOrder.objects.filter(status="dispatched").count() == 5
    assert Notification.objects.count() == 0
    # The sweep finds the dispatch events in the log.
    sweep()
    assert Notification.objects.filter(category=Rule.DISPATCH_NOTICE).count() == 5


# --- concurrency: PostgreSQL only ------------------------------------------------------------


def _in_thread(fn, barrier, errors):
    def run():
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_raise_each_notice_once(make_dispatched):
    import time_machine

    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        for i in range(20):
            make_dispatched(caller_phone=f"1350000{i:04d}", address=f"滨河花园{i}号")
        traveller.move_to(at(2026, 11, 25, 9, 0))
        barrier = threading.Barrier(3)
        errors: list = []
        threads = [_in_thread(lambda: run_sweep(time_budget=0), barrier, errors) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    assert Notice.objects.filter(rule=Rule.OVERDUE).count() == 20
    assert RuleFiring.objects.filter(rule=Rule.OVERDUE).count() == 20
    assert Notification.objects.filter(category=Rule.DISPATCH_NOTICE).count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_order_locked_by_a_person_is_skipped_and_taken_up_next_time(make_dispatched):
    import time_machine

    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False) as traveller:
        order = make_dispatched()
        run_sweep(time_budget=0)
        traveller.move_to(at(2026, 11, 24, 10, 0))
        locked = threading.Event()
        release = threading.Event()

        def hold_lock():
            with transaction.atomic():
                WorkOrder.objects.select_for_update().get(pk=order.pk)
                locked.set()
                release.wait(30)
            connection.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        locked.wait(10)
        result = run_sweep(time_budget=0)
        assert result.counts["handling.locked"] == 1
        assert firings(Rule.OVERDUE).count() == 0
        release.set()
        holder.join(10)
        traveller.shift(dt.timedelta(minutes=5))  # the cursor stayed before the locked order
        run_sweep(time_budget=0)
    assert firings(Rule.OVERDUE, order).count() == 1


def test_event_rules_of_an_old_event_go_to_the_unit_of_that_round(
    clock, make_dispatched, officer_a, reviewer, dispatcher, station_b, sweep
):
    order = make_dispatched()
    services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")
    services.order_report(order=order, acting_user=officer_a, outcome="resolved", text="已处理")
    services.order_return(order=order, acting_user=reviewer, reason="不规范")
    services.order_redispatch(order=order, unit=station_b, acting_user=dispatcher)
    # The sweep sees the return only now, after the order moved to another station.
    sweep()
    notice = Notice.objects.get(rule=Rule.REVIEW_RETURNED)
    assert notice.unit.code == "chengguan"
    assert OrderEvent.objects.filter(order=order, action="return").exists()


def test_a_notice_number_clash_is_retried_not_taken_for_already_fired(clock, make_dispatched, supervisor, sweep):
    from supervision import services as notice_services
    from supervision.models import SupervisionPolicy

    # Formats saved past the admin's validation, the same for both kinds: numbers collide.
    SupervisionPolicy.objects.update_or_create(
        pk=1, defaults={"supervision_number_format": "督办{seq}", "reminder_number_format": "督办{seq}"}
    )
    order = make_dispatched()
    notice_services.notice_issue_by_hand(acting_user=supervisor, order=order, kind="reminder", reason="事由")
    clock.move_to(at(2026, 11, 24, 10, 0))
    assert sweep().counts["handling.error"] == 1
    assert firings(Rule.OVERDUE).count() == 0
    SupervisionPolicy.objects.filter(pk=1).update(supervision_number_format="督办〔{year}〕第{seq:03d}号")
    clock.shift(dt.timedelta(minutes=1))
    sweep()
    assert firings(Rule.OVERDUE, order).count() == 1


def test_the_management_command_runs_a_sweep(clock, make_dispatched):
    from io import StringIO

    from django.core.management import call_command

    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 10, 0))
    out = StringIO()
    call_command("supervision_sweep", stdout=out)
    assert '"handling.fired": 1' in out.getvalue()
    assert firings(Rule.OVERDUE, order).count() == 1


def test_a_row_that_keeps_failing_does_not_make_the_sweep_spin(clock, make_dispatched, monkeypatch):
    from supervision import sweep as sweep_module

    for i in range(3):
        make_dispatched(caller_phone=f"1370000001{i}", address=f"南环路{i}号")
        clock.shift(dt.timedelta(minutes=5))
    clock.move_to(at(2026, 11, 25, 9, 0))

    def broken(firing, **kwargs):
        raise RuntimeError("a rule that always fails")

    monkeypatch.setattr(sweep_module, "fire", broken)
    runs = 0
    while run_sweep(time_budget=1e-9).more:
        runs += 1
        assert runs < 20, "the sweep keeps asking to continue while stuck behind a failing row"
    # Once the rule works again, the next scheduled sweep raises everything, once.
    monkeypatch.undo()
    run_sweep(time_budget=0)
    assert firings(Rule.OVERDUE).count() == 3


def test_mark_swept_keeps_the_past_unraised_and_the_future_watched(clock, make_dispatched, sweep):
    past = make_dispatched(caller_phone="13800000001", address="人民路1号")
    clock.move_to(at(2026, 11, 25, 12, 0))  # long past its contact and handling deadlines
    mark_swept(until=timezone.now())
    future = make_dispatched(caller_phone="13800000002", address="人民路2号")

    sweep()
    assert RuleFiring.objects.filter(order=past).count() == 0
    assert firings(Rule.DISPATCH_NOTICE, future).count() == 1
    clock.move_to(at(2026, 11, 25, 13, 30))
    sweep()
    assert firings(Rule.CONTACT_WARNING, future).count() == 1
    assert RuleFiring.objects.filter(order=past).count() == 0
