"""The callback desk: one order at a time, paged, filtered, and many satisfied orders closed at once."""

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import OrderEvent, Outcome, Satisfaction, Status
from tickets.views.queues import CALLBACK_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def approve(make_order, dispatcher, station_a, officer_a, reviewer):
    def make(**overrides):
        order = services.order_dispatch(order=make_order(**overrides), unit=station_a, acting_user=dispatcher)
        order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系。")
        order = services.order_report(order=order, acting_user=officer_a, outcome=Outcome.RESOLVED, text="已处理。")
        return services.order_approve(order=order, acting_user=reviewer)

    return make


def _called(approve, dispatcher, satisfaction=Satisfaction.SATISFIED, **overrides):
    return services.order_callback(order=approve(**overrides), acting_user=dispatcher, satisfaction=satisfaction)


def test_callback_desk_shows_the_first_waiting_order_with_its_report_and_the_buttons(client, dispatcher, approve):
    order = approve(content="楼上漏水，物业不管。")
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:callback_queue")).content.decode()
    assert f'class="card review-order" data-order="{order.number}"' in html
    assert "楼上漏水，物业不管。" in html
    assert "已处理。" in html
    assert 'data-digit-radios data-key-submit' in html
    assert 'name="satisfaction"' in html


def test_callback_desk_next_link_goes_to_the_following_order(client, dispatcher, approve):
    first, second = approve(), approve()
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:callback_order", args=[first.pk])).content.decode()
    assert f'data-key="n" href="{reverse("tickets:callback_order", args=[second.pk])}"' in html


def test_callback_desk_pages_the_waiting_list(client, dispatcher, approve):
    orders = [approve() for _ in range(CALLBACK_PAGE + 2)]
    client.force_login(dispatcher)
    first = client.get(reverse("tickets:callback_queue")).content.decode()
    second = client.get(reverse("tickets:callback_queue"), {"page": 2}).content.decode()
    assert orders[-1].number not in first
    assert orders[-1].number in second


def test_callback_desk_filters_by_words_of_the_address(client, dispatcher, approve):
    kept = approve(address="卧龙山街道青山路1号")
    other = approve(address="城关街道幸福小区3号楼")
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:callback_queue"), {"q": "青山路"}).content.decode()
    assert kept.number in html
    assert other.number not in html


def test_callback_desk_answers_any_page_and_filter_without_error(client, dispatcher, approve):
    approve()
    client.force_login(dispatcher)
    for params in ({"page": "x"}, {"page": "999"}, {"unit": "abc"}, {"q": "\x00" * 3}, {"cpage": "-1"}):
        assert client.get(reverse("tickets:callback_queue"), params).status_code == 200


def test_callback_submitted_from_the_desk_comes_back_to_the_desk(client, dispatcher, approve):
    order = approve()
    client.force_login(dispatcher)
    response = client.post(
        reverse("tickets:order_action", args=[order.pk, "callback"]),
        {"satisfaction": "satisfied", "citizen_words": "", "version": order.version, "next": "/callbacks/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/callbacks/"


def test_bulk_close_closes_each_ticked_satisfied_order_with_its_event(client, dispatcher, approve):
    a, b = _called(approve, dispatcher), _called(approve, dispatcher, Satisfaction.BASICALLY)
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:callback_close_many"), {"order": [a.pk, b.pk]})
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == (Status.CLOSED, Status.CLOSED)
    assert OrderEvent.objects.filter(order__in=[a, b], action="close").count() == 2


def test_bulk_close_leaves_an_unsatisfied_order_open_and_says_why(client, dispatcher, approve):
    kept = _called(approve, dispatcher, Satisfaction.UNSATISFIED)
    closed = _called(approve, dispatcher)
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:callback_close_many"), {"order": [kept.pk, closed.pk]}, follow=True)
    kept.refresh_from_db(), closed.refresh_from_db()
    assert kept.status == Status.CALLBACK_DONE
    assert closed.status == Status.CLOSED
    assert "回访不满意的工单不能批量办结" in response.content.decode()


def test_bulk_close_ignores_ids_that_are_not_in_the_close_queue(client, dispatcher, approve):
    waiting = approve()
    client.force_login(dispatcher)
    client.post(reverse("tickets:callback_close_many"), {"order": [waiting.pk, "abc", "9" * 30]})
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED


def test_bulk_close_is_for_the_dispatch_desk_only(client, officer_a, dispatcher, approve):
    order = _called(approve, dispatcher)
    client.force_login(officer_a)
    assert client.post(reverse("tickets:callback_close_many"), {"order": [order.pk]}).status_code == 403
    order.refresh_from_db()
    assert order.status == Status.CALLBACK_DONE
