"""One order through the whole loop, across four logins, checking what each page shows."""

import re

import pytest

from tests.browser.conftest import PHONE, expect, fits_width, shot
from tickets.models import Status, WorkOrder

pytestmark = pytest.mark.browser


def open_action(page, row, label):
    """Open the action `label` in an order row (a <details> expander) and return its form."""
    details = row.locator("details.act", has=page.locator("summary", has_text=label))
    details.locator("summary").click()
    return details.locator("form")


def row_of(page, number, section="#open-orders"):
    return page.locator(f"{section} article.order-row[data-order='{number}']")


def report(page, number, text, outcome="已解决"):
    row = row_of(page, number)
    form = open_action(page, row, "上报结果")
    form.get_by_label(outcome).check()
    form.locator("textarea[name=text]").fill(text)
    form.get_by_role("button", name="上报结果").click()
    expect(page.locator(".messages")).to_contain_text("上报结果 已完成")


def review(page, number, *, approve: bool, reason: str = ""):
    page.goto(page.url.split("/review")[0] + "/review/")
    expect(page.locator(".queue-list")).to_contain_text(number)
    page.locator(".queue-list a", has_text=number).click()
    expect(page.locator(".review-order h2")).to_contain_text(number)
    if approve:
        page.locator(".decision-approve").get_by_role("button", name="审核通过").click()
        expect(page.locator(".messages")).to_contain_text("审核通过 已完成")
    else:
        page.locator(".decision-return textarea[name=reason]").fill(reason)
        page.locator(".decision-return").get_by_role("button", name="退回重办").click()
        expect(page.locator(".messages")).to_contain_text("退回重办 已完成")


