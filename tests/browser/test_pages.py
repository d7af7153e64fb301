"""What a person sees: errors next to the fields, countdown colours, another unit's order, English."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE, expect, fits_width, shot
from tickets import services
from tickets.models import Channel, HandlingType, Nature, WorkOrder

pytestmark = pytest.mark.browser


def make_dispatched(dispatcher, unit, topic, **overrides):
    data = {
        "channel": Channel.HOTLINE_12345,
        "caller_name": "赵先生",
        "caller_phone": "13700001111",
        "address": "城关街道人民路12号",
        "content": "夜间有人在小区门口聚集喧哗。",
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
        "acting_user": dispatcher,
    }
    data.update(overrides)
    order = services.order_intake(**data).order
    return services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)


def due_in(order, delta, now=None):
    WorkOrder.objects.filter(pk=order.pk).update(handling_deadline=(now or timezone.now()) + delta)
    return order


def test_intake_with_bad_input_shows_errors_next_to_the_fields(login, dispatcher, topic):
    page = login(dispatcher)
    page.fill("#id_intake_caller_name", "王女士")
    page.fill("#id_intake_caller_phone", "请回电")
    page.select_option("#id_intake_topic", label=topic.name)
    page.fill("#id_intake_content", "   ")  # only spaces: passes the browser's check, not the server's
    page.locator(".more-fields > summary").click()  # folded under 更多 on the board
    page.check("#id_intake_leader_instructed")
    page.get_by_role("button", name="登记工单").click()
    expect(page.locator(".field-content .error")).to_be_visible()
    page.fill("#id_intake_content", "小区门口烧烤摊油烟扰民。")
    page.get_by_role("button", name="登记工单").click()
    # The form kept what was typed; the service's reasons sit under their fields.
    expect(page.locator("#id_intake_caller_name")).to_have_value("王女士")
    expect(page.locator(".field-caller_phone .error")).to_have_text("请输入有效的电话号码。")
    assert not WorkOrder.objects.exists()
    page.fill("#id_intake_caller_phone", "13812345678")
    page.get_by_role("button", name="登记工单").click()
    expect(page.locator(".field-leader_instruction .error")).to_have_text("标记领导批示时请填写批示内容。")
    shot(page, "forms-01-intake-errors")
    assert not WorkOrder.objects.exists()


def test_unit_forms_with_bad_input_keep_the_order_unchanged(login, dispatcher, officer_a, station_a, topic):
    order = make_dispatched(dispatcher, station_a, topic)
    order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系。")
    page = login(officer_a)
    row = page.locator(f"article[data-order='{order.number}']")

    row.locator("summary", has_text="上报结果").click()
    form = row.locator("form.action-report")
    form.get_by_label("部分解决").check()
    form.locator("textarea[name=text]").fill("已协调物业处理。")
    form.get_by_role("button", name="上报结果").click()
    # The refusal comes back on the order's page, the form open, the reason under its field.
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/"))
    expect(page.locator(".messages")).to_contain_text("未能完成操作")
    expect(page.locator(".action-report .field-unresolved_reason .error")).to_have_text(
        "办理结果为未解决或部分解决时，请说明原因。"
    )
    expect(page.locator(".action-report textarea[name=text]")).to_have_value("已协调物业处理。")

    form = page.locator("details.act-request_extension")
    form.locator("summary").click()
    earlier = timezone.localtime(order.handling_deadline - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=requested_until]").fill(earlier)
    form.locator("textarea[name=reason]").fill("需协调住建部门。")
    form.get_by_role("button", name="申请延期").click()
    expect(page.locator(".action-request_extension .field-requested_until .error")).to_contain_text("必须晚于")
    shot(page, "forms-02-unit-errors")
    order.refresh_from_db()
    assert order.status == "contacted" and not order.extensions.exists()


def test_countdowns_are_green_amber_red_and_tick_live(login, dispatcher, officer_a, station_a, topic):
    now = timezone.now()

    def contacted(**overrides):
        # Contacted, so only the handling clock runs (the workbench sorts by the nearer of two).
        order = make_dispatched(dispatcher, station_a, topic, **overrides)
        return services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系。")

    relaxed = due_in(contacted(content="咨询户籍业务。"), dt.timedelta(hours=5), now)
    closing = due_in(contacted(), dt.timedelta(hours=2, seconds=30), now)
    soon = due_in(contacted(), dt.timedelta(minutes=30), now)
    late = due_in(contacted(), -dt.timedelta(minutes=40, seconds=10), now)

    page = login(officer_a, viewport=DESKTOP)
    # The page's clock stands 20 seconds after `now`, however long signing in took: the words and
    # colours below are exact, and the 2-hour one is still green.
    page.clock.install(time=now)
    page.clock.pause_at(now + dt.timedelta(seconds=20))
    page.reload()
    # Sorted by time left: the overdue one first, the relaxed one last.
    numbers = page.locator("#open-orders article.order-row").evaluate_all("rows => rows.map(r => r.dataset.order)")
    assert numbers == [late.number, soon.number, closing.number, relaxed.number]

    def countdown(order):
        return page.locator(f"article[data-order='{order.number}'] .order-head .countdown")

    expect(countdown(relaxed)).to_have_class(re.compile("state-ok"))
    expect(countdown(relaxed)).to_have_text("剩余 4小时59分")
    expect(countdown(soon)).to_have_class(re.compile("state-soon"))
    expect(countdown(late)).to_have_class(re.compile("state-overdue"))
    expect(countdown(late)).to_have_text("超期 40分钟")
    expect(page.locator("article.is-overdue")).to_have_count(1)
    expect(countdown(closing)).to_have_class(re.compile("state-ok"))
    expect(countdown(closing)).to_have_text("剩余 2小时")
    assert fits_width(page)
    shot(page, "countdown-01-desktop")

    # The countdown ticks in the browser: a minute later the 2-hour one has turned amber.
    page.clock.fast_forward("01:05")
    expect(countdown(closing)).to_have_class(re.compile("state-soon"))
    expect(countdown(closing)).to_have_text("剩余 1小时59分")

    phone = login(officer_a, viewport=PHONE)
    expect(phone.locator(f"article[data-order='{late.number}'] .countdown").first).to_have_class(
        re.compile("state-overdue")
    )
    assert fits_width(phone)
    phone.screenshot(path=str(shot(phone, "countdown-02-phone")).replace(".png", "-viewport.png"))


def test_a_unit_cannot_see_another_units_order(login, live_server, dispatcher, officer_b, station_a, topic):
    order = make_dispatched(dispatcher, station_a, topic)
    page = login(officer_b)
    expect(page.locator("#open-orders")).not_to_contain_text(order.number)
    response = page.goto(f"{live_server.url}/orders/{order.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    page.goto(f"{live_server.url}/orders/?q={order.number}")
    expect(page.locator("table.results")).not_to_contain_text(order.number)
    shot(page, "isolation-01-other-unit-search")


def test_language_switch_shows_english(login, dispatcher, officer_a, station_a, topic):
    make_dispatched(dispatcher, station_a, topic)
    page = login(officer_a)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("#open-orders h2")).to_contain_text("Open orders")
    expect(page.locator("#open-orders h2")).to_contain_text("nearest deadline first")
    expect(page.locator(".countdown").first).to_contain_text("left")
    shot(page, "i18n-01-workbench-english")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("#open-orders h2")).to_contain_text("在办工单")
    expect(page.locator("#open-orders h2")).to_contain_text("最近时限在前")


def test_a_double_clicked_submit_acts_once(login, dispatcher, officer_a, station_a, topic):
    order = make_dispatched(dispatcher, station_a, topic)
    page = login(officer_a)
    posts, held = [], []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    def hold_the_first_post(route):
        if route.request.method == "POST" and not held:
            held.append(route)  # answered below, once the second click is in
        else:
            route.fallback()

    page.route("**/*", hold_the_first_post)
    row = page.locator(f"article[data-order='{order.number}']")
    row.locator("summary", has_text="联系群众").click()
    row.locator("textarea[name=note]").fill("已电话联系。")
    button = row.locator("form.action-contact").get_by_role("button", name="联系群众")
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # The second click of a double-click lands while the first request is still on its way, however
    # fast the server is. (Playwright's own dblclick() is so fast that Chromium usually folds the two
    # submissions into one by itself: a broken guard then failed this test only now and then.)
    with page.expect_request(lambda request: request.method == "POST"):
        page.mouse.click(x, y)
    page.mouse.click(x, y, click_count=2)
    assert len(held) == 1
    held[0].continue_()
    # The person sees the answer to their first click; the second never left the page.
    expect(page.locator(".messages")).to_have_text(f"工单 {order.number}：联系群众 已完成。")
    assert len(posts) == 1, posts
    order.refresh_from_db()
    assert order.status == "contacted" and order.contacts.count() == 1
    assert order.events.filter(action="contact").count() == 1


def test_the_contact_form_sends_the_chosen_method_without_script_errors(
    login, page_errors, dispatcher, officer_a, station_a, topic
):
    # The form's radio buttons are named "method", which shadows form.method in the page's script.
    order = make_dispatched(dispatcher, station_a, topic)
    page = login(officer_a)
    row = page.locator(f"article[data-order='{order.number}']")
    row.locator("summary", has_text="联系群众").click()
    form = row.locator("form.action-contact")
    form.get_by_label("见面").check()
    form.locator("textarea[name=note]").fill("已上门见面沟通。")
    form.get_by_role("button", name="联系群众").click()
    expect(page.locator(".messages")).to_have_text(f"工单 {order.number}：联系群众 已完成。")
    assert page_errors == []
    assert order.contacts.get().method == "in_person"
