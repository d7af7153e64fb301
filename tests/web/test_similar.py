"""The dispatcher's similar-orders panel and its two buttons (并入此工单, 登记并关联), and the API (#16)."""

import pytest
from django.urls import reverse

from tests.web.test_views import intake_data
from tickets.models import OrderEvent, Status, WorkOrder

pytestmark = pytest.mark.django_db

PHONE = "13955556666"


def panel(client, **typed):
    return client.get(reverse("tickets:intake_similar"), typed)


def test_the_panel_lists_similar_orders_with_their_reason_and_buttons(client, dispatcher, make_order):
    earlier = make_order(caller_phone=PHONE, address="翠微苑5栋", content="楼上夜间装修噪音扰民")
    client.force_login(dispatcher)
    html = panel(client, caller_phone=PHONE, address="翠微苑5栋", content="楼上装修噪音").content.decode()
    assert earlier.number in html
    assert "同一来电号码，1天内第2次" in html and "地址相同" in html
    assert f'name="merge_into" value="{earlier.pk}"' in html
    assert f'name="relate_to" value="{earlier.pk}"' in html


def test_the_panel_waits_until_enough_is_typed(client, dispatcher, make_order):
    earlier = make_order(caller_phone=PHONE)
    client.force_login(dispatcher)
    html = panel(client, caller_phone="1395").content.decode()
    assert earlier.number not in html and "输入来电号码" in html


def test_a_closed_order_can_be_linked_but_not_merged_into(client, dispatcher, make_order, loop):
    closed = loop.closed(caller_phone=PHONE)
    client.force_login(dispatcher)
    html = panel(client, caller_phone=PHONE).content.decode()
    assert f'name="relate_to" value="{closed.pk}"' in html
    assert f'name="merge_into" value="{closed.pk}"' not in html


def test_the_panel_is_for_the_dispatch_desk(client, officer_a):
    client.force_login(officer_a)
    assert panel(client, caller_phone=PHONE).status_code == 403


def test_merge_from_the_suggestion_registers_and_merges_in_one_go(client, dispatcher, topic, dispatched):
    client.force_login(dispatcher)
    response = client.post(
        reverse("tickets:intake"), intake_data(topic, caller_phone=PHONE, merge_into=dispatched.pk), follow=True
    )
    new = WorkOrder.objects.exclude(pk=dispatched.pk).get()
    assert new.status == Status.MERGED and new.merged_into_id == dispatched.pk
    assert [e.action for e in new.events.order_by("id")] == ["intake", "merge"]
    assert f"并入工单 {dispatched.number}" in response.content.decode()


def test_a_refused_merge_registers_nothing(client, dispatcher, topic, loop):
    closed = loop.closed()
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, merge_into=closed.pk))
    assert "主工单已办结或已被并单" in response.content.decode()
    assert WorkOrder.objects.count() == 1


def test_merge_into_an_order_the_user_may_not_see_is_refused(client, dispatcher, topic):
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, merge_into=999999))
    assert "要并入或关联的工单不存在或您无权查看" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_register_and_link_shows_the_link_on_both_pages(client, dispatcher, topic, dispatched, station_a):
    client.force_login(dispatcher)
    client.post(reverse("tickets:intake"), intake_data(topic, relate_to=dispatched.pk, dispatch_to=station_a.pk))
    new = WorkOrder.objects.exclude(pk=dispatched.pk).get()
    assert new.status == Status.DISPATCHED
    assert list(new.related_orders.all()) == [dispatched]
    assert OrderEvent.objects.filter(action="relate").count() == 2
    for here, there in ((new, dispatched), (dispatched, new)):
        html = client.get(reverse("tickets:order_detail", args=[here.pk])).content.decode()
        assert "关联工单" in html and there.number in html


def test_a_linked_order_the_user_may_not_see_is_not_shown(client, dispatcher, officer_b, make_order, loop):
    from tickets import services

    mine = loop.dispatched()  # station A
    other = make_order()
    services.order_relate(order=other, related=mine, acting_user=dispatcher)
    services.order_dispatch(order=other, unit=officer_b.unit, acting_user=dispatcher)
    client.force_login(officer_b)
    html = client.get(reverse("tickets:order_detail", args=[other.pk])).content.decode()
    assert mine.number not in html


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_answers_the_reasons(client, dispatcher, make_order):
    earlier = make_order(caller_phone=PHONE, address="翠微苑5栋")
    client.force_login(dispatcher)
    body = client.get("/api/v1/orders/similar/", {"phone": PHONE, "address": "翠微苑5栋"}).json()
    assert [row["order"]["id"] for row in body] == [earlier.pk]
    assert body[0]["reasons"] == ["同一来电号码，1天内第2次", "地址相同"]
    assert body[0]["can_merge_into"] is True


def test_the_api_lists_only_what_the_user_may_see(client, officer_b, loop):
    loop.dispatched(caller_phone=PHONE, address="翠微苑5栋")
    client.force_login(officer_b)
    assert client.get("/api/v1/orders/similar/", {"phone": PHONE, "address": "翠微苑5栋"}).json() == []


def test_the_api_refuses_overlong_input(client, dispatcher):
    client.force_login(dispatcher)
    response = client.get("/api/v1/orders/similar/", {"address": "路" * 201})
    assert response.status_code == 400 and "address" in response.json()["errors"]


def test_the_api_needs_a_sign_in(client):
    assert client.get("/api/v1/orders/similar/", {"phone": PHONE}).status_code in (401, 403)
