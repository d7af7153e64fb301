"""Order numbers on PostgreSQL: a sequence per day, so intakes never queue behind one another.

GD + the local date + the day's sequence number, unique and readable; a number taken by an intake
that rolls back is not given again (gaps are accepted, see tickets/services/counters.py).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from tests.factories import TopicFactory, WorkOrderFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature
from tickets.services import counters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Shanghai")


def intake(topic, **overrides):
    data = {
        "channel": Channel.HOTLINE_12345,
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "content": "楼上深夜装修噪音扰民。",
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
    }
    data.update(overrides)
    return services.order_intake(**data).order


@pytest.fixture
def topic():
    return TopicFactory()


@pytest.fixture
def fresh_day():
    """A day whose sequence does not exist yet; its sequence is dropped afterwards."""
    moment = dt.datetime(2031, 3, 4, 10, 0, tzinfo=TZ)
    name = counters.ORDER_SEQUENCE_PREFIX + "20310304"
    yield moment
    counters._ready.discard(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {name}")


def test_an_intake_does_not_wait_for_another_intake_still_in_its_transaction(topic):
    taken, release = threading.Event(), threading.Event()

    def slow_intake():
        try:
            with transaction.atomic():
                intake(topic)  # takes the day's next number, then holds its transaction open
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=slow_intake)
    other.start()
    try:
        assert taken.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        started = time.monotonic()
        order = intake(topic)
        assert time.monotonic() - started < 2
        assert order.number.startswith("GD")
    finally:
        release.set()
        other.join(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_concurrent_intakes_get_distinct_readable_numbers(topic):
    numbers: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def run():
        try:
            barrier.wait()
            mine = [intake(topic).number for _ in range(5)]
            with lock:
                numbers.extend(mine)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(numbers) == 30 == len(set(numbers))
    assert all(re.fullmatch(r"GD\d{8}\d{4,}", n) for n in numbers)


def test_a_new_days_sequence_starts_after_the_numbers_already_given_that_day(fresh_day):
    WorkOrderFactory(number="GD203103040041")
    WorkOrderFactory(number="GD203103040007")
    assert counters.next_order_number(fresh_day) == "GD203103040042"
    assert counters.next_order_number(fresh_day) == "GD203103040043"


def test_a_day_past_9999_orders_keeps_counting(fresh_day):
    WorkOrderFactory(number="GD2031030410000")
    WorkOrderFactory(number="GD203103049999")
    assert counters.next_order_number(fresh_day) == "GD2031030410001"


def test_a_number_taken_by_a_rolled_back_intake_is_not_given_again(topic):
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = intake(topic).number
        raise RuntimeError("the dispatch after intake was refused")
    assert int(intake(topic).number[-4:]) == int(lost[-4:]) + 1


def test_old_days_sequences_are_purged_and_today_kept(fresh_day, topic):
    today = intake(topic).number[2:10]
    counters.next_order_number(fresh_day - dt.timedelta(days=3650))  # a day ten years ago
    old = counters.ORDER_SEQUENCE_PREFIX + (fresh_day - dt.timedelta(days=3650)).strftime("%Y%m%d")
    assert counters.order_sequences_purge(keep_days=7) >= 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NULL, to_regclass(%s) IS NOT NULL", [old, "tickets_order_seq_" + today]
        )
        assert cursor.fetchone() == (True, True)
