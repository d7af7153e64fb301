"""The notices API (/api/v1/notices/): reads, filters, the unit's answer and the supervisor's
close, issuing by hand, preconditions, Idempotency-Key and the letter as PDF.

Who may do what on which notice, role by role, is tests/api/test_notice_permissions.py.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from supervision import services as notice_services
from supervision.models import Notice, NoticeEvent, Rule

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/notices/"


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["number"] for row in response.json()["results"]]


# --- list and detail ---


def test_list_holds_a_unit_only_its_own_notices(api, officer_a, order_in, notice_for, station_b, head_b):
    own = notice_for(order_in("dispatched"))
    other = notice_for(order_in("dispatched", unit=station_b))
    listed = numbers(api(officer_a).get(NOTICES))
    assert own.number in listed and other.number not in listed


def test_list_is_newest_first_in_cursor_pages(api, supervisor, order_in, notice_for):
    issued = [notice_for(order_in("dispatched")) for _ in range(3)]
    client = api(supervisor)
    first = client.get(NOTICES, {"page_size": 2}).json()
    assert [r["number"] for r in first["results"]] == [issued[2].number, issued[1].number]
    second = client.get(first["next"]).json()
    assert [r["number"] for r in second["results"]] == [issued[0].number]
    assert second["next"] is None and second["previous"]


def test_list_filters_by_kind_status_and_unit(api, supervisor, order_in, notice_for, station_a, station_b, head_b):
    reminder = notice_for(order_in("dispatched"), kind="reminder", status="signed")
    supervision = notice_for(order_in("dispatched"))
    b = notice_for(order_in("dispatched", unit=station_b))
    client = api(supervisor)
    assert numbers(client.get(NOTICES, {"kind": "reminder"})) == [reminder.number]
    assert numbers(client.get(NOTICES, {"status": "signed"})) == [reminder.number]
    assert set(numbers(client.get(NOTICES, {"status": "open"}))) == {reminder.number, supervision.number, b.number}
    assert numbers(client.get(NOTICES, {"unit": station_b.pk})) == [b.number]


def test_list_filters_by_rule_manual_meaning_issued_by_hand(api, supervisor, order_in, notice_for):
    by_hand = notice_for(order_in("dispatched"))
    by_rule = notice_for(order_in("dispatched"))
    Notice.objects.filter(pk=by_rule.pk).update(rule=Rule.OVERDUE)
    client = api(supervisor)
    assert numbers(client.get(NOTICES, {"rule": "overdue"})) == [by_rule.number]
    assert numbers(client.get(NOTICES, {"rule": "manual"})) == [by_hand.number]


def test_list_filters_by_issue_dates_inclusive(api, supervisor, order_in, notice_for):
    old = notice_for(order_in("dispatched"))
    new = notice_for(order_in("dispatched"))
    Notice.objects.filter(pk=old.pk).update(issued_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    client = api(supervisor)
    assert numbers(client.get(NOTICES, {"issued_after": today.isoformat()})) == [new.number]
    earlier = (today - dt.timedelta(days=10)).isoformat()
    assert numbers(client.get(NOTICES, {"issued_before": earlier})) == [old.number]


def test_list_filters_by_an_order_number(api, supervisor, order_in, notice_for):
    order = order_in("dispatched")
    named = notice_for(order)
    notice_for(order_in("dispatched"))
    assert numbers(api(supervisor).get(NOTICES, {"order_number": order.number})) == [named.number]


def test_an_order_number_of_another_unit_finds_none_of_ones_notices(
    api, officer_a, order_in, station_b, head_b, supervisor
):
    """A notice to station A that names a station-B order must not be findable by that number."""
    a_order, b_order = order_in("dispatched"), order_in("dispatched", unit=station_b)
    notice = notice_services.notice_issue(
        kind="reminder", unit=a_order.unit, orders=[a_order, b_order], reason="重复投诉", acting_user=supervisor
    )
    client = api(officer_a)
    assert numbers(client.get(NOTICES, {"order_number": b_order.number})) == []
    assert numbers(client.get(NOTICES, {"order_number": a_order.number})) == [notice.number]


def test_a_bad_filter_is_a_400_naming_the_field_in_the_request_language(api, supervisor):
    zh = api(supervisor).get(NOTICES, {"kind": "letter", "issued_after": "someday"})
    assert zh.status_code == 400
    assert zh.json()["code"] == "invalid" and set(zh.json()["errors"]) == {"kind", "issued_after"}
    assert zh.json()["detail"] == "提交的数据有误，请检查后重试。"
    en = api(supervisor, language="en").get(NOTICES, {"kind": "letter"})
    assert en.status_code == 400 and "letter" in en.json()["errors"]["kind"][0]
    assert en.json()["detail"].isascii()


def test_detail_describes_only_the_readers_orders_and_counts_the_others(
    api, officer_a, order_in, station_b, head_b, supervisor
):
    a_order, b_order = order_in("dispatched"), order_in("dispatched", unit=station_b)
    notice = notice_services.notice_issue(
        kind="reminder", unit=a_order.unit, orders=[a_order, b_order], reason="重复投诉", acting_user=supervisor
    )
    response = api(officer_a).get(f"{NOTICES}{notice.pk}/")
    assert response.status_code == 200
    orders = response.json()["orders"]
    assert [o["number"] for o in orders["shown"]] == [a_order.number]
    assert (orders["other_units"], orders["withheld"], orders["total"]) == (1, 0, 2)
    assert b_order.number not in response.content.decode()  # nor in the log


def test_detail_carries_its_version_as_etag_and_the_readers_actions(api, officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    response = api(officer_a).get(f"{NOTICES}{notice.pk}/")
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"' == '"1"'
    assert [a["action"] for a in body["allowed_actions"]] == ["sign"]
    assert [e["action"] for e in body["events"]] == ["issue"]


# --- the unit answers, the supervisor closes ---


def test_the_unit_signs_and_answers_and_the_supervisor_closes(api, officer_a, head_a, supervisor, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    url = f"{NOTICES}{notice.pk}/"
    signed = api(officer_a).post(f"{url}sign/", format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed["ETag"] == '"2"'
    answered = api(head_a).post(f"{url}respond/", {"response": "已约谈责任民警，三日内整改"}, format="json")
    assert answered.status_code == 200 and answered.json()["response"] == "已约谈责任民警，三日内整改"
    closed = api(supervisor).post(f"{url}close/", {"note": "整改到位"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["closed_by"]["id"] == supervisor.pk
    assert [e.action for e in NoticeEvent.objects.filter(notice=notice)] == ["issue", "sign", "respond", "close"]


def test_a_blank_response_is_a_400_in_chinese_and_changes_nothing(api, head_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"), status="signed")
    response = api(head_a).post(f"{NOTICES}{notice.pk}/respond/", {"response": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"response": ["请填写整改措施。"]}
    assert Notice.objects.get(pk=notice.pk).status == "signed"


def test_a_missing_response_is_a_400_in_english_when_asked(api, head_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"), status="signed")
    response = api(head_a, language="en").post(f"{NOTICES}{notice.pk}/respond/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["response"] == ["This field is required."]


def test_signing_a_signed_notice_is_a_409_and_changes_nothing(api, officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"), status="signed")
    response = api(officer_a).post(f"{NOTICES}{notice.pk}/sign/", format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "已签收" in response.json()["detail"]
    assert NoticeEvent.objects.filter(notice=notice).count() == 2


def test_a_write_with_an_outdated_etag_is_412_and_changes_nothing(api, officer_a, head_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    etag = api(officer_a).get(f"{NOTICES}{notice.pk}/")["ETag"]
    notice_services.notice_link_orders(notice=notice, orders=[order_in("dispatched")])  # changed meanwhile
    response = api(officer_a).post(f"{NOTICES}{notice.pk}/sign/", format="json", headers={"If-Match": etag})
    assert response.status_code == 412 and response.json()["code"] == "stale_version"
    assert "函件已被他人修改" in response.json()["detail"]
    assert Notice.objects.get(pk=notice.pk).status == "issued"


def test_a_write_with_the_current_etag_succeeds(api, officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    etag = api(officer_a).get(f"{NOTICES}{notice.pk}/")["ETag"]
    response = api(officer_a).post(f"{NOTICES}{notice.pk}/sign/", format="json", headers={"If-Match": etag})
    assert response.status_code == 200 and response["ETag"] == '"2"'


def test_the_service_checks_the_version_again_under_the_lock(officer_a, order_in, notice_for):
    from tickets.exceptions import StaleVersion

    notice = notice_for(order_in("dispatched"))
    with pytest.raises(StaleVersion):
        notice_services.notice_sign(notice=notice, acting_user=officer_a, expected_version=5)
    assert Notice.objects.get(pk=notice.pk).status == "issued"


def test_a_retried_sign_with_the_same_key_is_replayed_not_refused(api, officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    client = api(officer_a)
    first = client.post(f"{NOTICES}{notice.pk}/sign/", format="json", headers={"Idempotency-Key": "k-sign-1"})
    again = client.post(f"{NOTICES}{notice.pk}/sign/", format="json", headers={"Idempotency-Key": "k-sign-1"})
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert NoticeEvent.objects.filter(notice=notice, action="sign").count() == 1


# --- issue by hand ---


def issue(client, order, **fields):
    body = {"order": order.pk, "kind": "supervision", "reason": "超期未办结", **fields}
    return client.post(NOTICES, body, format="json")


def test_a_supervisor_issues_a_notice_by_hand(api, supervisor, order_in):
    order = order_in("dispatched")
    response = issue(api(supervisor), order, kind="reminder", requirement="三日内反馈")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "reminder" and body["rule"] == "" and body["issued_by"]["id"] == supervisor.pk
    assert body["unit"]["id"] == order.unit_id and [o["id"] for o in body["orders"]["shown"]] == [order.pk]
    assert response["Location"].endswith(f"{NOTICES}{body['id']}/")


def test_issuing_for_an_order_not_yet_dispatched_is_a_400(api, supervisor, order_in):
    response = issue(api(supervisor), order_in("received"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"order": ["该工单尚未转办，没有承办单位，不能下发函件。"]}
    assert not Notice.objects.exists()


def test_issuing_with_a_past_respond_by_is_a_400(api, supervisor, order_in):
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = issue(api(supervisor), order_in("dispatched"), respond_by=past)
    assert response.status_code == 400 and "respond_by" in response.json()["errors"]
    assert not Notice.objects.exists()


def test_issuing_for_an_unknown_order_or_kind_is_a_400(api, supervisor, order_in):
    order = order_in("dispatched")
    response = api(supervisor).post(NOTICES, {"order": 999999, "kind": "letter", "reason": "x"}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"order", "kind"}
    assert issue(api(supervisor), order, reason="").json()["errors"] == {"reason": ["请填写督办事由。"]}


def test_a_retried_issue_with_the_same_key_issues_one_notice(api, supervisor, order_in):
    order = order_in("dispatched")
    client = api(supervisor)
    first = client.post(
        NOTICES, {"order": order.pk, "kind": "supervision", "reason": "超期"}, format="json",
        headers={"Idempotency-Key": "issue-1"},
    )
    again = client.post(
        NOTICES, {"order": order.pk, "kind": "supervision", "reason": "超期"}, format="json",
        headers={"Idempotency-Key": "issue-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Notice.objects.count() == 1


# --- the letter ---


def test_the_letter_pdf_is_the_readers_letter_and_stored_once(api, officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    client = api(officer_a)
    with mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub") as render:
        first = client.get(f"{NOTICES}{notice.pk}/letter.pdf")
        second = client.get(f"{NOTICES}{notice.pk}/letter.pdf")
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf" and first.content == b"%PDF-1.7 stub"
    assert "attachment" in first["Content-Disposition"]
    assert render.call_args == mock.call(mock.ANY, user=officer_a)
    assert render.call_count == 1


def test_a_long_letter_answers_202_and_is_queued_once(api, officer_a, order_in, notice_for, settings):
    settings.SUPERVISION_LETTER_INLINE_ORDERS = 0
    notice = notice_for(order_in("dispatched"))
    client = api(officer_a)
    with mock.patch("supervision.letters.enqueue") as enqueue:
        pending = client.get(f"{NOTICES}{notice.pk}/letter.pdf")
        again = client.get(f"{NOTICES}{notice.pk}/letter.pdf")
    assert pending.status_code == again.status_code == 202
    assert pending.json()["code"] == "letter_pending" and pending["Retry-After"]
    assert enqueue.call_args_list == [mock.call("supervision.render_letter", notice.pk, officer_a.pk)]


def test_a_letter_asked_for_as_pdf_still_answers_its_errors_in_json(api, officer_b, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    response = api(officer_b).get(f"{NOTICES}{notice.pk}/letter.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_letter_pdf_describes_only_what_the_unit_may_see(api, officer_a, order_in, station_b, head_b, supervisor):
    a_order, b_order = order_in("dispatched"), order_in("dispatched", unit=station_b)
    notice = notice_services.notice_issue(
        kind="reminder", unit=a_order.unit, orders=[a_order, b_order], reason="重复投诉", acting_user=supervisor
    )
    import weasyprint

    fed: list[str] = []
    real = weasyprint.HTML

    def capture(*args, string=None, **kwargs):
        fed.append(string)
        return real(*args, string=string, **kwargs)

    with mock.patch.object(weasyprint, "HTML", capture):
        response = api(supervisor).get(f"{NOTICES}{notice.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert a_order.number in fed[0] and b_order.number not in fed[0]
    assert "另有 1 件其他单位工单" in fed[0]


# --- bodies no request should send ---

NESTED = b"[" * 950 + b"]" * 950


def test_a_deeply_nested_issue_body_is_a_400(api, supervisor):
    response = api(supervisor).post(NOTICES, NESTED, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "too_deep")


def test_a_deeply_nested_response_body_is_a_400_and_changes_nothing(api, head_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"), status="signed")
    response = api(head_a).post(f"{NOTICES}{notice.pk}/respond/", NESTED, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "too_deep")
    assert Notice.objects.get(pk=notice.pk).status == "signed"


def test_a_response_over_the_limit_is_a_400_naming_the_limit(api, head_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"), status="signed")
    response = api(head_a).post(f"{NOTICES}{notice.pk}/respond/", {"response": "改" * 5001}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["response"] == ["最多 5000 个字，现有 5001 个字，请删减。"]


def test_a_notice_id_that_is_not_a_number_is_a_json_404(api, supervisor):
    for path in (f"{NOTICES}abc/", f"{NOTICES}abc/letter.pdf", f"{NOTICES}99999999999999999999/sign/"):
        response = api(supervisor).get(path) if "sign" not in path else api(supervisor).post(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path


def test_a_page_of_notices_costs_the_same_queries_however_many_it_holds(api, supervisor, order_in, notice_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(supervisor)
    notice_for(order_in("dispatched"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(NOTICES).status_code == 200
    for _ in range(4):
        notice_for(order_in("dispatched"), status="closed")
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(NOTICES).json()["results"]) == 5
    assert len(five) == len(one)
