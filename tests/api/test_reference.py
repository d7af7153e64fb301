"""Units, staff, topics, the routing suggestion and the deadline calculation."""

import pytest

from stations.models import RoutingRule
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def test_units_are_listed_with_kind_and_whether_they_handle_orders(api, officer_a, station_a, review_unit):
    body = api(officer_a).get("/api/v1/units/").json()
    by_code = {u["code"]: u for u in body}
    assert by_code["chengguan"]["handles_orders"] is True
    assert by_code["inspection"]["handles_orders"] is False
    assert by_code["chengguan"]["kind_label"] == "派出所"


def test_units_filter_by_handling_orders_and_kind(api, dispatcher, station_a, station_b, review_unit, command_center):
    handling = {u["code"] for u in api(dispatcher).get("/api/v1/units/?handles_orders=true").json()}
    review = {u["code"] for u in api(dispatcher).get("/api/v1/units/?kind=review").json()}
    assert handling == {"chengguan", "wolongshan"}
    assert review == {"inspection"}


def test_unit_detail(api, dispatcher, station_a):
    assert api(dispatcher).get(f"/api/v1/units/{station_a.pk}/").json()["name"] == "城关派出所"


def test_unknown_unit_is_404(api, dispatcher):
    assert api(dispatcher).get("/api/v1/units/999999/").status_code == 404


def test_staff_filter_by_unit_and_role(api, head_a, officer_a, officer_b, station_a):
    body = api(head_a).get(f"/api/v1/staff/?unit={station_a.pk}&role=officer").json()
    assert [s["id"] for s in body] == [officer_a.pk]
    assert body[0]["role_label"] == "承办民警"


def test_staff_detail_shows_no_username_password_or_phone(api, head_a, officer_a):
    body = api(head_a).get(f"/api/v1/staff/{officer_a.pk}/").json()
    assert set(body) == {"id", "name", "role", "role_label", "unit", "is_active"}


def test_topics_list_and_filter_active(api, officer_a):
    active = TopicFactory(code="fraud", name="电信诈骗")
    inactive = TopicFactory(code="old-topic", name="旧主题", is_active=False)
    listed = {t["id"] for t in api(officer_a).get("/api/v1/topics/?is_active=true").json()}
    assert active.pk in listed
    assert inactive.pk not in listed


def test_topic_detail(api, officer_a, topic):
    assert api(officer_a).get(f"/api/v1/topics/{topic.pk}/").json()["code"] == topic.code


def test_routing_suggestion_by_address_keyword(api, dispatcher, station_b):
    RoutingRule.objects.create(kind="address", keyword="卧龙山路", unit=station_b)
    response = api(dispatcher).get("/api/v1/routing-suggestion/?address=卧龙山路88号")
    assert response.status_code == 200
    [suggestion] = response.json()
    assert suggestion["unit"] == {"id": station_b.pk, "name": "卧龙山派出所"}
    assert suggestion["rule_kind"] == "address"
    assert "卧龙山路" in suggestion["reason"]


def test_routing_suggestion_by_topic(api, dispatcher, outsider, topic):
    RoutingRule.objects.create(kind="topic", topic=topic, unit=outsider.unit)
    [suggestion] = api(dispatcher).get(f"/api/v1/routing-suggestion/?topic={topic.pk}").json()
    assert suggestion["unit"]["id"] == outsider.unit_id


def test_routing_suggestion_is_empty_when_no_rule_matches(api, dispatcher):
    assert api(dispatcher).get("/api/v1/routing-suggestion/?address=无名路").json() == []


def test_routing_suggestion_with_an_unknown_topic_is_400(api, dispatcher):
    response = api(dispatcher).get("/api/v1/routing-suggestion/?topic=999999")
    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


def test_deadline_of_a_consultation_dispatched_before_a_make_up_saturday(api, dispatcher):
    # Fri 2026-02-13 16:00: 1.5 h that day, then 2 h on the make-up working Saturday 02-14.
    response = api(dispatcher).get(
        "/api/v1/deadline/?handling_type=consultation&dispatched_at=2026-02-13T16:00:00%2B08:00"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["handling_deadline"] == "2026-02-14T10:45:00+08:00"
    assert body["contact_deadline"] == "2026-02-13T17:00:00+08:00"
    assert body["warnings"] == []


def test_deadline_in_a_year_without_official_schedule_says_so(api, dispatcher):
    response = api(dispatcher, language="en").get(
        "/api/v1/deadline/?handling_type=service&dispatched_at=2027-03-01T09:00:00%2B08:00"
    )
    assert response.status_code == 200
    assert "2027" in response.json()["warnings"][0]


def test_deadline_needs_a_handling_type(api, dispatcher):
    response = api(dispatcher).get("/api/v1/deadline/")
    assert response.status_code == 400
    assert "handling_type" in response.json()["errors"]


def test_deadline_refuses_a_time_out_of_range(api, dispatcher):
    response = api(dispatcher).get("/api/v1/deadline/?handling_type=service&dispatched_at=9999-12-31T23:00:00Z")
    assert response.status_code == 400
    assert "dispatched_at" in response.json()["errors"]


@pytest.mark.parametrize(
    "path", ["/api/v1/units/", "/api/v1/staff/", "/api/v1/topics/", "/api/v1/routing-suggestion/", "/api/v1/deadline/"]
)
def test_reference_data_needs_authentication(api, path):
    assert api(None).get(path).status_code == 401
