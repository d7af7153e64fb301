"""Who sees which notice, and what a notice shows of its orders (#11 §3).

One rule, `supervision.selectors.notices_visible_to` / `notice_orders_for`, built on
`tickets.selectors.orders_visible_to`: a notice, its page, its letter and its PDF describe only
the orders the reader may open; another unit's order is counted, not described. Reviewers see a
notice only when it names an order they may see.

The cast: 城关派出所 (station A: officer_a, head_a), 卧龙山派出所 (station B: officer_b), a
reviewer, the dispatch desk, a supervisor and an outsider. The notices:

| notice | kind | to | orders |
|---|---|---|---|
| repeat | 提醒函 (repeat complaint, raised by the rule) | A | a1 (A), b1 (B, reported), b2 (B) |
| sup_a | 督办单 | A | a1 |
| sup_b | 督办单 | B | b2 |
| rem_b | 提醒函 | B | b1 (reported: the reviewer may see it) |
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from supervision import services as notice_services
from supervision.letters import render_letter_html
from supervision.models import Notice, Rule
from supervision.selectors import notice_orders_for, notices_visible_to
from tests.supervision.conftest import REMINDER, SUPERVISION, intake
from tickets import services
from tickets.models import Outcome

pytestmark = pytest.mark.django_db

ADDRESSES = {"a1": "城关街道幸福小区3号楼", "b1": "卧龙山街道青松路8号", "b2": "卧龙山街道翠柏巷15号"}
ALL = ("a1", "b1", "b2")


@pytest.fixture
def world(clock, topic, cast, station_a, station_b, sweep):
    """The orders and notices of the table above, the repeat letter raised by the real rule."""
    dispatcher, supervisor = cast["dispatcher"], cast["supervisor"]

    def dispatched(key, unit):
        order = intake(topic, caller_phone="13812345678", address=ADDRESSES[key])
        clock.shift(dt.timedelta(minutes=10))
        return services.order_dispatch(order=order, unit=unit, acting_user=dispatcher)

    b1 = dispatched("b1", station_b)
    b2 = dispatched("b2", station_b)
    a1 = dispatched("a1", station_a)  # the third call from the same phone: the letter goes to A
    sweep()
    services.order_contact(order=b1, acting_user=cast["officer_b"], method="phone", note="已联系")
    services.order_report(order=b1, acting_user=cast["officer_b"], outcome=Outcome.RESOLVED, text="已处理")
    orders = {"a1": a1, "b1": b1, "b2": b2}
    for order in orders.values():
        order.refresh_from_db()

    def by_hand(key, kind):
        return notice_services.notice_issue_by_hand(
            acting_user=supervisor, order=orders[key], kind=kind, reason="请抓紧办理"
        )

    notices = {
        "repeat": Notice.objects.get(rule=Rule.REPEAT_COMPLAINT),
        "sup_a": by_hand("a1", SUPERVISION),
        "sup_b": by_hand("b2", SUPERVISION),
        "rem_b": by_hand("b1", REMINDER),
    }
    assert notices["repeat"].unit == station_a
    assert set(notices["repeat"].orders.values_list("pk", flat=True)) == {o.pk for o in orders.values()}
    return {"orders": orders, "notices": notices, "cast": cast}


# reader → notice → (orders the notice page describes, orders the letter describes); None: 404.
EVERYTHING = {"repeat": (ALL, ("a1",)), "sup_a": (("a1",),) * 2, "sup_b": (("b2",),) * 2, "rem_b": (("b1",),) * 2}
EXPECTED = {
    "officer_a": {"repeat": (("a1",), ("a1",)), "sup_a": (("a1",), ("a1",)), "sup_b": None, "rem_b": None},
    "head_a": {"repeat": (("a1",), ("a1",)), "sup_a": (("a1",), ("a1",)), "sup_b": None, "rem_b": None},
    "officer_b": {"repeat": None, "sup_a": None, "sup_b": (("b2",), ("b2",)), "rem_b": (("b1",), ("b1",))},
    # The reviewer may see b1 (waiting for review) and nothing else: the letter to A describes
    # only A's orders, of which the reviewer may see none.
    "reviewer": {"repeat": (("b1",), ()), "sup_a": None, "sup_b": None, "rem_b": (("b1",), ("b1",))},
    "dispatcher": EVERYTHING,
    "supervisor": EVERYTHING,
    "outsider": {"repeat": None, "sup_a": None, "sup_b": None, "rem_b": None},
}
CASES = [(reader, notice) for reader, row in EXPECTED.items() for notice in row]


def _assert_describes(html: str, world, shown: tuple[str, ...], where: str) -> None:
    for key, order in world["orders"].items():
        described = order.number in html or ADDRESSES[key] in html
        if key in shown:
            assert order.number in html and ADDRESSES[key] in html, (where, key, "missing")
        else:
            assert not described, (where, key, "described to a reader who may not see it")


def _hidden_line(notice_key: str, shown: tuple[str, ...], reader: str, *, letter: bool) -> list[str]:
    """The counting lines the reader should see for the orders not described."""
    total = 3 if notice_key == "repeat" else 1
    hidden = total - len(shown)
    if not hidden:
        return []
    if letter or reader in ("officer_a", "head_a", "officer_b"):
        if letter and reader == "reviewer":  # two of A's letter's orders are B's; a1 is A's but not the reviewer's
            return ["另有 2 件其他单位工单", "另有 1 件工单不在您的查看范围内"]
        return [f"另有 {hidden} 件其他单位工单"]
    return [f"另有 {hidden} 件工单不在您的查看范围内"]


@pytest.mark.parametrize(("reader", "notice_key"), CASES)
def test_notice_page_letter_and_pdf_describe_only_what_the_reader_may_see(
    client, world, reader, notice_key, monkeypatch
):
    user = world["cast"][reader]
    notice = world["notices"][notice_key]
    expected = EXPECTED[reader][notice_key]
    client.force_login(user)
    pages = {
        "page": reverse("supervision:notice_detail", args=[notice.pk]),
        "letter": reverse("supervision:notice_letter", args=[notice.pk]),
        "pdf": reverse("supervision:notice_pdf", args=[notice.pk]),
    }
    if expected is None:
        for where, target in pages.items():
            assert client.get(target).status_code == 404, where
        assert notice.number not in client.get(reverse("supervision:notice_list")).content.decode()
        return

    page_orders, letter_orders = expected
    page = client.get(pages["page"]).content.decode()
    _assert_describes(page, world, page_orders, "page")
    for line in _hidden_line(notice_key, page_orders, reader, letter=False):
        assert line in page, ("page", line)

    letter = client.get(pages["letter"]).content.decode()
    _assert_describes(letter, world, letter_orders, "letter")
    for line in _hidden_line(notice_key, letter_orders, reader, letter=True):
        assert line in letter, ("letter", line)

    # The PDF: the HTML WeasyPrint is given for this reader (no PDF text extractor is installed).
    import weasyprint

    fed: list[str] = []
    real_html = weasyprint.HTML

    def capture(*args, string=None, **kwargs):
        fed.append(string)
        return real_html(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", capture)
    response = client.get(pages["pdf"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(fed) == 1
    _assert_describes(fed[0], world, letter_orders, "pdf")
    for line in _hidden_line(notice_key, letter_orders, reader, letter=True):
        assert line in fed[0], ("pdf", line)

    # And the list: the notice is there.
    assert notice.number in client.get(reverse("supervision:notice_list")).content.decode()


@pytest.mark.parametrize("reader", list(EXPECTED))
def test_notice_list_and_selector_hold_exactly_the_visible_notices(client, world, reader):
    user = world["cast"][reader]
    visible = {key for key, expected in EXPECTED[reader].items() if expected is not None}
    numbers = {key: notice.number for key, notice in world["notices"].items()}
    assert set(notices_visible_to(user).values_list("number", flat=True)) == {numbers[k] for k in visible}
    client.force_login(user)
    page = client.get(reverse("supervision:notice_list")).content.decode()
    for key, number in numbers.items():
        assert (number in page) == (key in visible), (reader, key)


@pytest.mark.parametrize("reader", list(EXPECTED))
def test_notice_orders_for_counts_what_it_does_not_describe(world, reader):
    user = world["cast"][reader]
    for key, expected in EXPECTED[reader].items():
        if expected is None:
            continue
        notice = world["notices"][key]
        page_orders, letter_orders = expected
        seen = notice_orders_for(user, notice)
        assert [o.number for o in seen.shown] == [
            o.number for k, o in sorted(world["orders"].items(), key=lambda kv: kv[1].received_at) if k in page_orders
        ]
        assert seen.total == notice.orders.count()
        letter = notice_orders_for(user, notice, as_addressed=True)
        assert {o.number for o in letter.shown} == {world["orders"][k].number for k in letter_orders}
        assert letter.total == notice.orders.count()


def test_searching_notices_by_another_units_order_number_finds_nothing(client, world):
    client.force_login(world["cast"]["officer_a"])
    other = world["orders"]["b2"].number
    page = client.get(reverse("supervision:notice_list"), {"q": other}).content.decode()
    assert world["notices"]["repeat"].number not in page
    own = world["orders"]["a1"].number
    page = client.get(reverse("supervision:notice_list"), {"q": own}).content.decode()
    assert world["notices"]["repeat"].number in page


def test_the_repeat_letters_reason_counts_the_orders_and_names_none(world):
    reason = world["notices"]["repeat"].reason
    assert "3次" in reason
    for order in world["orders"].values():
        assert order.number not in reason


def test_the_letter_without_a_reader_is_the_letter_the_unit_receives(world):
    html = render_letter_html(world["notices"]["repeat"])
    _assert_describes(html, world, ("a1",), "letter")
    assert "涉及工单共 3 件" in html and "另有 2 件其他单位工单" in html


def test_a_units_workbench_and_order_page_list_only_notices_it_may_open(client, world):
    client.force_login(world["cast"]["officer_b"])
    b1 = world["orders"]["b1"]
    page = client.get(reverse("tickets:order_detail", args=[b1.pk])).content.decode()
    # b1 is named by A's repeat letter and by B's own reminder: B sees only its own.
    assert world["notices"]["rem_b"].number in page
    assert world["notices"]["repeat"].number not in page
    workbench = client.get(reverse("tickets:workbench")).content.decode()
    assert world["notices"]["sup_b"].number in workbench
    assert world["notices"]["repeat"].number not in workbench
