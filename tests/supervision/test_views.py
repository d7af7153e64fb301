"""The supervision center and the inbox in the browser: wiring, permissions, what people see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import InboxItem, Notice, NoticeStatus
from supervision.notifications import notify_unit
from tests.supervision.conftest import REMINDER, SUPERVISION, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(clock, make_dispatched):
    return make_dispatched()


@pytest.fixture
def notice(order, supervisor):
    return services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="超期未办结")


@pytest.fixture
def other_notice(clock, make_dispatched, station_b, supervisor):
    order_b = make_dispatched(unit=station_b, caller_phone="13900000000", address="卧龙山街道")
    return services.notice_issue_by_hand(acting_user=supervisor, order=order_b, kind=REMINDER, reason="回访不满意")


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def test_pages_need_a_login(client, notice):
    for target in (url("notice_list"), url("notice_detail", notice.pk), url("inbox"), url("notice_issue")):
        response = client.get(target)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_officer_sees_only_the_units_notices(client, officer_a, notice, other_notice):
    client.force_login(officer_a)
    page = client.get(url("notice_list")).content.decode()
    assert notice.number in page
    assert other_notice.number not in page
    assert client.get(url("notice_detail", other_notice.pk)).status_code == 404
    assert client.get(url("notice_letter", other_notice.pk)).status_code == 404
    assert client.get(url("notice_pdf", other_notice.pk)).status_code == 404


def test_supervisor_sees_all_and_filters(client, supervisor, notice, other_notice, station_b):
    client.force_login(supervisor)
    page = client.get(url("notice_list")).content.decode()
    assert notice.number in page and other_notice.number in page
    page = client.get(url("notice_list"), {"kind": REMINDER}).content.decode()
    assert notice.number not in page and other_notice.number in page
    page = client.get(url("notice_list"), {"unit": station_b.pk}).content.decode()
    assert notice.number not in page and other_notice.number in page
    page = client.get(url("notice_list"), {"status": "closed"}).content.decode()
    assert notice.number not in page and other_notice.number not in page


def test_the_list_filters_by_rule_and_by_issue_date(client, clock, supervisor, notice, other_notice):
    client.force_login(supervisor)
    page = client.get(url("notice_list"), {"rule": "manual"}).content.decode()
    assert notice.number in page and other_notice.number in page
    page = client.get(url("notice_list"), {"rule": "overdue"}).content.decode()
    assert notice.number not in page and other_notice.number not in page
    page = client.get(url("notice_list"), {"issued_after": "2026-11-23", "issued_before": "2026-11-23"}).content
    assert notice.number in page.decode()
    page = client.get(url("notice_list"), {"issued_after": "2026-11-24"}).content.decode()
    assert notice.number not in page and other_notice.number not in page


def test_late_filter_shows_unanswered_notices_past_their_time(client, clock, supervisor, notice):
    client.force_login(supervisor)
    assert notice.number not in client.get(url("notice_list"), {"late": "yes"}).content.decode()
    clock.move_to(at(2026, 11, 24, 10, 0))
    client.force_login(supervisor)  # a day later: the 8-hour session has ended
    assert notice.number in client.get(url("notice_list"), {"late": "yes"}).content.decode()
    assert notice.number not in client.get(url("notice_list"), {"late": "no"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nonsense", "status": "<b>", "unit": "abc", "late": "maybe", "page": "-1"},
        {"rule": "nonsense", "issued_after": "2026-02-30", "issued_before": "99999-01-01"},
        {"unit": "999999", "page": "9999"},
        {"q": "x" * 500},
        {"q": "\x00"},
    ],
)
def test_bad_filters_never_give_an_error_page(client, supervisor, notice, params):
    client.force_login(supervisor)
    assert client.get(url("notice_list"), params).status_code == 200


def test_officer_signs_from_the_detail_page_once(client, officer_a, notice):
    client.force_login(officer_a)
    page = client.get(url("notice_detail", notice.pk)).content.decode()
    assert url("notice_sign", notice.pk) in page
    response = client.post(url("notice_sign", notice.pk), follow=True)
    assert "已签收" in response.content.decode()
    # A double click: the second submit changes nothing and says why.
    response = client.post(url("notice_sign", notice.pk), follow=True)
    assert "不能执行「签收」" in response.content.decode()
    assert notice.events.filter(action="sign").count() == 1


def test_empty_response_shows_the_error_next_to_the_field(client, officer_a, head_a, notice):
    services.notice_sign(notice=notice, acting_user=officer_a)
    client.force_login(head_a)
    response = client.post(url("notice_respond", notice.pk), {"response": "   "})
    assert response.status_code == 400
    assert 'id="id_response_error"' in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SIGNED


def test_head_responds_and_supervisor_closes(client, officer_a, head_a, supervisor, notice):
    services.notice_sign(notice=notice, acting_user=officer_a)
    client.force_login(head_a)
    client.post(url("notice_respond", notice.pk), {"response": "已约谈责任民警，落实整改。"})
    client.force_login(supervisor)
    page = client.get(url("notice_detail", notice.pk)).content.decode()
    assert "已约谈责任民警" in page and url("notice_close", notice.pk) in page
    client.post(url("notice_close", notice.pk), {"note": "同意办结"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED


def test_other_units_officer_cannot_act_on_a_notice(client, officer_b, notice):
    client.force_login(officer_b)
    assert client.post(url("notice_sign", notice.pk)).status_code == 404
    assert client.post(url("notice_respond", notice.pk), {"response": "x"}).status_code == 404


def test_only_supervisors_reach_the_issue_form(client, officer_a, dispatcher, supervisor):
    for user in (officer_a, dispatcher):
        client.force_login(user)
        assert client.get(url("notice_issue")).status_code == 403
    client.force_login(supervisor)
    assert client.get(url("notice_issue")).status_code == 200


def test_issue_form_shows_errors_next_to_fields(client, supervisor, order):
    client.force_login(supervisor)
    response = client.post(url("notice_issue"), {"order": "GD-nope", "kind": "letter", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("order", "kind", "reason"):
        assert f'id="id_{field}_error"' in page
    assert "没有编号为「GD-nope」的工单" in page
    assert Notice.objects.count() == 0


def test_issue_form_respond_by_in_the_past_is_refused(client, supervisor, order):
    client.force_login(supervisor)
    response = client.post(
        url("notice_issue"),
        {"order": order.number, "kind": REMINDER, "reason": "事由", "respond_by": "2020-01-01T09:00"},
    )
    assert response.status_code == 400
    assert 'id="id_respond_by_error"' in response.content.decode()


def test_issue_by_hand_and_double_submit_issues_one(client, supervisor, order):
    client.force_login(supervisor)
    token = "7f1c1d1e-0000-4000-8000-000000000001"
    data = {"order": order.number, "kind": REMINDER, "reason": "群众反映强烈", "token": token}
    first = client.post(url("notice_issue"), data)
    second = client.post(url("notice_issue"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Notice.objects.get().kind == REMINDER


def test_letter_view_and_pdf_download(client, officer_a, notice):
    client.force_login(officer_a)
    page = client.get(url("notice_letter", notice.pk))
    assert page.status_code == 200
    assert "@media print" in page.content.decode() and notice.number in page.content.decode()
    pdf = client.get(url("notice_pdf", notice.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


def test_inbox_counts_unread_and_marks_read(client, officer_a, head_a, notice, station_a):
    notify_unit(unit=station_a, title="第二条消息", category="test")
    client.force_login(officer_a)
    page = client.get(url("inbox")).content.decode()
    assert "未读 2 条" in page and "第二条消息" in page
    item = InboxItem.objects.filter(user=officer_a).first()
    client.post(url("inbox_mark_read"), {"items": [str(item.pk)]})
    assert InboxItem.objects.filter(user=officer_a, read_at__isnull=True).count() == 1
    client.post(url("inbox_mark_read"), {"all": "1"})
    assert InboxItem.objects.filter(user=officer_a, read_at__isnull=True).count() == 0
    # The head's copies are the head's own.
    assert InboxItem.objects.filter(user=head_a, read_at__isnull=True).count() == 2


def test_marking_someone_elses_item_does_nothing(client, officer_a, head_a, notice):
    other = InboxItem.objects.get(user=head_a)
    client.force_login(officer_a)
    client.post(url("inbox_mark_read"), {"items": [str(other.pk), "abc", ""], "next": "https://evil.example/"})
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_redirects_only_to_this_site(client, officer_a, notice):
    client.force_login(officer_a)
    response = client.post(url("inbox_mark_read"), {"all": "1", "next": "//evil.example/"})
    assert response["Location"] == url("inbox")


def test_unit_inbox_lists_what_was_sent_to_the_unit(client, head_a, notice):
    client.force_login(head_a)
    page = client.get(url("unit_inbox")).content.decode()
    assert notice.number in page


def test_english_pages_through_i18n(client, supervisor, notice, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(url("notice_list")).content.decode()
    assert "Supervision center" in page


def test_the_letter_stays_in_the_bureaus_language_for_an_english_reader(client, supervisor, notice):
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(url("notice_letter", notice.pk)).content.decode()
    assert "请你单位接此督办单后立即签收" in page
    assert "Supervision order" not in page
