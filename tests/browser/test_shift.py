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


def test_an_order_created_over_the_api_appears_on_an_open_board_without_a_reload(login, live_server, dispatcher, topic):
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


def test_board_at_1366x768_shows_intake_suggestion_submit_and_queue_counts_without_scrolling(
    login, dispatcher, topic, routing
):
    for i in range(8):
        services.order_intake(
            channel="12345",
            caller_name="李先生",
            caller_phone="13600003333",
            address="城关街道幸福小区1号楼",
            content=f"等待转办的工单 {i}。",
            nature="complaint",
            handling_type="service",
            topic=topic,
            acting_user=dispatcher,
        )
    page = login(dispatcher)
    page.fill("#id_intake_address", "城关街道幸福小区3号楼")
    page.select_option("#id_intake_topic", label=topic.name)
    expect(page.locator("#intake-suggest")).to_contain_text("城关派出所")
    height = page.viewport_size["height"]
    for selector in ("#intake-suggest", "#intake button[type=submit]", "#desk-strip", "#id_intake_content"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} at {box}"
    assert page.evaluate("window.scrollY") == 0
    page.locator("#desk-strip a[href='#sent-back']").click()
    expect(page.locator("#sent-back h2")).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "shift-04-board-1366x768.png"))


def test_callback_queue_walks_three_orders_with_the_keyboard(login, dispatcher, officer_a, reviewer, station_a, topic):
    orders = []
    for i in range(3):
        order = make_dispatched(dispatcher, station_a, topic, content=f"第{i + 1}张待回访工单。")
        order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系。")
        order = services.order_report(order=order, acting_user=officer_a, outcome="resolved", text=f"已处理{i + 1}。")
        orders.append(services.order_approve(order=order, acting_user=reviewer))
    page = login(dispatcher)
    page.goto(page.url.split("/dispatch")[0] + "/callbacks/")
    page.keyboard.press("?")
    expect(page.locator("#key-help")).to_have_attribute("open", "")
    shot(page, "shift-05-callback-desk")
    page.keyboard.press("?")
    # n skips to the next order without submitting, p comes back.
    expect(page.locator(".review-order")).to_have_attribute("data-order", orders[0].number)
    page.keyboard.press("n")
    expect(page.locator(".review-order")).to_have_attribute("data-order", orders[1].number)
    page.keyboard.press("p")
    expect(page.locator(".review-order")).to_have_attribute("data-order", orders[0].number)
    for i, order in enumerate(orders):
        expect(page.locator(".review-order")).to_have_attribute("data-order", order.number)
        page.keyboard.press("1" if i < 2 else "3")
        page.keyboard.press("w")
        page.keyboard.type(f"群众意见{i + 1}")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".messages")).to_contain_text(f"{order.number}：回访 已完成")
    expect(page.locator(".review-list .empty")).to_be_visible()
    statuses = {o.satisfaction for o in WorkOrder.objects.filter(pk__in=[o.pk for o in orders])}
    assert statuses == {"satisfied", "unsatisfied"}
    # The two satisfied ones closed at once; the unsatisfied one waits for its own decision.
    page.locator("[data-check-all=order]").check()
    page.get_by_test_id("close-many").click()
    expect(page.locator(".messages")).to_contain_text("已办结 2 张工单")
    expect(page.locator("#awaiting-close article.order-row")).to_have_count(1)
    shot(page, "shift-06-callback-after-bulk-close")


def test_the_shift_pages_run_their_scripts_without_errors(login, live_server, dispatcher, officer_a, station_a, topic):
    """`new_context` fails the test on any uncaught script error (pageerror) or CSP refusal."""
    base = live_server.url
    make_dispatched(dispatcher, station_a, topic)
    desk = login(dispatcher)
    desk.locator("#sound-toggle").click()  # the WebAudio context is made on this click
    expect(desk.locator("#sound-toggle")).to_have_attribute("aria-pressed", "true")
    services.order_intake(
        channel="12345",
        caller_name="孙女士",
        caller_phone="13500004444",
        address="城关街道幸福小区2号楼",
        content="紧急：有人在楼道吸烟。",
        nature="complaint",
        handling_type="service",
        urgency="urgent",
        topic=topic,
        acting_user=dispatcher,
    )
    expect(desk.locator("#waiting article.order-row")).to_have_count(1, timeout=10_000)  # a poll swapped in
    desk.goto(base + "/callbacks/")
    desk.keyboard.press("?")
    desk.keyboard.press("/")
    expect(desk.locator("#id_q")).to_be_focused()
    desk.goto(base + "/orders/?ordering=received_at")
    desk.fill("#id_saved_name", "按受理时间")
    desk.get_by_role("button", name="保存当前查询").click()
    expect(desk.locator("#saved-searches")).to_contain_text("按受理时间")
    desk.get_by_test_id("sort-deadline").click()
    expect(desk.locator("th[aria-sort]")).to_have_count(1)
    shot(desk, "shift-07-search")
    station = login(officer_a)
    station.locator("#notices > summary").click()
    expect(station.locator("#notices")).to_have_attribute("open", "")


def test_dispatcher_dispatches_the_most_urgent_order_to_the_suggested_unit_with_the_keyboard(
    login, dispatcher, topic, routing
):
    def intake(content, urgency):
        return services.order_intake(
            channel="12345",
            caller_name="周先生",
            caller_phone="13400005555",
            address="城关街道幸福小区7号楼",
            content=content,
            nature="complaint",
            handling_type="service",
            urgency=urgency,
            topic=topic,
            acting_user=dispatcher,
        ).order

    older = intake("一般工单，先到。", "normal")
    critical = intake("特急工单，后到。", "critical")
    page = login(dispatcher)
    rows = page.locator("#waiting article.order-row")
    assert rows.nth(0).get_attribute("data-order") == critical.number
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("is-selected"))
    page.keyboard.press("d")
    expect(page.locator(".messages")).to_contain_text(f"{critical.number}：转办 已完成")
    critical.refresh_from_db()
    assert critical.unit.name == "城关派出所"
    expect(page.locator("#waiting article.order-row")).to_have_count(1)
    assert page.locator("#waiting article.order-row").get_attribute("data-order") == older.number
    page.keyboard.press("i")
    expect(page.locator("#id_intake_caller_name")).to_be_focused()
