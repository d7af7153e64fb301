"""The order's written-out representation equals what its declared fields produce.

`OrderSerializer.to_representation` writes the answer directly for speed; the declared fields
remain the contract (the OpenAPI schema is built from them). These tests hold the two equal for
orders in every state, for a user who sees the caller and one who sees it masked.
"""

import datetime as dt

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tickets import services
from tickets.api.serializers import OrderDetailSerializer, OrderSerializer

pytestmark = pytest.mark.django_db


def declared(serializer_class, order, user):
    """What DRF's own field-by-field representation gives."""
    request = APIRequestFactory().get("/")
    request.user = user
    serializer = serializer_class(order, context={"request": request})
    return serializers.Serializer.to_representation(serializer, order)


def written(serializer_class, order, user):
    request = APIRequestFactory().get("/")
    request.user = user
    return serializer_class(order, context={"request": request}).data


@pytest.fixture
def orders(loop, officer_a, dispatcher):
    closed = loop.closed(confidential=True, leader_instructed=True, leader_instruction="请高度重视。")
    returned = loop.returned(platform_number="SD-1")
    services.order_assign(order=loop.dispatched(), officer=officer_a, acting_user=loop.cast["head_a"])
    sent_back = loop.sent_back()
    contacted = loop.contacted()
    services.order_request_extension(
        order=contacted,
        acting_user=officer_a,
        reason="需协调。",
        requested_until=contacted.handling_deadline + dt.timedelta(days=2),
    )
    from tickets.models import WorkOrder

    return list(WorkOrder.objects.select_related("topic", "unit", "officer").order_by("pk")) + [
        closed,
        returned,
        sent_back,
    ]


@pytest.mark.parametrize("serializer_class", [OrderSerializer, OrderDetailSerializer])
@pytest.mark.parametrize("who", ["dispatcher", "officer_a", "reviewer", "supervisor"])
def test_written_representation_equals_the_declared_fields(request, orders, serializer_class, who):
    user = request.getfixturevalue(who)
    for order in orders:
        assert written(serializer_class, order, user) == declared(serializer_class, order, user)
