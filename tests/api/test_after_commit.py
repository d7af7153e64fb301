"""An answer after commit never turns a done action into an error.

These tests commit for real (`transaction=True`): the post-commit part — on_commit hooks,
reading the order back, rendering it — only runs after a real commit.
"""

from unittest import mock

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from tickets.api.serializers import OrderDetailSerializer
from tickets.models import IdempotencyRecord, OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "/api/v1/orders/"


@pytest.fixture
def dispatcher_client(dispatcher):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(dispatcher)
    return client


def dispatch(client, order, unit, **headers):
    return client.post(f"{ORDERS}{order.pk}/dispatch/", {"unit": unit.pk}, format="json", headers=headers)


def reading_back_fails():
    """The database goes away right after the commit: the order cannot be read back."""
    return mock.patch.object(OrderDetailSerializer, "to_representation", side_effect=OperationalError("gone away"))


def test_a_failing_after_commit_hook_does_not_fail_the_dispatch(dispatcher_client, order_in, station_a):
    order = order_in("received")
    with mock.patch("tickets.services.common.publish", side_effect=RuntimeError("broker exploded")):
        response = dispatch(dispatcher_client, order, station_a)
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


def test_a_failing_after_commit_hook_does_not_fail_the_intake(dispatcher_client, topic):
    body = {
        "channel": "walk_in",
        "caller_name": "李先生",
        "caller_phone": "13900001111",
        "content": "咨询户籍迁移手续。",
        "nature": "consultation",
        "handling_type": "consultation",
        "topic": topic.pk,
    }
    with mock.patch("tickets.services.intake.publish", side_effect=RuntimeError("broker exploded")):
        response = dispatcher_client.post(ORDERS, body, format="json")
    assert response.status_code == 201
    assert OrderEvent.objects.filter(action="intake").count() == 1


def test_dispatch_whose_answer_cannot_be_read_back_still_says_done(dispatcher_client, order_in, station_a):
    order = order_in("received")
    with reading_back_fails():
        response = dispatch(dispatcher_client, order, station_a)

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "detail_unavailable"
    assert (body["id"], body["status"], body["version"]) == (order.pk, "dispatched", order.version + 1)
    assert response["ETag"] == f'"{order.version + 1}"'
    # The client finds the rest where it always does: the order and its timeline.
    events = dispatcher_client.get(f"{ORDERS}{order.pk}/events/").json()
    assert [e["action"] for e in events] == ["intake", "dispatch"]
    assert dispatcher_client.get(f"{ORDERS}{order.pk}/")["ETag"] == response["ETag"]


def test_intake_whose_answer_cannot_be_read_back_still_says_created(dispatcher_client, topic):
    body = {
        "channel": "walk_in",
        "caller_name": "李先生",
        "caller_phone": "13900001111",
        "content": "咨询户籍迁移手续。",
        "nature": "consultation",
        "handling_type": "consultation",
        "topic": topic.pk,
    }
    with reading_back_fails():
        response = dispatcher_client.post(ORDERS, body, format="json")
    assert response.status_code == 201
    order = WorkOrder.objects.get()
    assert response.json()["code"] == "detail_unavailable"
    assert response.json()["number"] == order.number
    assert response["Location"].endswith(f"{ORDERS}{order.pk}/")


def test_with_a_key_an_answer_that_fails_undoes_the_action_and_says_so(dispatcher_client, order_in, station_a):
    """With an Idempotency-Key the answer is built before the commit: failing, it rolls back."""
    order = order_in("received")
    with reading_back_fails():
        failed = dispatch(dispatcher_client, order, station_a, **{"Idempotency-Key": "k-1"})
    assert failed.status_code == 503
    assert failed["Retry-After"]
    assert WorkOrder.objects.get(pk=order.pk).status == "received"
    assert not OrderEvent.objects.filter(order=order, action="dispatch").exists()
    assert not IdempotencyRecord.objects.exists()

    retried = dispatch(dispatcher_client, order, station_a, **{"Idempotency-Key": "k-1"})
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


def test_a_notice_signed_but_not_read_back_answers_its_success_with_the_essentials(order_in, notice_for, officer_a):
    from supervision.api.serializers import NoticeDetailSerializer
    from supervision.models import Notice

    notice = notice_for(order_in("dispatched"))
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(officer_a)
    with mock.patch.object(NoticeDetailSerializer, "to_representation", side_effect=OperationalError("gone away")):
        response = client.post(f"/api/v1/notices/{notice.pk}/sign/", format="json")
    assert response.status_code == 200
    assert response.json()["code"] == "detail_unavailable" and response.json()["status"] == "signed"
    assert Notice.objects.get(pk=notice.pk).status == "signed"


def test_a_notice_action_with_a_key_whose_answer_fails_is_rolled_back(order_in, notice_for, officer_a):
    from supervision.api.serializers import NoticeDetailSerializer
    from supervision.models import Notice

    notice = notice_for(order_in("dispatched"))
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(officer_a)
    with mock.patch.object(NoticeDetailSerializer, "to_representation", side_effect=OperationalError("gone away")):
        response = client.post(f"/api/v1/notices/{notice.pk}/sign/", format="json", headers={"Idempotency-Key": "k1"})
    assert response.status_code == 503
    assert Notice.objects.get(pk=notice.pk).status == "issued"
