"""Reading orders: who sees what, masking, the detail, the timeline."""

import pytest

from tickets import services

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_dispatcher_lists_orders_of_every_unit(api, dispatcher, order_in, station_b, officer_b):
    a = order_in("dispatched")
    b = order_in("dispatched", unit=station_b, officer=officer_b)
    fresh = order_in("received")
    assert ids(api(dispatcher).get(ORDERS)) == {a.pk, b.pk, fresh.pk}


def test_officer_lists_only_own_unit_orders(api, officer_a, order_in, station_b, officer_b):
    own = order_in("dispatched")
    order_in("dispatched", unit=station_b, officer=officer_b)
    order_in("received")
    assert ids(api(officer_a).get(ORDERS)) == {own.pk}


def test_reviewer_lists_orders_waiting_for_review_and_those_reviewed(api, reviewer, order_in):
    waiting = order_in("reported")
    reviewed = order_in("approved")
    order_in("contacted")
    assert ids(api(reviewer).get(ORDERS)) == {waiting.pk, reviewed.pk}


def test_officer_of_other_unit_gets_404_for_an_order(api, officer_b, order_in):
    order = order_in("dispatched")
    response = api(officer_b).get(f"{ORDERS}{order.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_missing_order_and_foreign_order_answer_alike(api, officer_b, order_in):
    order = order_in("dispatched")
    foreign = api(officer_b).get(f"{ORDERS}{order.pk}/").json()
    missing = api(officer_b).get(f"{ORDERS}{order.pk + 1000}/").json()
    assert foreign == missing


def test_malformed_order_id_is_a_json_404(api, dispatcher):
    for raw in ("abc", "99999999999999999999999", "-1", "１"):
        response = api(dispatcher).get(f"{ORDERS}{raw}/")
        assert response.status_code == 404, raw
        assert response.json()["code"] == "not_found"


def test_detail_carries_the_version_as_etag(api, dispatcher, order_in):
    order = order_in("dispatched")
    response = api(dispatcher).get(f"{ORDERS}{order.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{order.version}"'
    assert response.json()["version"] == order.version


def test_detail_lists_the_actions_the_user_may_take_now(api, officer_a, order_in):
    order = order_in("dispatched")
    actions = [a["action"] for a in api(officer_a).get(f"{ORDERS}{order.pk}/").json()["allowed_actions"]]
    assert actions == ["sign", "contact", "send_back", "request_extension"]


def test_detail_includes_the_records_of_the_loop(api, dispatcher, order_in):
    order = order_in("callback_done")
    body = api(dispatcher).get(f"{ORDERS}{order.pk}/").json()
    assert [len(body[k]) for k in ("contacts", "reports", "reviews", "callbacks")] == [1, 1, 1, 1]
    assert body["reports"][0]["outcome"] == "resolved"
    assert body["callbacks"][0]["satisfaction"] == "satisfied"


def test_caller_phone_is_masked_for_a_reviewer(api, reviewer, order_in):
    order = order_in("reported", caller_phone="13812345678")
    body = api(reviewer).get(f"{ORDERS}{order.pk}/").json()
    assert body["caller_phone"] == "138****5678"
    assert body["caller_name"] == "王女士"


def test_caller_phone_is_masked_for_a_supervisor_in_the_list(api, supervisor, order_in):
    order_in("dispatched", caller_phone="13812345678")
    row = api(supervisor).get(ORDERS).json()["results"][0]
    assert row["caller_phone"] == "138****5678"


def test_handling_officer_sees_the_full_phone(api, officer_a, order_in):
    order = order_in("contacted", caller_phone="13812345678")
    assert api(officer_a).get(f"{ORDERS}{order.pk}/").json()["caller_phone"] == "13812345678"


def test_confidential_caller_is_hidden_from_other_officers_of_the_unit(api, head_a, order_in):
    order = order_in("contacted", caller_phone="13812345678", caller_name="王小红", confidential=True)
    body = api(head_a).get(f"{ORDERS}{order.pk}/").json()
    assert (body["caller_name"], body["caller_phone"]) == ("王**", "138****5678")


def test_timeline_lists_every_event_in_order(api, dispatcher, order_in):
    order = order_in("reported")
    response = api(dispatcher).get(f"{ORDERS}{order.pk}/events/")
    assert response.status_code == 200
    assert [e["action"] for e in response.json()] == ["intake", "dispatch", "contact", "report"]
    assert response.json()[1]["action_label"] == "转办"
    assert response.json()[1]["actor"]["id"] == dispatcher.pk


def test_timeline_of_a_foreign_order_is_404(api, officer_b, order_in):
    order = order_in("dispatched")
    assert api(officer_b).get(f"{ORDERS}{order.pk}/events/").status_code == 404


def test_list_marks_overdue_orders(api, dispatcher, order_in):
    order = order_in("dispatched")
    type(order).objects.filter(pk=order.pk).update(handling_deadline=order.dispatched_at)
    row = api(dispatcher).get(ORDERS).json()["results"][0]
    assert row["overdue"] is True


def test_merged_order_points_to_its_primary(api, dispatcher, order_in):
    primary = order_in("dispatched")
    duplicate = order_in("received")
    services.order_merge(order=duplicate, primary=primary, acting_user=dispatcher)
    assert api(dispatcher).get(f"{ORDERS}{duplicate.pk}/").json()["merged_into"] == primary.pk
