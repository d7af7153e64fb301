"""One endpoint per transition: each calls its service and answers with the updated order."""

import pytest

from tests.conftest import after_the_deadline
from tickets import services
from tickets.models import ExtensionRequest, Objection, OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db


def act(client, order, action, body=None):
    return client.post(f"/api/v1/orders/{order.pk}/{action}/", body or {}, format="json")


def test_dispatch_sends_the_order_to_the_unit(api, dispatcher, order_in, station_a):
    order = order_in("received")
    response = act(api(dispatcher), order, "dispatch", {"unit": station_a.pk, "note": "请尽快处理"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["unit"]["id"]) == ("dispatched", station_a.pk)
    assert body["handling_deadline"] is not None
    assert response["ETag"] == f'"{body["version"]}"'


def test_dispatch_to_a_review_unit_is_refused_per_field(api, dispatcher, order_in, review_unit):
    order = order_in("received")
    response = act(api(dispatcher), order, "dispatch", {"unit": review_unit.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"unit": ["只能转办给派出所或警种部门。"]}


def test_redispatch_moves_the_order_to_another_unit(api, dispatcher, order_in, station_b):
    order = order_in("contacted")
    response = act(api(dispatcher), order, "redispatch", {"unit": station_b.pk})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["unit"]["id"]) == ("dispatched", station_b.pk)


def test_sign_records_who_signed_and_when(api, officer_a, order_in):
    order = order_in("dispatched")
    response = act(api(officer_a), order, "sign")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["signed_by"]["id"]) == ("dispatched", officer_a.pk)
    assert body["signed_at"] is not None
    assert "sign" not in [a["action"] for a in body["allowed_actions"]]


def test_signing_twice_is_a_conflict_in_chinese(api, officer_a, order_in):
    order = order_in("dispatched")
    act(api(officer_a), order, "sign")
    response = act(api(officer_a), order, "sign")
    assert response.status_code == 409
    assert response.json()["detail"] == "该工单已签收。"


def test_contact_records_the_conversation(api, officer_a, order_in):
    order = order_in("dispatched")
    response = act(api(officer_a), order, "contact", {"method": "phone", "note": "已与王女士通话"})
    assert response.status_code == 200
    assert response.json()["status"] == "contacted"
    assert response.json()["contacts"][0]["note"] == "已与王女士通话"


