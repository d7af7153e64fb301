"""A whole shift: the officer's nearest deadline first, the dispatcher's live queue, the callback queue."""

import datetime as dt
import re

import pytest
import requests
from django.utils import timezone

from stations.tokens import token_issue
from supervision.models import InboxItem, Notification
from tests.browser.conftest import ARTIFACTS, PHONE, expect, shot
from tests.browser.test_pages import make_dispatched
from tickets import services
from tickets.models import WorkOrder

pytestmark = pytest.mark.browser


def test_order_due_for_contact_in_30_minutes_sits_above_one_due_for_handling_tomorrow(
    login, dispatcher, officer_a, station_a, topic
):
    now = timezone.now()
    contacted = make_dispatched(dispatcher, station_a, topic, content="已联系的工单，明天到办理时限。")
    services.order_contact(order=contacted, acting_user=officer_a, method="phone", note="已联系。")
    WorkOrder.objects.filter(pk=contacted.pk).update(handling_deadline=now + dt.timedelta(days=1))
    fresh = make_dispatched(dispatcher, station_a, topic, content="刚转办的工单，半小时内须联系。")
    WorkOrder.objects.filter(pk=fresh.pk).update(
        contact_deadline=now + dt.timedelta(minutes=30), handling_deadline=now + dt.timedelta(days=1, hours=2)
    )
    page = login(officer_a)
    rows = page.locator("#open-orders article.order-row")
    expect(rows).to_have_count(2)
    assert rows.nth(0).get_attribute("data-order") == fresh.number
    assert rows.nth(1).get_attribute("data-order") == contacted.number
    expect(page.get_by_test_id("count-soon")).to_have_text("1")
    shot(page, "shift-01-workbench-desktop")


def test_phone_workbench_shows_an_order_in_the_first_screen(login, dispatcher, officer_a, station_a, topic):
    order = make_dispatched(dispatcher, station_a, topic)
    page = login(officer_a, viewport=PHONE)
    row = page.locator(f"#open-orders article.order-row[data-order='{order.number}']")
    expect(row).to_be_visible()
    top = row.bounding_box()["y"]
    assert top < PHONE["height"] - 100, f"the first order starts at {top}px, below the first screen"
    expect(row.locator("a.tel")).to_have_attribute("href", "tel:13700001111")
    expect(page.locator("#notices")).not_to_have_attribute("open", "")
    shot(page, "shift-02-workbench-phone")
    page.screenshot(path=str(ARTIFACTS / "shift-02-workbench-phone-first-screen.png"))


def test_an_order_created_over_the_api_appears_on_an_open_board_without_a_reload(
    login, live_server, dispatcher, topic
):
    page = login(dispatcher)
    expect(page.locator("#desk-strip")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    _token, token = token_issue(user=dispatcher, name="platform")
    response = requests.post(
        f"{live_server.url}/api/v1/orders/",
        json={
            "channel": "12345",
            "caller_name": "钱女士",
            "caller_phone": "13900002222",
            "address": "城关街道幸福小区5号楼",
            "content": "楼下商铺深夜音响扰民，特急。",
            "nature": "complaint",
            "handling_type": "service",
            "urgency": "critical",
            "topic": topic.pk,
        },
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    notification = Notification.objects.create(category="test", title="新的督办消息")
    InboxItem.objects.create(notification=notification, user=dispatcher)
    expect(page.locator(f"#waiting article.order-row[data-order='{number}']")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("unread-count")).to_have_text("1", timeout=10_000)
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    shot(page, "shift-03-board-live")
