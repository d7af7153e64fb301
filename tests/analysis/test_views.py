"""Browser pages: who sees what, errors next to the fields, and no input that gives a 500."""

import datetime as dt

import pytest
from django.urls import reverse

from analysis.bulletins import bulletin_generate
from analysis.campaigns import campaign_start
from analysis.models import AreaLevel, Bulletin, BulletinCommitment, TypicalCase
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at
from tests.factories import TopicFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

CAST = ["officer_a", "head_a", "reviewer", "dispatcher", "supervisor", "outsider"]


@pytest.fixture
def people(officer_a, head_a, reviewer, dispatcher, supervisor, outsider):
    return {u.username: u for u in (officer_a, head_a, reviewer, dispatcher, supervisor, outsider)}


@pytest.fixture
def bulletin(people):
    with at(GENERATED_AT):
        return bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=people["supervisor"])


@pytest.fixture
def campaign(people, station_a, station_b):
    return campaign_start(
        title="专项整治",
        topic=TopicFactory(),
        lead_unit=station_b,
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 12, 20),
        acting_user=people["supervisor"],
    )


def status_for(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response.status_code


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("analysis:dashboard", {"dispatcher", "supervisor"}),
        ("analysis:bulletins", {"head_a", "dispatcher", "supervisor"}),
        ("analysis:hotspots", {"dispatcher", "supervisor"}),
        ("analysis:campaign_new", {"supervisor"}),
        ("analysis:cases", set(CAST)),
        ("analysis:case_new", {"supervisor"}),
        ("analysis:campaigns", set(CAST)),
    ],
)
def test_page_permissions(client, people, name, allowed):
    url = reverse(name)
    for username in CAST:
        expected = 200 if username in allowed else 403
        assert status_for(client, people[username], url) == expected, username


def test_anonymous_is_sent_to_login(client, station_a):
    for url in (reverse("analysis:dashboard"), reverse("analysis:unit_dashboard", kwargs={"unit_id": station_a.pk})):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unit_staff_see_only_their_own_unit_dashboard(client, people, station_a, station_b):
    own = reverse("analysis:unit_dashboard", kwargs={"unit_id": station_a.pk})
    other = reverse("analysis:unit_dashboard", kwargs={"unit_id": station_b.pk})
    for username in ("officer_a", "head_a"):
        assert status_for(client, people[username], own) == 200
        assert status_for(client, people[username], other) == 403
    assert status_for(client, people["supervisor"], other) == 200
    assert status_for(client, people["reviewer"], own) == 403


def test_home_sends_each_role_to_its_dashboard(client, people, station_a):
    client.force_login(people["officer_a"])
    assert client.get(reverse("analysis:home"))["Location"] == reverse(
        "analysis:unit_dashboard", kwargs={"unit_id": station_a.pk}
    )
    client.force_login(people["supervisor"])
    assert client.get(reverse("analysis:home"))["Location"] == reverse("analysis:dashboard")


@pytest.mark.parametrize("suffix", ["", "print/", "bulletin.xlsx", "bulletin.pdf", "exports/pdf/"])
def test_bulletin_pages_permissions(client, people, bulletin, suffix):
    url = reverse("analysis:bulletin", kwargs={"pk": bulletin.pk}) + suffix
    for username in CAST:
        # The PDF is rendered by a worker: the first request queues it and answers 202.
        allowed = 202 if suffix == "bulletin.pdf" else 200
        expected = allowed if username in {"head_a", "dispatcher", "supervisor"} else 403
        assert status_for(client, people[username], url) == expected, username


def test_missing_bulletin_is_404(client, people):
    client.force_login(people["supervisor"])
    assert client.get(reverse("analysis:bulletin", kwargs={"pk": 999999})).status_code == 404
    assert client.get("/analysis/bulletins/99999999999999999999/").status_code == 404
    assert client.get("/analysis/dashboard/units/99999999999999999999/").status_code == 404


def test_campaign_page_is_for_the_bureau_and_the_units_involved(client, people, campaign):
    url = reverse("analysis:campaign", kwargs={"pk": campaign.pk})
    assert status_for(client, people["supervisor"], url) == 200
    assert status_for(client, people["officer_a"], url) == 403  # A is not in this campaign
    assert status_for(client, people["officer_a"], url, "post", {"numbers": "x"}) == 403


def test_generate_bulletin_from_the_form(client, people):
    client.force_login(people["supervisor"])
    with at(GENERATED_AT):
        response = client.post(reverse("analysis:bulletins"), {"mode": "week", "week": "2026-11-18", "nonce": "n1"})
    bulletin = Bulletin.objects.get()
    assert response["Location"] == reverse("analysis:bulletin", kwargs={"pk": bulletin.pk})
    assert (bulletin.period_start, bulletin.period_end) == (WEEK_START, WEEK_END)


def test_double_submitted_generate_makes_one_version(client, people):
    client.force_login(people["supervisor"])
    data = {"mode": "week", "week": "2026-11-18", "nonce": "same"}
    with at(GENERATED_AT):
        first = client.post(reverse("analysis:bulletins"), data)
        second = client.post(reverse("analysis:bulletins"), data)
    assert first["Location"] == second["Location"]
    assert Bulletin.objects.count() == 1


