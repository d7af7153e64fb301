"""Fixtures for the API tests: clients acting as the shared cast, and orders in every state."""

import pytest
from rest_framework.test import APIClient

from tests.factories import TopicFactory
from tickets import services
from tickets.models import Channel, HandlingType, Nature, Outcome, Satisfaction, WorkOrder


@pytest.fixture
def topic(db):
    return TopicFactory()


@pytest.fixture
def api():
    """`api(user)`: a client authenticated as `user` (or anonymous with None)."""

    def make(user=None, language: str | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return make


@pytest.fixture
def payload(topic):
    """A valid intake body for POST /api/v1/orders/, as the 12345 platform sends it."""
    return {
        "platform_number": "SD-2026-000123",
        "channel": "12345",
        "caller_name": "王女士",
        "caller_phone": "13812345678",
        "address": "城关街道幸福小区3号楼",
        "content": "楼上深夜装修噪音扰民，影响孩子上网课。",
        "nature": "complaint",
        "handling_type": "service",
        "topic": topic.pk,
    }


def intake(topic, **overrides) -> WorkOrder:
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
    return services.order_intake(**data).order


# The states an order can be brought to, each from the one before, with the cast doing the work.
STATES = ["received", "dispatched", "contacted", "reported", "returned", "approved", "callback_done", "closed"]


@pytest.fixture
def order_in(topic, dispatcher, officer_a, head_a, reviewer, station_a):
    """`order_in(state, unit=station_a, officer=officer_a, **intake_fields)`: an order in `state`."""

    def make(state: str, unit=None, officer=None, satisfaction=Satisfaction.SATISFIED, **fields) -> WorkOrder:
        unit = unit or station_a
        officer = officer or officer_a
        order = intake(fields.pop("topic", topic), **fields)
        if state == "received":
            return order
        order = services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)
        if state == "dispatched":
            return order
        if state == "sent_back":
            return services.order_send_back(order=order, acting_user=officer, reason="不属本所辖区")
        order = services.order_contact(order=order, acting_user=officer, method="phone", note="已电话联系")
        if state == "contacted":
            return order
        order = services.order_report(order=order, acting_user=officer, outcome=Outcome.RESOLVED, text="已处理")
        if state == "reported":
            return order
        if state == "returned":
            return services.order_return(order=order, acting_user=reviewer, reason="请补充")
        order = services.order_approve(order=order, acting_user=reviewer)
        if state == "approved":
            return order
        order = services.order_callback(order=order, acting_user=dispatcher, satisfaction=satisfaction)
        if state == "callback_done":
            return order
        return services.order_close(order=order, acting_user=dispatcher)

    return make


@pytest.fixture
def head_b(station_b):
    from stations.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="head_b", unit=station_b, role=Role.UNIT_HEAD)


@pytest.fixture
def notice_for(supervisor):
    """`notice_for(order, kind="supervision", status="issued")`: a notice issued by hand on `order`,
    signed / responded / closed through the services as far as `status` asks."""
    from supervision import services as notice_services

    def make(order, kind: str = "supervision", status: str = "issued", reason: str = "请抓紧办理"):
        notice = notice_services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=kind, reason=reason)
        unit_head = order.unit.staff.filter(role="unit_head").first()
        if status in ("signed", "responded", "closed"):
            notice = notice_services.notice_sign(notice=notice, acting_user=unit_head)
        if status in ("responded", "closed"):
            notice = notice_services.notice_respond(notice=notice, acting_user=unit_head, response="已整改")
        if status == "closed":
            notice = notice_services.notice_close(notice=notice, acting_user=supervisor)
        return notice

    return make
