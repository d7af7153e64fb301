"""Similar orders appear as the dispatcher types, and one click merges the new call into one (#16)."""

import pytest

from tests.browser.conftest import PHONE as PHONE_VIEWPORT
from tests.browser.conftest import expect, fits_width, shot
from tickets import services
from tickets.models import Channel, HandlingType, Nature, Status, WorkOrder

pytestmark = pytest.mark.browser


def register(dispatcher, topic, **overrides):
    data = {
        "channel": Channel.HOTLINE_12345,
        "caller_name": "王女士",
        "caller_phone": "13955556666",
        "address": "城关街道翠微苑5栋2单元",
        "content": "楼上夜间装修噪音扰民，孩子无法学习。",
        "nature": Nature.COMPLAINT,
        "handling_type": HandlingType.SERVICE,
        "topic": topic,
        "acting_user": dispatcher,
    }
    data.update(overrides)
    return services.order_intake(**data).order


def fill_intake(page, topic, *, phone, address, content):
    page.fill("#id_intake_caller_name", "王女士")
    page.select_option("#id_intake_topic", label=topic.name)
    page.select_option("#id_intake_nature", "complaint")
    page.locator("#id_intake_caller_phone").press_sequentially(phone)
    page.locator("#id_intake_address").press_sequentially(address)
    page.locator("#id_intake_content").press_sequentially(content)


def test_similar_orders_appear_as_the_dispatcher_types_and_merge_in_one_click(
    login, dispatcher, station_a, topic
):
    earlier = services.order_dispatch(order=register(dispatcher, topic), unit=station_a, acting_user=dispatcher)
    neighbour = register(
        dispatcher, topic, caller_phone="13700000001", address="翠微苑12栋", content="车辆占用消防通道"
    )
    register(dispatcher, topic, caller_phone="13700000002", address="人民路88号", content="咨询护照办理")

    page = login(dispatcher)
    similar = page.locator("#intake-similar")
    expect(similar).to_contain_text("输入来电号码")

    # The phone alone finds the earlier call, with why.
    page.locator("#id_intake_caller_phone").press_sequentially("13955556666")
    expect(similar.locator(f"[data-order='{earlier.number}']")).to_contain_text("同一来电号码，1天内第2次")
    # The address adds the neighbour in the same community, below the earlier call.
    page.locator("#id_intake_address").press_sequentially("城关街道翠微苑5栋2单元")
    expect(similar.locator(f"[data-order='{neighbour.number}']")).to_contain_text("同一小区或道路（翠微苑）")
    expect(similar.locator(f"[data-order='{earlier.number}']")).to_contain_text("地址相同")
    page.locator("#id_intake_content").press_sequentially("楼上装修噪音扰民，晚上睡不着")
    expect(similar.locator(f"[data-order='{earlier.number}']")).to_contain_text("内容相似 0.")
    numbers = similar.locator(".similar-order").evaluate_all("els => els.map(e => e.dataset.order)")
    assert numbers == [earlier.number, neighbour.number]
    shot(page, "similar-01-as-the-dispatcher-types")

    page.fill("#id_intake_caller_name", "王女士")
    page.select_option("#id_intake_topic", label=topic.name)
    page.select_option("#id_intake_nature", "complaint")
    similar.locator(f"[data-order='{earlier.number}']").get_by_role("button", name="并入此工单").click()
    expect(page.locator(".messages")).to_contain_text(f"并入工单 {earlier.number}")
    merged = WorkOrder.objects.get(caller_phone="13955556666", status=Status.MERGED)
    assert merged.merged_into_id == earlier.pk
    shot(page, "similar-02-merged")


def test_register_and_link_from_the_panel_on_a_phone(login, dispatcher, topic):
    earlier = register(dispatcher, topic)
    page = login(dispatcher, viewport=PHONE_VIEWPORT)
    fill_intake(page, topic, phone="13955556666", address="翠微苑5栋2单元", content="又来电反映噪音")
    row = page.locator(f"#intake-similar [data-order='{earlier.number}']")
    expect(row).to_contain_text("同一来电号码")
    assert fits_width(page)
    row.get_by_role("button", name="登记并关联").click()
    expect(page.locator(".messages")).to_contain_text("已与相似工单关联")
    new = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert list(new.related_orders.all()) == [earlier]
    page.goto(page.url.split("/dispatch")[0] + f"/orders/{earlier.pk}/")
    expect(page.locator(".related-orders")).to_contain_text(new.number)
    shot(page, "similar-03-linked-order-page-phone")
