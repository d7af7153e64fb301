"""Orders at each step of the loop, made with the real services, for the view tests."""

import pytest

from tests.factories import TopicFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature, Outcome, Satisfaction


@pytest.fixture
def topic(db):
    return TopicFactory()


@pytest.fixture
def make_order(topic, dispatcher):
    def make(**overrides):
        data = {
            "channel": Channel.HOTLINE_12345,
            "caller_name": "王女士",
            "caller_phone": "13812345678",
            "address": "城关街道幸福小区3号楼",
            "content": "楼上深夜装修噪音扰民。",
            "nature": Nature.COMPLAINT,
            "handling_type": HandlingType.SERVICE,
            "topic": topic,
            "acting_user": dispatcher,
        }
        data.update(overrides)
        return services.order_intake(**data).order

    return make


@pytest.fixture
def received(make_order):
    return make_order()


@pytest.fixture
def dispatched(received, dispatcher, station_a):
    return services.order_dispatch(order=received, unit=station_a, acting_user=dispatcher)


@pytest.fixture
def contacted(dispatched, officer_a):
    return services.order_contact(order=dispatched, acting_user=officer_a, method="phone", note="已电话联系。")


@pytest.fixture
def reported(contacted, officer_a):
    return services.order_report(order=contacted, acting_user=officer_a, outcome=Outcome.RESOLVED, text="已处理。")


@pytest.fixture
def approved(reported, reviewer):
    return services.order_approve(order=reported, acting_user=reviewer)


@pytest.fixture
def called_back_unsatisfied(approved, dispatcher):
    return services.order_callback(
        order=approved, acting_user=dispatcher, satisfaction=Satisfaction.UNSATISFIED, citizen_words="没解决。"
    )
