"""The order search (`tickets.search.search_orders`, issue #12), mostly through the REST list.

The index path (jieba words and bigrams, trigrams) needs PostgreSQL; SQLite keeps LIKE.
"""

import datetime as dt
import importlib
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.api.conftest import intake
from tests.factories import WorkOrderFactory
from tickets import textindex
from tickets.models import WorkOrder
from tickets.search import RANK_WINDOW, search_orders

pytestmark = pytest.mark.django_db
postgres = pytest.mark.postgres


@pytest.fixture
def find(api, dispatcher):
    """`find(q, user=dispatcher, **params)`: the ids the REST list answers, in its order."""

    def run(q: str, user=None, **params) -> list[int]:
        response = api(user or dispatcher).get("/api/v1/orders/", {"q": q, **params})
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    return run


def order(**fields) -> WorkOrder:
    return WorkOrderFactory(**fields)


# --- words ---------------------------------------------------------------------------------------


@postgres
def test_噪音_finds_噪音扰民_and_夜间噪音(find):
    a = order(content="楼下商铺噪音扰民")
    b = order(content="工地夜间噪音很大")
    order(content="咨询护照办理需要多长时间")
    assert set(find("噪音")) == {a.pk, b.pk}


@postgres
def test_a_community_name_finds_its_orders(find):
    here = [order(address="城关街道翠微苑3号楼"), order(address="翠微苑12栋2单元", content="车辆长期占用消防通道")]
    order(address="城关街道幸福小区3号楼")
    assert set(find("翠微苑")) == {o.pk for o in here}


@postgres
def test_any_run_of_characters_is_found_even_across_jieba_words(find):
    hit = order(address="城关街道幸福小区3号楼")
    order(address="人民路88号")
    assert find("福小区") == [hit.pk]
    assert find("福小") == [hit.pk]


@postgres
def test_every_part_of_a_search_must_match(find):
    both = order(content="烧烤摊油烟太大，夜间噪音扰民")
    order(content="烧烤摊占道经营")
    assert find("烧烤 噪音") == [both.pk]


@postgres
def test_an_address_match_ranks_above_a_mention_in_the_content(find):
    mention = order(address="人民路88号", content="翠微苑门口烧烤摊夜间噪音扰民")
    there = order(address="翠微苑5栋", content="楼上装修噪音")
    assert find("翠微苑") == [there.pk, mention.pk]


@postgres
def test_a_word_match_ranks_above_a_substring_match(find):
    # 民警 is a word in the first, only two characters in a row in the second (居民 警惕).
    word = order(content="民警态度很好，感谢")
    order_of_chars = order(content="提醒居民警惕电信诈骗")
    later = find("民警")
    assert later == [word.pk, order_of_chars.pk]


@postgres
def test_an_explicit_ordering_lists_every_match_by_time(find):
    old = order(content="夜间噪音", received_at=timezone.now() - dt.timedelta(days=3))
    new = order(content="噪音扰民噪音噪音", received_at=timezone.now() - dt.timedelta(days=1))
    assert find("噪音", ordering="received_at") == [old.pk, new.pk]


@postgres
def test_the_ranked_list_walks_page_by_page_without_repeats(api, dispatcher):
    made = {order(content=f"噪音扰民{'噪音' * (i % 3)}第{i}次").pk for i in range(7)}
    first = "/api/v1/orders/?" + urlencode({"q": "噪音", "page_size": 3})
    seen, url = [], first
    while url:
        body = api(dispatcher).get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(made)
    assert [o.pk for o in search_orders(dispatcher, "噪音")] == seen
    # …and back again.
    second = api(dispatcher).get(api(dispatcher).get(first).json()["next"]).json()
    back = api(dispatcher).get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[:3]


@postgres
def test_the_browser_search_lists_the_best_match_first_as_the_api_does(client, dispatcher, find):
    mention = order(address="人民路88号", content="翠微苑门口烧烤摊夜间噪音扰民", received_at=timezone.now())
    there = order(address="翠微苑5栋", content="楼上装修噪音", received_at=timezone.now() - dt.timedelta(days=2))
    client.force_login(dispatcher)
    html = client.get("/orders/", {"q": "翠微苑"}).content.decode()
    assert html.index(there.number) < html.index(mention.number)
    assert find("翠微苑") == [there.pk, mention.pk]


@postgres
def test_the_browser_search_walks_ranked_pages_without_repeats(client, dispatcher, monkeypatch):
    monkeypatch.setattr(importlib.import_module("tickets.views.search"), "PAGE_SIZE", 3)
    made = [order(content=f"噪音扰民{'噪音' * (i % 3)}第{i}次") for i in range(7)]
    client.force_login(dispatcher)
    seen, url = [], "/orders/?" + urlencode({"q": "噪音"})
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [o.pk for o in made if o.number in response.content.decode()]
        link = response.context["next_link"]
        url = "/orders/" + link if link else None
    assert sorted(seen) == sorted(o.pk for o in made)
    assert len(seen) == len(made)


