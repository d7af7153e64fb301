"""What a person sees of a notice that names other units' orders (#11 §3), in a real browser.

A repeat-complaint 提醒函 to 城关派出所 names one order of its own and two of 卧龙山派出所: the
officer of 城关 sees its own order described and the other two counted, on the page and in the
letter; the reviewer, who may see one of 卧龙山's orders (waiting for review), sees that one only;
the supervisor sees all three on the page and, in the letter as sent to 城关, only 城关's.
"""

from __future__ import annotations

import pytest

from supervision.models import Notice, Rule
from supervision.sweep import run_sweep
from tests.browser.conftest import expect, shot
from tickets import services
from tickets.models import Channel, HandlingType, Nature, Outcome

pytestmark = pytest.mark.browser

ADDRESSES = {"b1": "卧龙山街道青松路8号", "b2": "卧龙山街道翠柏巷15号", "a1": "城关街道幸福小区3号楼"}


@pytest.fixture
def repeat_letter(settings, dispatcher, officer_b, station_a, station_b, topic):
    settings.SUPERVISION_EVENT_TASKS = False  # the sweep below raises the letter; no broker needed
    orders = {}
    for key, unit in (("b1", station_b), ("b2", station_b), ("a1", station_a)):
        order = services.order_intake(
            channel=Channel.HOTLINE_12345,
            caller_name="王女士",
            caller_phone="13812345678",
            address=ADDRESSES[key],
            content="楼下烧烤摊油烟扰民。",
            nature=Nature.COMPLAINT,
            handling_type=HandlingType.SERVICE,
            topic=topic,
            acting_user=dispatcher,
        ).order
        orders[key] = services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)
    run_sweep(time_budget=0)
    b1 = services.order_contact(order=orders["b1"], acting_user=officer_b, method="phone", note="已联系")
    orders["b1"] = services.order_report(order=b1, acting_user=officer_b, outcome=Outcome.RESOLVED, text="已处理")
    notice = Notice.objects.get(rule=Rule.REPEAT_COMPLAINT)
    assert notice.unit == station_a and notice.orders.count() == 3
    return notice, orders


@pytest.mark.parametrize(
    ("who", "page_shows", "letter_shows", "page_counts", "letter_counts"),
    [
        ("officer_a", {"a1"}, {"a1"}, ["另有 2 件其他单位工单"], ["另有 2 件其他单位工单"]),
        (
            "reviewer",
            {"b1"},
            set(),
            ["另有 2 件工单不在您的查看范围内"],
            ["另有 2 件其他单位工单", "另有 1 件工单不在您的查看范围内"],
        ),
        ("supervisor", {"a1", "b1", "b2"}, {"a1"}, [], ["另有 2 件其他单位工单"]),
    ],
)
def test_a_notice_describes_only_the_orders_the_reader_may_see(
    login, live_server, repeat_letter, request, who, page_shows, letter_shows, page_counts, letter_counts
):
    notice, orders = repeat_letter
    page = login(request.getfixturevalue(who))
    page.goto(f"{live_server.url}/supervision/notices/{notice.pk}/")
    expect(page.locator("h1")).to_contain_text(notice.number)
    table = page.locator("table.list").first
    for key, order in orders.items():
        if key in page_shows:
            expect(table).to_contain_text(order.number)
            expect(table).to_contain_text(ADDRESSES[key])
        else:
            expect(page.locator("body")).not_to_contain_text(order.number)
            expect(page.locator("body")).not_to_contain_text(ADDRESSES[key])
    for line in page_counts:
        expect(table).to_contain_text(line)
    shot(page, f"notice-visibility-{who}-page")

    page.goto(f"{live_server.url}/supervision/notices/{notice.pk}/letter/")
    letter = page.locator("article.letter")
    expect(letter).to_contain_text("涉及工单共 3 件")
    for key, order in orders.items():
        if key in letter_shows:
            expect(letter).to_contain_text(order.number)
        else:
            expect(page.locator("body")).not_to_contain_text(order.number)
            expect(page.locator("body")).not_to_contain_text(ADDRESSES[key])
    for line in letter_counts:
        expect(letter).to_contain_text(line)
    shot(page, f"notice-visibility-{who}-letter")


def test_another_units_officer_gets_not_found(login, live_server, repeat_letter, officer_b):
    notice, _orders = repeat_letter
    page = login(officer_b)
    response = page.goto(f"{live_server.url}/supervision/notices/{notice.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/supervision/notices/{notice.pk}/letter/")
    assert response.status == 404
