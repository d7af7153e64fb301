import pytest
from django.db import connection

from tickets import services
from tickets.exceptions import InvalidInput
from tickets.models import Channel, Counter, HandlingType, Nature, OrderEvent, WorkOrder
from tickets.services.counters import ORDER_SEQUENCE_PREFIX, order_counter_catch_up

pytestmark = pytest.mark.django_db


def intake(topic, **overrides):
    data = {
        "channel": Channel.HOTLINE_12345,
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "address": "城关街道幸福小区3号楼",
        "content": "楼上深夜装修噪音扰民。",
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
    }
    data.update(overrides)
    return services.order_intake(**data)


@pytest.fixture
def topic():
    from tests.factories import TopicFactory

    return TopicFactory()


def test_intake_creates_received_order_with_our_number(topic, dispatcher):
    result = intake(topic, acting_user=dispatcher)
    assert result.created
    assert result.order.status == "received"
    assert result.order.number.startswith("GD")
    assert len(result.order.number) == len("GD202611220001")


def test_intake_numbers_orders_of_a_day_in_sequence(topic):
    first = intake(topic).order
    second = intake(topic).order
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_intake_writes_an_intake_event(topic, dispatcher):
    order = intake(topic, acting_user=dispatcher).order
    event = OrderEvent.objects.get(order=order)
    assert (event.action, event.to_status, event.actor) == ("intake", "received", dispatcher)


def test_same_platform_number_twice_gives_one_order(topic):
    first = intake(topic, platform_number="SD-2026-000123")
    second = intake(topic, platform_number="SD-2026-000123", content="重复推送")
    assert first.created and not second.created
    assert second.order.pk == first.order.pk
    assert WorkOrder.objects.count() == 1
    assert WorkOrder.objects.get().content == "楼上深夜装修噪音扰民。"


def test_orders_without_platform_number_are_all_kept(topic):
    intake(topic, platform_number="")
    intake(topic, platform_number=None)
    assert WorkOrder.objects.count() == 2


def test_intake_refuses_a_missing_content_and_creates_nothing(topic):
    with pytest.raises(InvalidInput) as exc:
        intake(topic, content="  ")
    assert "content" in exc.value.field_errors
    assert WorkOrder.objects.count() == 0


def test_intake_refuses_an_invalid_phone(topic):
    with pytest.raises(InvalidInput) as exc:
        intake(topic, caller_phone="call me")
    assert "caller_phone" in exc.value.field_errors


def test_intake_refuses_an_unknown_handling_type(topic):
    with pytest.raises(InvalidInput) as exc:
        intake(topic, handling_type="urgent-ish")
    assert "handling_type" in exc.value.field_errors


def test_leader_instruction_flag_needs_the_instruction_text(topic):
    with pytest.raises(InvalidInput) as exc:
        intake(topic, leader_instructed=True, leader_instruction="")
    assert "leader_instruction" in exc.value.field_errors


def test_only_the_dispatch_desk_may_register_orders(topic, officer_a):
    from tickets.exceptions import NotPermitted

    with pytest.raises(NotPermitted):
        intake(topic, acting_user=officer_a)
    assert WorkOrder.objects.count() == 0


def _set_back(day: str, value: int) -> None:
    """What an edit in the admin (the counter) or a restore (the PostgreSQL day sequence) does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s)", [ORDER_SEQUENCE_PREFIX + day, value])
    Counter.objects.filter(key=f"order:{day}").update(value=value)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the day's sequence numbers the orders")
def test_a_counter_set_back_skips_the_numbers_already_taken(topic):
    orders = [intake(topic).order for _ in range(3)]
    day = orders[0].number[2:10]
    Counter.objects.filter(key=f"order:{day}").update(value=1)  # as an edit in the admin did

    result = intake(topic)

    assert result.created
    assert result.order.number == f"GD{day}0004"
    assert Counter.objects.get(key=f"order:{day}").value == 4
    assert WorkOrder.objects.count() == 4


def test_a_number_source_set_back_gives_the_next_free_number(topic):
    orders = [intake(topic).order for _ in range(3)]
    day = orders[0].number[2:10]
    _set_back(day, 1)

    result = intake(topic)

    assert result.created and result.order.number not in {o.number for o in orders}
    assert WorkOrder.objects.count() == 4


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the day's sequence numbers the orders")
def test_a_counter_far_behind_catches_up_in_one_step(topic):
    orders = [intake(topic).order for _ in range(5)]
    day = orders[0].number[2:10]
    Counter.objects.filter(key=f"order:{day}").delete()  # the row lost (restored from an old backup)

    assert intake(topic).order.number == f"GD{day}0006"


def test_counter_catch_up_reads_numbers_past_four_digits(topic):
    order = intake(topic).order
    day = order.number[2:10]
    WorkOrder.objects.filter(pk=order.pk).update(number=f"GD{day}10000")
    assert order_counter_catch_up(order.received_at) == 10000