def test_an_order_goes_round_the_whole_loop(login, live_server, dispatcher, officer_a, reviewer, topic, routing):
    desk, station, review_desk = login(dispatcher), login(officer_a), login(reviewer)

    # 1. Dispatcher: intake. The suggestion and the would-be deadline appear while typing.
    expect(desk).to_have_url(re.compile(r"/dispatch/$"))
    desk.fill("#id_intake_caller_name", "王女士")
    desk.fill("#id_intake_caller_phone", "13812345678")
    desk.select_option("#id_intake_topic", label=topic.name)
    desk.select_option("#id_intake_nature", "complaint")
    desk.fill("#id_intake_address", "城关街道幸福小区3号楼")
    expect(desk.locator("#intake-suggest")).to_contain_text("采用：城关派出所")
    expect(desk.locator("#intake-suggest")).to_contain_text("前办结")
    desk.fill("#id_intake_content", "楼上深夜装修噪音扰民，孩子上网课受影响。")
    shot(desk, "loop-01-dispatcher-intake")
    desk.get_by_role("button", name="登记工单").click()
    expect(desk.locator(".messages")).to_contain_text("等待转办")
    order = WorkOrder.objects.get()
    number = order.number

    # One click dispatches it to the suggested unit.
    waiting = desk.locator(f"#waiting article[data-order='{number}']")
    expect(waiting).to_contain_text("地址包含「幸福小区」")
    waiting.get_by_role("button", name="转办至城关派出所").click()
    expect(desk.locator(".messages")).to_contain_text("转办 已完成")
    expect(desk.locator("#waiting")).not_to_contain_text(number)
    expect(desk.locator("#unit-overview tr[data-unit='城关派出所'] td").nth(1)).to_have_text("1")

    # 2. Officer: the order is on the workbench with a green countdown; contact, then report.
    station.reload()
    row = row_of(station, number)
    expect(row.locator(".countdown").first).to_have_class(re.compile("state-ok"))
    expect(row.locator(".countdown").first).to_contain_text("剩余")
    expect(row).to_contain_text("13812345678")
    form = open_action(station, row, "联系群众")
    form.locator("textarea[name=note]").fill("已电话联系王女士，约定今晚上门。")
    form.get_by_role("button", name="联系群众").click()
    expect(station.locator(".messages")).to_contain_text("联系群众 已完成")
    report(station, number, "已上门劝导装修户，夜间停工。")
    expect(station.locator("#open-orders")).not_to_contain_text(number)
    expect(station.locator("#waiting-elsewhere")).to_contain_text(number)
    shot(station, "loop-02-officer-reported")

    # 3. Reviewer: order, timeline and report side by side; returned with a reason.
    review_desk.reload()
    expect(review_desk.locator(".review-report")).to_contain_text("已上门劝导装修户，夜间停工。")
    expect(review_desk.locator(".review-order .timeline")).to_contain_text("联系群众")
    expect(review_desk.locator(".review-order")).to_contain_text("138****5678")  # masked for reviewers
    shot(review_desk, "loop-03-reviewer-queue")
    review(review_desk, number, approve=False, reason="未写明装修户承诺的停工时间，请补充。")
    expect(review_desk.locator(".queue-list")).not_to_contain_text(number)

    # 4. Officer: back on the workbench, marked returned once; reports again.
    station.goto(f"{live_server.url}/workbench/")
    row = row_of(station, number)
    expect(row).to_contain_text("退回 1 次")
    expect(row.locator(".badge.status-returned")).to_be_visible()
    report(station, number, "装修户承诺每晚20点后停工，已回访确认。")

    # 5. Reviewer approves.
    review(review_desk, number, approve=True)

    # 6. Dispatcher: callback — unsatisfied — then reopen to the same unit.
    desk.goto(f"{live_server.url}/callbacks/")
    # The callback desk opens on the first order waiting, with the unit's report beside it.
    expect(desk.locator(".review-order")).to_have_attribute("data-order", number)
    row = desk.locator(".callback-desk .decision-callback")
    expect(desk.locator(".callback-desk .review-report")).to_contain_text("装修户承诺每晚20点后停工")
    row.get_by_label("不满意").check()
    row.locator("textarea[name=citizen_words]").fill("晚上还是有噪音。")
    row.get_by_role("button", name="回访").click()
    expect(desk.locator(".messages")).to_contain_text("回访 已完成")
    row = desk.locator(f"#awaiting-close article[data-order='{number}']")
    expect(row).to_contain_text("晚上还是有噪音。")
    shot(desk, "loop-04-dispatcher-callback-unsatisfied")
    form = open_action(desk, row, "重办")
    form.locator("textarea[name=reason]").fill("群众回访不满意，请继续办理。")
    form.get_by_role("button", name="重办").click()
    expect(desk.locator(".messages")).to_contain_text("重办 已完成")
    order.refresh_from_db()
    assert (order.status, order.unit.name, order.reopen_count) == (Status.DISPATCHED, "城关派出所", 1)

    # 7. Officer: the reopened order is back; contact and report once more.
    station.goto(f"{live_server.url}/workbench/")
    row = row_of(station, number)
    expect(row).to_contain_text("重办 1 次")
    form = open_action(station, row, "联系群众")
    form.get_by_label("见面").check()
    form.locator("textarea[name=note]").fill("再次上门，与装修户和王女士当面沟通。")
    form.get_by_role("button", name="联系群众").click()
    report(station, number, "装修已完工，噪音消除。")

    # 8. Reviewer approves; 9. dispatcher: satisfied callback, then close.
    review(review_desk, number, approve=True)
    desk.goto(f"{live_server.url}/callbacks/")
    expect(desk.locator(".review-order")).to_have_attribute("data-order", number)
    row = desk.locator(".callback-desk .decision-callback")
    row.get_by_label("满意", exact=True).check()
    row.get_by_role("button", name="回访").click()
    row = desk.locator(f"#awaiting-close article[data-order='{number}']")
    form = open_action(desk, row, "办结")
    form.get_by_role("button", name="办结").click()
    expect(desk.locator(".messages")).to_contain_text("办结 已完成")

    # The closed order: every step on the timeline, nothing left to do.
    desk.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(desk.locator(".page-head .badge")).to_have_text("办结")
    timeline = desk.locator(".timeline")
    for step in ("接单", "转办", "联系群众", "上报结果", "退回重办", "审核通过", "回访", "重办", "办结"):
        expect(timeline).to_contain_text(step)
    expect(timeline.locator("li")).to_have_count(14)  # intake … close: 14 steps
    expect(desk.locator("#actions")).to_contain_text("您当前不能对该工单执行操作")
    assert fits_width(desk)
    shot(desk, "loop-05-closed-order-detail")

    # The officer in the field sees the closed order on a phone.
    phone = login(officer_a, viewport=PHONE)
    phone.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(phone.locator(".page-head")).to_contain_text(number)
    assert fits_width(phone)
    shot(phone, "loop-06-officer-phone-detail")