def test_contact_without_a_note_gets_the_services_message(api, officer_a, order_in):
    order = order_in("dispatched")
    response = act(api(officer_a), order, "contact", {"method": "phone", "note": " "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"note": ["此项为必填项。"]}


def test_report_records_the_outcome(api, officer_a, order_in):
    order = order_in("contacted")
    response = act(
        api(officer_a),
        order,
        "report",
        {"outcome": "partly", "text": "已调解", "unresolved_reason": "装修期未结束"},
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("reported", "partly")


def test_partly_resolved_report_needs_a_reason(api, officer_a, order_in):
    order = order_in("contacted")
    response = act(api(officer_a), order, "report", {"outcome": "partly", "text": "已调解"})
    assert response.status_code == 400
    assert "unresolved_reason" in response.json()["errors"]


def test_approve_accepts_the_report(api, reviewer, order_in):
    order = order_in("reported")
    response = act(api(reviewer), order, "approve", {"note": "处置得当"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_return_sends_the_report_back_with_a_reason(api, reviewer, order_in):
    order = order_in("reported")
    response = act(api(reviewer), order, "return", {"reason": "请补充处理结果"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["return_count"]) == ("returned", 1)


def test_return_without_a_reason_is_400(api, reviewer, order_in):
    order = order_in("reported")
    response = act(api(reviewer), order, "return", {"reason": ""})
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["请填写理由。"]}


def test_callback_records_satisfaction(api, dispatcher, order_in):
    order = order_in("approved")
    response = act(api(dispatcher), order, "callback", {"satisfaction": "basically", "citizen_words": "还行"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["satisfaction"]) == ("callback_done", "basically")


def test_close_closes_the_loop(api, dispatcher, order_in):
    order = order_in("callback_done")
    response = act(api(dispatcher), order, "close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"] is not None


def test_reopen_starts_a_new_round_after_an_unsatisfied_callback(api, dispatcher, order_in):
    order = order_in("callback_done", satisfaction="unsatisfied")
    response = act(api(dispatcher), order, "reopen", {"reason": "群众不满意"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cycle"]) == ("dispatched", 2)


def test_reopen_of_a_satisfied_order_is_409(api, dispatcher, order_in):
    order = order_in("callback_done")
    response = act(api(dispatcher), order, "reopen", {"reason": "群众不满意"})
    assert response.status_code == 409
    assert response.json()["status"] == "callback_done"


def test_send_back_raises_an_objection(api, officer_a, order_in):
    order = order_in("dispatched")
    response = act(api(officer_a), order, "send-back", {"reason": "不属本所辖区"})
    assert response.status_code == 200
    assert response.json()["status"] == "sent_back"
    assert Objection.objects.get(order=order).reason == "不属本所辖区"


def test_reject_objection_returns_the_order_to_its_unit(api, dispatcher, order_in, officer_a):
    order = order_in("dispatched")
    services.order_send_back(order=order, acting_user=officer_a, reason="不属本所辖区")
    response = act(api(dispatcher), order, "reject-objection", {"reason": "属本所辖区"})
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"


def test_merge_joins_a_duplicate_to_its_primary(api, dispatcher, order_in):
    primary = order_in("dispatched")
    duplicate = order_in("received")
    response = act(api(dispatcher), duplicate, "merge", {"primary": primary.pk, "note": "同一事项"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into"]) == ("merged", primary.pk)


def test_merge_into_itself_is_400(api, dispatcher, order_in):
    order = order_in("received")
    response = act(api(dispatcher), order, "merge", {"primary": order.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"primary": ["不能并入工单自身。"]}


def test_request_extension_answers_with_the_order_and_its_pending_request(api, officer_a, order_in):
    order = order_in("contacted")
    until = after_the_deadline(order)
    response = act(
        api(officer_a), order, "request-extension", {"reason": "需走访多户", "requested_until": until.isoformat()}
    )
    assert response.status_code == 200
    assert response.json()["extensions"][0]["status"] == "pending"
    assert ExtensionRequest.objects.filter(order=order, status="pending").count() == 1


def test_approved_extension_moves_the_handling_deadline(api, dispatcher, officer_a, order_in):
    order = order_in("contacted")
    until = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=officer_a, reason="需走访", requested_until=until)
    response = act(api(dispatcher), order, "decide-extension", {"approve": True})
    assert response.status_code == 200
    assert WorkOrder.objects.get(pk=order.pk).handling_deadline == until


def test_rejecting_an_extension_needs_a_note(api, dispatcher, officer_a, order_in):
    order = order_in("contacted")
    until = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=officer_a, reason="需走访", requested_until=until)
    response = act(api(dispatcher), order, "decide-extension", {"approve": False})
    assert response.status_code == 400
    assert response.json()["errors"] == {"note": ["请填写理由。"]}


def test_deciding_without_a_pending_request_is_409(api, dispatcher, order_in):
    order = order_in("contacted")
    response = act(api(dispatcher), order, "decide-extension", {"approve": True})
    assert response.status_code == 409
    assert response.json()["detail"] == "该工单没有待审批的延期申请。"


def test_assign_names_the_handling_officer(api, head_a, officer_a, order_in):
    order = order_in("dispatched")
    response = act(api(head_a), order, "assign", {"officer": officer_a.pk})
    assert response.status_code == 200
    assert response.json()["officer"]["id"] == officer_a.pk


def test_assign_an_officer_of_another_unit_is_400(api, head_a, officer_b, order_in):
    order = order_in("dispatched")
    response = act(api(head_a), order, "assign", {"officer": officer_b.pk})
    assert response.status_code == 400
    assert "officer" in response.json()["errors"]


def test_action_forbidden_in_the_current_state_is_409_naming_the_state(api, officer_a, order_in):
    order = order_in("reported")
    response = act(api(officer_a), order, "contact", {"method": "phone", "note": "再次联系"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["status"], body["status_label"]) == ("invalid_transition", "reported", "已上报")
    assert "已上报" in body["detail"]


def test_refused_action_changes_nothing(api, officer_a, order_in):
    order = order_in("reported")
    events = OrderEvent.objects.filter(order=order).count()
    act(api(officer_a), order, "contact", {"method": "phone", "note": "再次联系"})
    assert OrderEvent.objects.filter(order=order).count() == events
    assert WorkOrder.objects.get(pk=order.pk).version == order.version


def test_permission_is_decided_before_the_body_is_read(api, supervisor, order_in):
    order = order_in("dispatched")
    assert act(api(supervisor), order, "contact", {}).status_code == 403


def test_actions_accept_only_post(api, dispatcher, order_in):
    order = order_in("received")
    assert api(dispatcher).get(f"/api/v1/orders/{order.pk}/dispatch/").status_code == 405