@postgres
def test_a_time_cursor_on_a_ranked_search_is_refused_not_a_crash(api, dispatcher):
    order(content="噪音扰民")
    order(content="噪音扰民")
    timed = api(dispatcher).get("/api/v1/orders/", {"page_size": 1}).json()["next"]
    cursor = timed.split("cursor=")[1].split("&")[0]
    response = api(dispatcher).get("/api/v1/orders/", {"q": "噪音", "cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


@postgres
def test_a_ranked_search_ranks_only_the_newest_window(dispatcher, monkeypatch):
    monkeypatch.setattr("tickets.search.RANK_WINDOW", 2)
    orders = [order(content="噪音", received_at=timezone.now() - dt.timedelta(hours=h)) for h in (3, 2, 1)]
    assert {o.pk for o in search_orders(dispatcher, "噪音")} == {orders[1].pk, orders[2].pk}
    assert RANK_WINDOW == 1000


def test_a_search_of_punctuation_alone_finds_nothing(find):
    order()
    assert find("%' OR 1=1 --") == []


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("part", [slice(None), slice(-4, None), slice(2, 10)])
def test_an_order_number_whole_or_in_part(find, part):
    hit = order(number="GD202611220731")
    order(number="GD202611230002")
    assert find(hit.number[part]) == [hit.pk]


def test_a_platform_number_whole_or_in_part_any_case(find):
    hit = order(platform_number="SD12345-20261122-00017")
    order(platform_number="SD12345-20261122-00099")
    assert find("sd12345-20261122-00017") == [hit.pk]
    assert find("00017") == [hit.pk]


def test_a_caller_phone_whole_or_its_last_digits(find):
    hit = order(caller_phone="13955556666")
    order(caller_phone="13812345678")
    assert find("13955556666") == [hit.pk]
    assert find("6666") == [hit.pk]


def test_a_number_is_also_looked_for_in_the_address(find):
    hit = order(address="幸福小区3号楼302室")
    order(address="幸福小区3号楼501室")
    assert find("302") == [hit.pk]


def test_a_caller_name_from_its_first_characters(find):
    hit = order(caller_name="欧阳娜娜")
    order(caller_name="王女士")
    assert find("欧阳") == [hit.pk]


# --- who finds what ------------------------------------------------------------------------------


def test_an_officer_finds_only_the_unit_orders(find, officer_b, loop):
    mine = loop.dispatched(content="楼上夜间装修噪音扰民")  # station A
    assert find("噪音", user=officer_b) == []
    assert find(mine.number, user=officer_b) == []


def test_the_phone_is_not_searchable_by_one_who_sees_it_masked(find, reviewer, loop):
    reported = loop.reported(caller_phone="13955556666")
    assert find("13955556666", user=reviewer) == []
    assert find(reported.number, user=reviewer) == [reported.pk]


def test_a_caller_name_is_not_searchable_by_one_who_sees_it_masked(find, head_a, loop):
    secret = loop.contacted(caller_name="欧阳娜娜", confidential=True)  # officer_a handles it
    assert find("欧阳", user=head_a) == []
    assert secret.pk


# --- the index is kept ---------------------------------------------------------------------------


def test_intake_computes_the_search_document(topic):
    created = intake(topic, content="夜间噪音扰民", address="翠微苑5栋")
    assert created.search_vector == textindex.document_vector(content="夜间噪音扰民", address="翠微苑5栋")


@postgres
def test_an_order_not_indexed_yet_is_still_found_and_search_index_fills_it(find, capsys):
    old = order(content="夜间噪音扰民", search_vector=None)
    assert find("噪音") == [old.pk]
    call_command("search_index")
    old.refresh_from_db()
    assert "'噪音'" in old.search_vector
    assert find("噪音") == [old.pk]
    assert "1 orders to index" in capsys.readouterr().out


@postgres
def test_search_index_rebuild_recomputes_every_order(capsys):
    done = order(content="噪音")
    WorkOrder.objects.filter(pk=done.pk).update(search_vector="'旧':1")
    call_command("search_index", "--rebuild")
    done.refresh_from_db()
    assert "'噪音'" in done.search_vector


@postgres
@pytest.mark.parametrize(
    ("q", "index"),
    [
        ("噪音", "order_search_vector_idx"),
        ("5678", "order_caller_phone_trgm_idx"),
        ("GD2026", "order_number_trgm_idx"),
    ],
)
def test_the_searches_can_use_their_indexes(dispatcher, q, index):
    """With sequential and plain index scans off, only bitmap scans of indexes that serve every
    condition are left: the plan names the index, or falls back to a (penalised) full scan."""
    order()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            plan = search_orders(dispatcher, q, ranked=False).order_by().explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")
    assert "Seq Scan on tickets_workorder" not in plan
    assert index in plan


@postgres
def test_a_reviewer_finds_the_orders_up_for_review_by_their_words(find, reviewer, loop):
    up = loop.reported(content="楼上夜间装修噪音扰民")
    loop.dispatched(content="楼上夜间装修噪音扰民")
    assert find("噪音", user=reviewer) == [up.pk]


@postgres
def test_the_window_is_the_newest_matches_across_time_slices(dispatcher, monkeypatch):
    ages = [10, 100, 400, 1000]
    made = {age: order(content="翠微苑门口噪音", received_at=timezone.now() - dt.timedelta(days=age)) for age in ages}
    assert {o.pk for o in search_orders(dispatcher, "翠微苑")} == {o.pk for o in made.values()}
    monkeypatch.setattr("tickets.search.RANK_WINDOW", 3)
    assert {o.pk for o in search_orders(dispatcher, "翠微苑")} == {made[age].pk for age in (10, 100, 400)}
