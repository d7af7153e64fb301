"""Idempotency-Key: a retried POST answers what the first answered and does nothing twice."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tickets import services
from tickets.models import ContactRecord, IdempotencyRecord, OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


@pytest.fixture
def payload(topic):
    return {
        "channel": "walk_in",
        "caller_name": "李先生",
        "caller_phone": "13900001111",
        "content": "咨询户籍迁移手续。",
        "nature": "consultation",
        "handling_type": "consultation",
        "topic": topic.pk,
    }


def post(client, path, body, key):
    return client.post(path, body, format="json", headers={"Idempotency-Key": key})


def test_retried_intake_with_the_same_key_creates_one_order(api, dispatcher, payload):
    first = post(api(dispatcher), ORDERS, payload, "key-1")
    again = post(api(dispatcher), ORDERS, payload, "key-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert WorkOrder.objects.count() == 1


def test_retried_action_does_nothing_twice(api, officer_a, order_in):
    order = order_in("dispatched")
    body = {"method": "phone", "note": "已联系"}
    first = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    again = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert ContactRecord.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, action="contact").count() == 1


def test_without_the_key_a_retried_action_is_refused_by_the_state(api, officer_a, order_in):
    order = order_in("dispatched")
    body = {"method": "phone", "note": "已联系"}
    api(officer_a).post(f"{ORDERS}{order.pk}/contact/", body, format="json")
    assert api(officer_a).post(f"{ORDERS}{order.pk}/contact/", body, format="json").status_code == 409


def test_same_key_with_another_body_is_422(api, dispatcher, payload):
    post(api(dispatcher), ORDERS, payload, "key-1")
    response = post(api(dispatcher), ORDERS, {**payload, "content": "另一件事"}, "key-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert WorkOrder.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(api, dispatcher, order_in, station_a):
    order = order_in("received")
    other = order_in("received")
    post(api(dispatcher), f"{ORDERS}{order.pk}/dispatch/", {"unit": station_a.pk}, "key-1")
    response = post(api(dispatcher), f"{ORDERS}{other.pk}/dispatch/", {"unit": station_a.pk}, "key-1")
    assert response.status_code == 422
    assert WorkOrder.objects.get(pk=other.pk).status == "received"


def test_keys_belong_to_their_user(api, dispatcher, payload, command_center):
    from stations.models import Role
    from tests.factories import UserFactory

    platform = UserFactory(username="platform", unit=command_center, role=Role.DISPATCHER)
    post(api(dispatcher), ORDERS, payload, "key-1")
    response = post(api(platform), ORDERS, payload, "key-1")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert WorkOrder.objects.count() == 2


def test_a_refused_request_is_not_stored_and_may_be_retried(api, dispatcher, payload):
    refused = post(api(dispatcher), ORDERS, {**payload, "caller_phone": "call me"}, "key-1")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(api(dispatcher), ORDERS, payload, "key-2").status_code == 201


def test_a_malformed_key_is_400(api, dispatcher, payload):
    response = post(api(dispatcher), ORDERS, payload, "x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert WorkOrder.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_run_the_action_once(dispatcher, payload):
    """Two pushes with the same key at the same moment: one order, both answered alike."""
    barrier = threading.Barrier(2)
    answers = []

    def push():
        client = APIClient()
        client.force_authenticate(dispatcher)
        barrier.wait()
        try:
            answers.append(post(client, ORDERS, payload, "same-moment"))
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert WorkOrder.objects.count() == 1
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]


# --- two requests with one key at the same moment, on a transition ---


def _slow(monkeypatch, name: str, seconds: float, started: threading.Event | None = None):
    """Make `services.<name>` hold its transaction open a while, so a duplicate surely overlaps it."""
    from tickets import services

    original = getattr(services, name)

    def slow(**kwargs):
        result = original(**kwargs)
        if started is not None:
            started.set()
        time.sleep(seconds)
        return result

    monkeypatch.setattr(services, name, slow)


def _post_as(user, path, body, key, answers):
    client = APIClient()
    client.force_authenticate(user)
    try:
        answers.append(post(client, path, body, key))
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_transition_get_one_answer_twice(dispatcher, order_in, station_a, monkeypatch):
    """The duplicate waits for the first and replays its answer: never a 409, ten rounds of ten."""
    _slow(monkeypatch, "order_dispatch", 0.2)
    for round_ in range(10):
        order = order_in("received")
        path = f"{ORDERS}{order.pk}/dispatch/"
        barrier = threading.Barrier(2)
        answers: list = []

        def push(path=path, barrier=barrier, answers=answers, key=f"dispatch-{round_}"):
            barrier.wait()
            _post_as(dispatcher, path, {"unit": station_a.pk}, key, answers)

        threads = [threading.Thread(target=push) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert [a.status_code for a in answers] == [200, 200], (round_, [a.content for a in answers])
        assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
        assert answers[0].json() == answers[1].json()
        assert answers[0]["ETag"] == answers[1]["ETag"]
        assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_that_waited_too_long_is_told_to_retry(dispatcher, order_in, station_a, monkeypatch):
    from tickets.api import idempotency

    monkeypatch.setattr(idempotency, "CLAIM_WAIT_SECONDS", 0.2)
    started = threading.Event()
    _slow(monkeypatch, "order_dispatch", 1.5, started)
    order = order_in("received")
    path = f"{ORDERS}{order.pk}/dispatch/"
    first: list = []
    thread = threading.Thread(target=_post_as, args=(dispatcher, path, {"unit": station_a.pk}, "slow", first))
    thread.start()
    assert started.wait(5)

    client = APIClient()
    client.force_authenticate(dispatcher)
    waited = post(client, path, {"unit": station_a.pk}, "slow")
    thread.join()

    assert waited.status_code == 409
    assert waited.json()["code"] == "idempotency_key_in_progress"
    assert waited["Retry-After"] == "1"
    assert first[0].status_code == 200
    retried = post(client, path, {"unit": station_a.pk}, "slow")
    assert (retried.status_code, retried["Idempotent-Replayed"]) == (200, "true")
    assert retried.json() == first[0].json()
    assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


# --- a replay is an answer about an order: only for who may still see it ---


def test_replay_for_a_user_who_lost_the_order_is_404(api, officer_a, dispatcher, order_in, station_b):
    order = order_in("dispatched")
    body = {"method": "phone", "note": "已联系"}
    first = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    assert first.status_code == 200
    assert first.json()["caller_phone"] == "13812345678"  # the unit calls the citizen: the full number
    services.order_redispatch(order=order, unit=station_b, acting_user=dispatcher)

    again = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    assert again.status_code == 404
    assert again.json()["code"] == "not_found"
    assert "13812345678" not in again.content.decode()


def test_replay_for_a_user_who_still_sees_the_order_is_given(api, officer_a, order_in):
    order = order_in("dispatched")
    body = {"method": "phone", "note": "已联系"}
    first = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    again = post(api(officer_a), f"{ORDERS}{order.pk}/contact/", body, "contact-1")
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
