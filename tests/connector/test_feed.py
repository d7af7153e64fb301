"""The change feed: every visible event, in a stable order, resumable, never skipping a late commit."""

import threading
import time

import pytest
from django.db import connection, transaction

from connector.selectors import Cursor, feed_page
from tickets import services

pytestmark = pytest.mark.django_db

FEED = "/api/v1/events/"


START = Cursor()


def read_all(user, after=START):
    seen = []
    while True:
        entries, after = feed_page(user, after=after, limit=2)
        if not entries:
            return seen, after
        seen += [(e.order_event or e.notice_event).pk for e in entries]


def test_the_feed_replays_every_event_once_in_order_across_pages(loop, dispatcher):
    order = loop.reported()
    seen, _ = read_all(dispatcher)
    assert seen == list(order.events.order_by("id").values_list("pk", flat=True))


def test_an_officer_sees_only_events_of_orders_they_may_see(api, loop, officer_b):
    loop.reported()  # station A's
    body = api(officer_b).get(FEED).json()
    assert body["results"] == []


def test_the_api_answers_pages_with_a_cursor_to_resume_from(api, loop, dispatcher):
    order = loop.contacted()
    first = api(dispatcher).get(FEED, {"limit": 1}).json()
    assert [e["action"] for e in first["results"]] == ["dispatch"]
    rest = api(dispatcher).get(FEED, {"after": first["next"]}).json()
    assert [e["action"] for e in rest["results"]] == ["contact"]
    assert rest["results"][0]["order"]["number"] == order.number
    assert api(dispatcher).get(FEED, {"after": rest["next"]}).json() == {"results": [], "next": rest["next"]}


def test_a_bad_cursor_is_a_clear_error(api, dispatcher):
    response = api(dispatcher).get(FEED, {"after": "drop table"})
    assert response.status_code == 400
    assert "游标无效" in response.json()["errors"]["after"][0]


@pytest.mark.parametrize("after", ["99999999999999999999-1", "١٢-٣", "-", "1-"])
def test_a_cursor_out_of_range_or_not_ours_is_refused(api, dispatcher, after):
    assert api(dispatcher).get(FEED, {"after": after}).status_code == 400


def test_a_limit_out_of_range_is_refused(api, dispatcher):
    assert api(dispatcher).get(FEED, {"limit": "501"}).status_code == 400


def test_the_feed_needs_a_signed_in_client(api):
    assert api().get(FEED).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_late_is_not_skipped(loop, cast):
    """Two connections: A writes an event and keeps its transaction open; B writes one and commits.
    A reader must not move past B's event while A's (written before it) is still uncommitted."""
    dispatcher, officer = cast["dispatcher"], cast["officer_a"]
    first, second = loop.dispatched(), loop.dispatched()
    # xids are cluster-wide: a write transaction in another database of this server (another
    # test run) holds the feed back too, for as long as it lasts. Wait for it, never skip.
    seen, cursor = read_all(dispatcher)
    deadline = time.monotonic() + 60
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        more, cursor = read_all(dispatcher, cursor)
        seen += more
    assert len(seen) == 2
    written, commit = threading.Event(), threading.Event()

    def slow_transition():
        try:
            with transaction.atomic():
                services.order_sign(order=first, acting_user=officer)
                written.set()
                commit.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_transition)
    thread.start()
    assert written.wait(20)
    services.order_sign(order=second, acting_user=officer)  # commits now

    entries, held = feed_page(dispatcher, after=cursor)
    assert entries == [] and held == cursor  # B's event waits for A's

    commit.set()
    thread.join(20)
    expected = [first.events.get(action="sign").pk, second.events.get(action="sign").pk]
    deadline = time.monotonic() + 60
    seen, _ = read_all(dispatcher, cursor)
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        seen, _ = read_all(dispatcher, cursor)
    assert seen == expected


def test_notice_events_are_in_the_feed_of_those_who_may_see_the_notice(api, loop, supervisor, officer_b, station_a):
    from supervision.services import notice_issue

    notice = notice_issue(kind="supervision", unit=station_a, orders=[loop.dispatched()], reason="超期未办结")
    notices = [e for e in api(supervisor).get(FEED).json()["results"] if e["kind"] == "notice"]
    assert [(e["action"], e["notice"]["number"]) for e in notices] == [("issue", notice.number)]
    assert api(officer_b).get(FEED).json()["results"] == []
