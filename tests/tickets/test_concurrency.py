"""Two users acting on one order at the same moment: exactly one wins (row lock)."""

import threading

import pytest
from django.db import connection

from tests.factories import WorkOrderFactory
from tickets import services
from tickets.exceptions import WorkflowError
from tickets.models import OrderEvent, Status, WorkOrder

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls in threads released at once; return (successes, failures)."""
    barrier = threading.Barrier(len(calls))
    results: list = []

    def run(call):
        try:
            barrier.wait()
            results.append(("ok", call()))
        except WorkflowError as exc:
            results.append(("refused", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [r for r in results if r[0] == "ok"], [r for r in results if r[0] == "refused"]


def test_two_dispatchers_dispatching_one_order_at_once_only_one_wins(dispatcher, officer_a, officer_b):
    order = WorkOrderFactory()
    ok, refused = race(
        lambda: services.order_dispatch(order=order, unit=officer_a.unit, acting_user=dispatcher),
        lambda: services.order_dispatch(order=order, unit=officer_b.unit, acting_user=dispatcher),
    )
    assert len(ok) == 1 and len(refused) == 1
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.cycle == 1
    assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


def test_approve_and_return_at_once_only_one_wins(dispatcher, officer_a, reviewer):
    order = WorkOrderFactory()
    order = services.order_dispatch(order=order, unit=officer_a.unit, acting_user=dispatcher)
    order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")
    order = services.order_report(order=order, acting_user=officer_a, outcome="resolved", text="已办")
    ok, refused = race(
        lambda: services.order_approve(order=order, acting_user=reviewer),
        lambda: services.order_return(order=order, acting_user=reviewer, reason="请补充"),
    )
    assert len(ok) == 1 and len(refused) == 1
    assert WorkOrder.objects.get(pk=order.pk).reviews.count() == 1


def test_same_platform_number_pushed_twice_at_once_gives_one_order(dispatcher):
    from tests.factories import TopicFactory

    topic = TopicFactory()
    data = {
        "channel": "12345",
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "content": "噪音扰民",
        "nature": "complaint",
        "handling_type": "service",
        "topic": topic,
        "platform_number": "SD-RACE-1",
    }
    ok, refused = race(lambda: services.order_intake(**data), lambda: services.order_intake(**data))
    assert len(ok) == 2 and not refused
    assert WorkOrder.objects.filter(platform_number="SD-RACE-1").count() == 1
    assert sorted(result.created for _tag, result in ok) == [False, True]
