"""Error bodies (and labels) in the request's language: Simplified Chinese first, English on request."""

import pytest

pytestmark = pytest.mark.django_db


def contact(client, order, body=None, **headers):
    body = {"method": "phone", "note": "已联系"} if body is None else body
    return client.post(f"/api/v1/orders/{order.pk}/contact/", body, format="json", headers=headers)


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("zh-hans", "工单当前状态为「已上报」，不能执行「联系群众」。"),
        ("en", "The order is “Reported”; “Contact the citizen” is not possible now."),
    ],
)
def test_409_speaks_the_request_language(api, officer_a, order_in, language, detail):
    response = contact(api(officer_a, language=language), order_in("reported"))
    assert response.status_code == 409
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(("language", "status_label"), [("zh-hans", "已上报"), ("en", "Reported")])
def test_409_names_the_state_in_the_request_language(api, officer_a, order_in, language, status_label):
    body = contact(api(officer_a, language=language), order_in("reported")).json()
    assert (body["status"], body["status_label"]) == ("reported", status_label)


@pytest.mark.parametrize(
    ("language", "note_error", "method_error"),
    [
        ("zh-hans", "该字段是必填项。", "“fax” 不是合法选项。"),
        ("en", "This field is required.", '"fax" is not a valid choice.'),
    ],
)
def test_400_gives_a_message_per_field_in_the_request_language(
    api, officer_a, order_in, language, note_error, method_error
):
    order = order_in("dispatched")
    response = contact(api(officer_a, language=language), order, {"method": "fax"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"method": [method_error], "note": [note_error]}


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请输入有效的电话号码。"), ("en", "Please enter a valid phone number.")],
)
def test_services_field_message_in_the_request_language(api, dispatcher, topic, language, message):
    body = {
        "channel": "12345",
        "caller_name": "王女士",
        "caller_phone": "call me",
        "content": "噪音",
        "nature": "complaint",
        "handling_type": "service",
        "topic": topic.pk,
    }
    response = api(dispatcher, language=language).post("/api/v1/orders/", body, format="json")
    assert response.json()["errors"] == {"caller_phone": [message]}


@pytest.mark.parametrize(
    ("language", "detail"),
    [("zh-hans", "您的角色不能执行「联系群众」。"), ("en", "Your role may not “Contact the citizen”.")],
)
def test_403_speaks_the_request_language(api, dispatcher, order_in, language, detail):
    response = contact(api(dispatcher, language=language), order_in("dispatched"))
    assert (response.status_code, response.json()["detail"]) == (403, detail)


@pytest.mark.parametrize(("language", "detail"), [("zh-hans", "未找到。"), ("en", "Not found.")])
def test_404_speaks_the_request_language(api, officer_b, order_in, language, detail):
    response = api(officer_b, language=language).get(f"/api/v1/orders/{order_in('dispatched').pk}/")
    assert (response.status_code, response.json()["detail"]) == (404, detail)


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("zh-hans", "工单已被他人修改（当前版本 2），请刷新后重试。"),
        ("en", "Someone else has changed the order (current version 2); reload it and try again."),
    ],
)
def test_412_speaks_the_request_language(api, officer_a, order_in, language, detail):
    response = contact(api(officer_a, language=language), order_in("dispatched"), **{"If-Match": '"1"'})
    assert (response.status_code, response.json()["detail"]) == (412, detail)


@pytest.mark.parametrize(
    ("language", "code"), [("zh-hans", "身份认证信息未提供。"), ("en", "Authentication credentials were not provided.")]
)
def test_401_speaks_the_request_language(api, language, code):
    response = api(None, language=language).get("/api/v1/orders/")
    assert (response.status_code, response.json()["detail"]) == (401, code)


def test_labels_follow_the_request_language(api, dispatcher, order_in):
    order = order_in("dispatched")
    zh = api(dispatcher).get(f"/api/v1/orders/{order.pk}/").json()
    en = api(dispatcher, language="en").get(f"/api/v1/orders/{order.pk}/").json()
    assert (zh["status_label"], en["status_label"]) == ("已转办", "Dispatched")
    assert (zh["handling_type_label"], en["handling_type_label"]) == ("管理服务类", "Management / service")
    assert [a["label"] for a in en["allowed_actions"]] == ["Redispatch", "Merge", "Record leader instruction"]


def test_without_accept_language_the_answer_is_chinese(api, officer_a, order_in):
    response = contact(api(officer_a), order_in("reported"))
    assert response.json()["status_label"] == "已上报"
