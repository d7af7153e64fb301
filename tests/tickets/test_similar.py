"""Similar orders at intake (`tickets.search.similar_orders`, issue #16): reasons, order, visibility."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import WorkOrderFactory
from tickets import services, textindex
from tickets.exceptions import NotPermitted
from tickets.models import OrderEvent
from tickets.search import similar_orders

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PHONE = "13955556666"


def order(days_ago: float = 0.5, **fields):
    return WorkOrderFactory(received_at=NOW - dt.timedelta(days=days_ago), **fields)


def similar(user, **typed):
    return {hit.order.pk: hit for hit in similar_orders(user, now=NOW, **typed)}


def test_the_same_phone_says_how_often_in_how_many_days(dispatcher):
    first = order(days_ago=2.5, caller_phone=PHONE, address="人民路88号", content="咨询护照办理需要多长时间")
    second = order(days_ago=1, caller_phone=PHONE, address="车站路1号", content="身份证丢失怎么挂失")
    hits = similar(dispatcher, phone=PHONE)
    assert set(hits) == {first.pk, second.pk}
    assert hits[first.pk].reason == "同一来电号码，3天内第3次"
    assert hits[second.pk].reasons == ["同一来电号码，3天内第3次"]


def test_the_same_address_with_similar_words_shows_how_similar(dispatcher):
    content = "楼上夜间装修噪音扰民，孩子无法学习"
    earlier = order(address="城关街道翠微苑5栋2单元", content="楼上装修噪音扰民，晚上睡不着")
    expected = textindex.word_similarity(
        textindex.content_words(content), textindex.content_words("楼上装修噪音扰民，晚上睡不着")
    )
    hit = similar(dispatcher, address="城关街道翠微苑5栋2单元", content=content)[earlier.pk]
    assert hit.reason == f"地址相同，内容相似 {expected:.2f}"
    assert hit.same_address and hit.content_similarity == pytest.approx(expected)


def test_the_same_community_is_a_neighbour(dispatcher):
    neighbour = order(address="翠微苑12栋", content="车辆长期占用消防通道")
    order(address="幸福小区3号楼", content="车辆长期占用消防通道")
    hits = similar(dispatcher, address="城关镇翠微苑5栋", content="小区里有人遛狗不拴绳")
    assert list(hits) == [neighbour.pk]
    assert hits[neighbour.pk].reason == "同一小区或道路（翠微苑）"


def test_a_different_matter_at_the_same_place_shows_no_content_similarity(dispatcher):
    other = order(address="翠微苑12栋", content="咨询护照办理需要多长时间")
    hit = similar(dispatcher, address="翠微苑5栋", content="楼上夜间装修噪音扰民")[other.pk]
    assert hit.reasons == ["同一小区或道路（翠微苑）"]


@pytest.mark.postgres
def test_very_similar_words_alone_are_enough(dispatcher):
    same = order(address="", caller_phone="13700000001", content="人民路夜市摊位占道经营，夜间噪音大")
    order(address="", caller_phone="13700000002", content="人民路夜市有人打架")
    hits = similar(dispatcher, phone="13800000000", content="人民路夜市摊位占道经营，噪音很大")
    assert list(hits) == [same.pk]
    assert hits[same.pk].reason.startswith("内容相似 0.")


def test_best_first(dispatcher):
    place_only = order(address="翠微苑12栋", content="楼下烧烤店油烟大")
    phone_and_address = order(caller_phone=PHONE, address="翠微苑5栋", content="楼下烧烤店油烟大")
    hits = similar_orders(dispatcher, now=NOW, phone=PHONE, address="翠微苑5栋", content="楼下烧烤店油烟太大")
    assert [h.order.pk for h in hits] == [phone_and_address.pk, place_only.pk]


def test_open_orders_of_any_age_and_recent_closed_ones_but_no_merged_duplicates(dispatcher, loop):
    old_open = loop.dispatched(caller_phone=PHONE, received_at=NOW - dt.timedelta(days=90))
    old_closed = loop.closed(caller_phone=PHONE, received_at=NOW - dt.timedelta(days=90))
    recent_closed = loop.closed(caller_phone=PHONE, received_at=NOW - dt.timedelta(days=10))
    merged = loop.merged(caller_phone=PHONE)
    hits = similar(dispatcher, phone=PHONE)
    assert old_open.pk in hits and recent_closed.pk in hits
    assert old_closed.pk not in hits and merged.pk not in hits
    assert hits[old_open.pk].can_merge_into and not hits[recent_closed.pk].can_merge_into


def test_nothing_typed_nothing_found(dispatcher):
    order()
    assert similar_orders(dispatcher) == []


def test_an_officer_sees_only_the_unit_orders(officer_a, officer_b, loop):
    mine = loop.dispatched(caller_phone=PHONE, address="翠微苑5栋")
    assert set(similar(officer_a, phone=PHONE, address="翠微苑5栋")) == {mine.pk}
    assert similar(officer_b, phone=PHONE, address="翠微苑5栋") == {}


def test_the_phone_is_not_matched_where_the_caller_is_masked(reviewer, loop):
    reported = loop.reported(caller_phone=PHONE, address="翠微苑5栋")
    assert similar(reviewer, phone=PHONE) == {}
    # The address, which the reviewer sees, still matches.
    assert similar(reviewer, phone=PHONE, address="翠微苑5栋")[reported.pk].reasons == ["地址相同"]


# --- relating two orders (登记并关联) ---------------------------------------------------------------


def test_relating_links_both_ways_with_an_event_on_each(dispatcher):
    a, b = order(), order()
    services.order_relate(order=a, related=b, acting_user=dispatcher)
    assert list(b.related_orders.all()) == [a]
    for linked, other in ((a, b), (b, a)):
        event = OrderEvent.objects.get(order=linked, action="relate")
        assert event.payload["related_number"] == other.number


def test_relating_twice_changes_nothing(dispatcher):
    a, b = order(), order()
    services.order_relate(order=a, related=b, acting_user=dispatcher)
    services.order_relate(order=b, related=a, acting_user=dispatcher)
    assert OrderEvent.objects.filter(action="relate").count() == 2


def test_only_the_dispatch_desk_relates_orders(officer_a):
    a, b = order(), order()
    with pytest.raises(NotPermitted):
        services.order_relate(order=a, related=b, acting_user=officer_a)
