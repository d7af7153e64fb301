"""The read-only API: bulletins, dashboard figures and hotspots."""

import pytest
from rest_framework.test import APIClient

from analysis.bulletins import bulletin_generate
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at, local

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analysis"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def bulletin(week, manager):
    with at(GENERATED_AT):
        return bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=manager)


def get(api, user, url, **params):
    api.force_authenticate(user)
    return api.get(url, params)


def test_bulletin_list_and_detail(api, manager, bulletin):
    listing = get(api, manager, f"{BASE}/bulletins/")
    assert listing.status_code == 200
    item = listing.json()["results"][0]
    assert (item["id"], item["version"], item["period_start"], item["kind"]) == (bulletin.pk, 1, "2026-11-16", "weekly")
    assert "data" not in item
    detail = get(api, manager, f"{BASE}/bulletins/{bulletin.pk}/").json()
    assert detail["data"]["totals"]["received"] == 10
    assert detail["data"]["period"]["time_zone"] == "Asia/Shanghai"


def test_bulletins_filter_by_period(api, manager, bulletin):
    assert get(api, manager, f"{BASE}/bulletins/", period_start__gte="2026-11-17").json()["count"] == 0
    assert get(api, manager, f"{BASE}/bulletins/", period_start="2026-11-16").json()["count"] == 1
    assert get(api, manager, f"{BASE}/bulletins/", period_start="junk").status_code == 400
    assert get(api, manager, f"{BASE}/bulletins/", automatic="maybe").status_code == 400
    assert get(api, manager, f"{BASE}/bulletins/", automatic="false").json()["count"] == 1


def test_bulletins_are_read_only(api, manager, bulletin):
    api.force_authenticate(manager)
    assert api.post(f"{BASE}/bulletins/", {}).status_code == 405
    assert api.delete(f"{BASE}/bulletins/{bulletin.pk}/").status_code == 405


@pytest.mark.parametrize(
    ("who", "bulletins", "dashboard", "hotspots"),
    [
        ("officer_a", 403, 403, 403),
        ("head_a", 200, 403, 403),
        ("reviewer", 403, 403, 403),
        ("dispatcher", 200, 200, 200),
        ("supervisor", 200, 200, 200),
    ],
)
def test_permissions(api, request, who, bulletins, dashboard, hotspots):
    user = request.getfixturevalue(who)
    assert get(api, user, f"{BASE}/bulletins/").status_code == bulletins
    assert get(api, user, f"{BASE}/dashboard/").status_code == dashboard
    assert get(api, user, f"{BASE}/hotspots/").status_code == hotspots


def test_anonymous_is_refused(api):
    assert api.get(f"{BASE}/bulletins/").status_code in (401, 403)


def test_unit_dashboard_for_own_unit_only(api, officer_a, station_a, station_b):
    assert get(api, officer_a, f"{BASE}/dashboard/units/{station_a.pk}/").status_code == 200
    assert get(api, officer_a, f"{BASE}/dashboard/units/{station_b.pk}/").status_code == 403
    assert get(api, officer_a, f"{BASE}/dashboard/units/99999999999999999999/").status_code == 404


def test_dashboard_figures(api, week, supervisor, station_a):
    with at(local(23, 8)):
        body = get(api, supervisor, f"{BASE}/dashboard/units/{station_a.pk}/").json()
    assert body["unit_id"] == station_a.pk
    assert body["unit"]["received"] == 9
    assert body["bureau"]["received"] == 11
    assert len(body["trend"]) == 12
    week_point = body["trend"][-2]
    assert week_point["week_start"] == "2026-11-16"
    assert week_point["unit"]["on_time_rate"] == pytest.approx(0.5)
    assert week_point["bureau"]["on_time_rate"] == pytest.approx(5 / 8)
    assert body["breakdowns"]["topic"] == [{"label": "噪音扰民", "count": 9}]
    assert body["load"] == [{"unit_id": station_a.pk, "unit": "城关派出所", "open": 3, "due_soon": 0, "overdue": 1}]


def test_hotspots(api, week, supervisor):
    with at(local(23, 8)):
        body = get(api, supervisor, f"{BASE}/hotspots/", week="2026-11-18", level="station").json()
    assert (body["week_start"], body["week_end"], body["level"]) == ("2026-11-16", "2026-11-22", "station")
    # No address rules here: each order's area is the station it was dispatched to. Every call
    # counts, the merged duplicate o5 included: A has 9, B 2.
    cells = {h["area_label"]: (h["count"], h["surge"]) for h in body["hotspots"]}
    assert cells == {"城关派出所": (9, True), "卧龙山派出所": (2, False)}


@pytest.mark.parametrize(
    "params",
    [{"week": "x"}, {"week": "0001-01-01"}, {"level": "moon"}, {"topic": "-1"}, {"topic": "99999999999999999999"}],
)
def test_bad_hotspot_queries_are_400(api, supervisor, params):
    response = get(api, supervisor, f"{BASE}/hotspots/", **params)
    assert response.status_code == 400
    assert set(params) <= set(response.json()["errors"])


def test_repeat_caller_phone_is_masked_for_supervisors_and_shown_to_dispatchers(api, cast, supervisor, dispatcher):
    for hour in (9, 10, 11):
        cast.receive(local(17, hour), phone="13812345678")
    with at(local(18, 8)):
        masked = get(api, supervisor, f"{BASE}/hotspots/").json()["repeat_callers"]
        shown = get(api, dispatcher, f"{BASE}/hotspots/").json()["repeat_callers"]
    assert masked[0]["key"] == "138****5678"
    assert shown[0]["key"] == "13812345678"