def test_dispatcher_cannot_generate(client, people):
    assert status_for(client, people["dispatcher"], reverse("analysis:bulletins"), "post", {"mode": "week"}) == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "range", "start": "2026-11-22", "end": "2026-11-16"}, "end"),
        ({"mode": "range", "start": "2026-11-16", "end": ""}, "end"),
        ({"mode": "week", "week": ""}, "week"),
        ({"mode": "week", "week": "not-a-date"}, "week"),
        ({"mode": "range", "start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ({"mode": "sideways"}, "mode"),
    ],
)
def test_generate_form_errors_are_shown_next_to_the_field(client, people, data, field):
    client.force_login(people["supervisor"])
    with at(GENERATED_AT):
        response = client.post(reverse("analysis:bulletins"), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Bulletin.objects.exists()


def test_unit_head_records_a_commitment(client, week, people, station_a):
    with at(GENERATED_AT):
        bulletin = bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=people["supervisor"])
        client.force_login(people["head_a"])
        page = client.get(reverse("analysis:bulletin", kwargs={"pk": bulletin.pk})).content.decode()
        assert "填报整改措施" in page
        url = reverse("analysis:bulletin_commit", kwargs={"pk": bulletin.pk})
        bad = client.post(url, {"unit": station_a.pk, "measures": "整改", "due_on": "2026-11-01"})
        assert bad.status_code == 400 and 'id="id_due_on_error"' in bad.content.decode()
        good = client.post(url, {"unit": station_a.pk, "measures": "逐一回访。", "due_on": "2026-11-30"})
    assert good.status_code == 302
    assert BulletinCommitment.objects.get().recorded_by == people["head_a"]


def test_case_form_reports_an_unknown_order_next_to_the_field(client, people):
    client.force_login(people["supervisor"])
    response = client.post(
        reverse("analysis:case_new"), {"order": "GD000", "kind": "good", "title": "t", "commentary": "c"}
    )
    assert response.status_code == 400
    assert 'id="id_order_error"' in response.content.decode()


def test_case_marked_from_the_form_is_listed_for_officers(client, people, station_a):
    order = WorkOrderFactory(topic=TopicFactory(), unit=station_a, status="dispatched")
    client.force_login(people["supervisor"])
    client.post(
        reverse("analysis:case_new"),
        {"order": order.number, "kind": "bad", "title": "超时未联系", "commentary": "未在一小时内联系群众。"},
    )
    assert TypicalCase.objects.get().order == order
    client.force_login(people["officer_a"])
    page = client.get(reverse("analysis:cases"), {"kind": "bad"}).content.decode()
    assert "超时未联系" in page and order.number in page


def test_campaign_form_requires_the_keyword_of_a_place(client, people, station_b):
    client.force_login(people["supervisor"])
    response = client.post(
        reverse("analysis:campaign_new"),
        {
            "title": "整治",
            "topic": TopicFactory().pk,
            "area_level": AreaLevel.PLACE,
            "lead_unit": station_b.pk,
            "starts_on": "2026-11-23",
            "ends_on": "2026-12-20",
        },
    )
    assert response.status_code == 400 and 'id="id_area_keyword_error"' in response.content.decode()


def test_campaign_form_is_prefilled_from_a_hotspot(client, people, station_b):
    topic = TopicFactory()
    client.force_login(people["supervisor"])
    page = client.get(
        reverse("analysis:campaign_new"),
        {"topic": topic.pk, "level": "station", "area": station_b.pk, "week": "2026-11-18"},
    ).content.decode()
    assert f"{station_b.name}噪音扰民专项整治" in page
    assert 'value="2026-11-16"' in page  # the hotspot's week, to link its orders


JUNK = ["x", "0", "-1", "99999999999999999999", "2026-02-30", "0001-01-01", "9999-12-31", "%00", "<script>"]


def test_no_query_string_gives_a_500(client, people, bulletin, station_a):
    client.force_login(people["supervisor"])
    urls = [
        reverse("analysis:dashboard"),
        reverse("analysis:bulletins"),
        reverse("analysis:hotspots"),
        reverse("analysis:hotspot_orders"),
        reverse("analysis:campaigns"),
        reverse("analysis:campaign_new"),
        reverse("analysis:cases"),
        reverse("analysis:case_new"),
        reverse("analysis:bulletin", kwargs={"pk": bulletin.pk}),
    ]
    keys = ("week", "level", "topic", "unit", "kind", "area", "page", "order")
    for url in urls:
        for value in JUNK:
            response = client.get(url, dict.fromkeys(keys, value))
            assert response.status_code < 500, (url, value)
    for value in JUNK:
        response = client.get(
            reverse("analysis:hotspot_orders"), {"topic": TopicFactory().pk, "area": value, "week": value}
        )
        assert response.status_code < 500


def test_no_post_gives_a_500(client, people, bulletin, campaign):
    client.force_login(people["supervisor"])
    posts = [
        reverse("analysis:bulletins"),
        reverse("analysis:bulletin_commit", kwargs={"pk": bulletin.pk}),
        reverse("analysis:campaign_new"),
        reverse("analysis:campaign", kwargs={"pk": campaign.pk}),
        reverse("analysis:case_new"),
    ]
    fields = [
        "mode",
        "week",
        "start",
        "end",
        "unit",
        "measures",
        "due_on",
        "title",
        "topic",
        "area_level",
        "area_unit",
        "area_keyword",
        "lead_unit",
        "units",
        "starts_on",
        "ends_on",
        "link_week",
        "numbers",
        "order",
        "kind",
        "commentary",
    ]
    for url in posts:
        for value in JUNK:
            assert client.post(url, dict.fromkeys(fields, value)).status_code < 500, (url, value)
