"""接单 input: every error in one round, the same words in the browser and the API.

A person fixing a form should not meet a new error after fixing the last one: a bad phone number
is reported together with a missing name. A received time in the future is refused; one more than
30 days back asks for confirmation (a mistyped year must not start an order long overdue).
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.exceptions import InvalidInput
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
TOO_LONG = "最多 5000 个字，现有 5001 个字，请删减。"


def intake_data(topic, **overrides):
    data = {
        "channel": "12345",
        "caller_name": "李先生",
        "caller_phone": "13900001111",
        "address": "城关街道幸福小区5号楼",
        "topic": topic.pk,
        "nature": "complaint",
        "handling_type": "service",
        "urgency": "normal",
        "content": "小区门口夜间烧烤噪音大。",
    }
    data.update(overrides)
    return data


def service_kwargs(topic, **overrides):
    data = intake_data(topic, **overrides)
    data["topic"] = overrides.get("topic", topic)
    return data


def test_the_service_names_every_wrong_field_at_once(topic):
    with pytest.raises(InvalidInput) as refused:
        services.order_intake(**service_kwargs(topic, caller_name="", caller_phone="call me", content=" "))
    assert set(refused.value.field_errors) == {"caller_name", "caller_phone", "content"}
    assert refused.value.field_errors["caller_phone"] == "请输入有效的电话号码。"


def test_the_browser_form_shows_a_bad_phone_together_with_the_other_errors(client, dispatcher, topic):
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, caller_name="", caller_phone="call me"))
    errors = response.context["intake_form"].errors
    assert set(errors) >= {"caller_name", "caller_phone"}
    assert errors["caller_phone"] == ["请输入有效的电话号码。"]
    assert WorkOrder.objects.count() == 0


def test_a_received_time_more_than_30_days_back_needs_confirmation(topic):
    long_ago = timezone.now() - dt.timedelta(days=31)
    with pytest.raises(InvalidInput) as refused:
        services.order_intake(**service_kwargs(topic, received_at=long_ago))
    assert "确认受理时间无误" in str(refused.value.field_errors["received_at"])
    confirmed = services.order_intake(**service_kwargs(topic, received_at=long_ago), received_at_confirmed=True)
    assert confirmed.created and confirmed.order.received_at == long_ago


def test_a_received_time_within_30_days_needs_no_confirmation(topic):
    result = services.order_intake(**service_kwargs(topic, received_at=timezone.now() - dt.timedelta(days=29)))
    assert result.created


def test_the_board_offers_the_confirmation_only_when_it_is_needed(client, dispatcher, topic):
    client.force_login(dispatcher)
    assert "received_at_confirmed" not in client.get(reverse("tickets:dispatch_board")).content.decode()
    old = (timezone.localtime() - dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(reverse("tickets:intake"), intake_data(topic, received_at=old))
    assert 'name="received_at_confirmed"' in refused.content.decode()
    client.post(reverse("tickets:intake"), intake_data(topic, received_at=old, received_at_confirmed="on"))
    assert WorkOrder.objects.count() == 1


def test_the_api_takes_an_old_received_time_only_when_confirmed(api, dispatcher, topic):
    old = (timezone.now() - dt.timedelta(days=40)).isoformat()
    refused = api(dispatcher).post(ORDERS, intake_data(topic, received_at=old), format="json")
    assert refused.status_code == 400 and "received_at" in refused.json()["errors"]
    taken = api(dispatcher).post(ORDERS, intake_data(topic, received_at=old, received_at_confirmed=True), format="json")
    assert taken.status_code == 201


def test_a_too_long_content_gets_the_same_plain_message_in_the_browser_and_the_api(client, api, dispatcher, topic):
    client.force_login(dispatcher)
    board = client.get(reverse("tickets:dispatch_board")).content.decode()
    assert 'maxlength="5000"' in board
    browser = client.post(reverse("tickets:intake"), intake_data(topic, content="字" * 5001))
    assert browser.context["intake_form"].errors["content"] == [TOO_LONG]
    rest = api(dispatcher).post(ORDERS, intake_data(topic, content="字" * 5001), format="json")
    assert rest.json()["errors"]["content"] == [TOO_LONG]
    assert WorkOrder.objects.count() == 0
