"""POST /api/v1/orders/{id}/instruct/: a leader's instruction recorded over REST."""

import pytest

from tickets.models import LeaderInstruction

pytestmark = pytest.mark.django_db

BODY = {"instructor": "局长 张某", "text": "请务必当日解决"}


def instruct(client, order, body=None, **headers):
    return client.post(f"/api/v1/orders/{order.pk}/instruct/", body or BODY, format="json", **headers)


def test_supervisor_records_an_instruction_and_the_status_stays(api, supervisor, order_in):
    order = order_in("contacted")
    response = instruct(api(supervisor), order)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["leader_instructed"]) == ("contacted", True)
    assert "局长 张某：请务必当日解决" in body["leader_instruction"]
    assert LeaderInstruction.objects.filter(order=order, instructor="局长 张某").count() == 1


def test_a_retried_instruction_is_recorded_once(api, dispatcher, order_in):
    order = order_in("dispatched")
    client = api(dispatcher)
    assert instruct(client, order).status_code == 200
    assert instruct(client, order).status_code == 200
    assert order.events.filter(action="instruct").count() == 1


def test_instruction_without_words_is_400_per_field(api, dispatcher, order_in):
    order = order_in("dispatched")
    response = instruct(api(dispatcher), order, {"instructor": "局长 张某", "text": " "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"text": ["此项为必填项。"]}
    assert not LeaderInstruction.objects.filter(order=order).exists()


def test_officer_may_not_record_an_instruction(api, officer_a, order_in):
    order = order_in("dispatched")
    assert instruct(api(officer_a), order).status_code == 403


def test_closed_order_takes_no_instruction(api, dispatcher, order_in):
    order = order_in("closed")
    response = instruct(api(dispatcher), order)
    assert response.status_code == 409
    assert response.json()["status"] == "closed"
