"""The workbench's wiring: who may open which page, what each form refuses, and that nothing a
person types produces a server error. The rules themselves are tested on the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import RoutingRule, RoutingRuleKind
from tests.conftest import after_the_deadline
from tickets import services
from tickets.models import ExtensionRequest, Status, WorkOrder
from tickets.workflow import TRANSITIONS, allowed_actions

pytestmark = pytest.mark.django_db


def act(client, order, action, **data):
    data.setdefault("version", order.version)
    return client.post(reverse("tickets:order_action", args=[order.pk, action]), data)


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


# --- sign-in and home pages -------------------------------------------------------------------


def test_login_page_is_our_own_and_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "12345热线工单闭环系统" in response.content.decode()
    assert "admin/login" not in [t.name for t in response.templates]


@pytest.mark.parametrize("name", ["home", "tickets:dispatch_board", "tickets:workbench", "tickets:search"])
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("cast", "page"),
    [
        ("dispatcher", "tickets:dispatch_board"),
        ("officer_a", "tickets:workbench"),
        ("head_a", "tickets:workbench"),
        ("reviewer", "tickets:review_queue"),
        ("supervisor", "tickets:overview"),
    ],
)
def test_each_role_lands_on_its_own_page(client, request, cast, page):
    client.force_login(request.getfixturevalue(cast))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse(page)
    assert client.get(response.url).status_code == 200


def test_login_with_a_wrong_password_shows_the_error(client, officer_a):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()


def test_header_shows_user_unit_and_language_switch(client, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert officer_a.display_name in html
    assert "城关派出所" in html
    assert 'name="language" value="en"' in html


def test_language_switch_turns_the_page_english(client, officer_a):
    client.force_login(officer_a)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("tickets:workbench")})
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert "Open orders" in html


def test_logout_signs_out(client, officer_a):
    client.force_login(officer_a)
    client.post(reverse("logout"))
    assert client.get(reverse("tickets:workbench")).status_code == 302


# --- who may open which page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cast", "page"),
    [
        ("officer_a", "tickets:dispatch_board"),
        ("officer_a", "tickets:callback_queue"),
        ("officer_a", "tickets:review_queue"),
        ("reviewer", "tickets:workbench"),
        ("reviewer", "tickets:dispatch_board"),
        ("dispatcher", "tickets:workbench"),
        ("supervisor", "tickets:dispatch_board"),
    ],
)
def test_pages_of_other_roles_are_forbidden(client, request, cast, page):
    client.force_login(request.getfixturevalue(cast))
    assert client.get(reverse(page)).status_code == 403


def test_officer_cannot_see_other_station_order(client, dispatched, officer_b):
    client.force_login(officer_b)
    assert client.get(reverse("tickets:order_detail", args=[dispatched.pk])).status_code == 404


def test_officer_cannot_act_on_other_station_order(client, dispatched, officer_b):
    client.force_login(officer_b)
    response = act(client, dispatched, "contact", method="phone", note="x")
    assert response.status_code == 404
    assert fresh(dispatched).status == Status.DISPATCHED


def test_other_station_order_is_not_on_the_workbench_or_in_search(client, dispatched, officer_b):
    client.force_login(officer_b)
    assert dispatched.number not in client.get(reverse("tickets:workbench")).content.decode()
    assert dispatched.number not in client.get(reverse("tickets:search")).content.decode()


def test_reviewer_cannot_see_an_order_not_up_for_review(client, dispatched, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("tickets:order_detail", args=[dispatched.pk])).status_code == 404


def test_unknown_order_and_unknown_action_are_404(client, dispatched, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("tickets:order_detail", args=[999999])).status_code == 404
    assert client.get("/orders/abc/").status_code == 404
    assert act(client, dispatched, "explode").status_code == 404


def test_action_url_only_takes_posts(client, dispatched, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("tickets:order_action", args=[dispatched.pk, "contact"])).status_code == 405


# --- order detail ---------------------------------------------------------------------------------


def test_detail_offers_exactly_the_allowed_actions(client, contacted, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:order_detail", args=[contacted.pk])).content.decode()
    allowed = {t.action for t in allowed_actions(contacted, officer_a)}
    assert allowed == {"report", "send_back", "request_extension"}
    for action in TRANSITIONS:
        url = reverse("tickets:order_action", args=[contacted.pk, action])
        assert (f'action="{url}"' in html) == (action in allowed), action


def test_detail_shows_timeline_and_records(client, reported, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:order_detail", args=[reported.pk])).content.decode()
    for text in ("接单", "转办", "联系群众", "上报结果", "已电话联系。", "已处理。", "办理过程"):
        assert text in html


def test_detail_masks_the_caller_for_a_reviewer(client, reported, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("tickets:order_detail", args=[reported.pk])).content.decode()
    assert "13812345678" not in html
    assert "138****5678" in html


def test_detail_shows_the_caller_to_the_unit(client, reported, officer_a):
    client.force_login(officer_a)
    assert "13812345678" in client.get(reverse("tickets:order_detail", args=[reported.pk])).content.decode()


# --- dispatcher board -----------------------------------------------------------------------------


@pytest.fixture
def rule(station_a):
    return RoutingRule.objects.create(kind=RoutingRuleKind.ADDRESS, keyword="幸福小区", unit=station_a)


def intake_data(topic_obj, **overrides):
    data = {
        "channel": "12345",
        "caller_name": "李先生",
        "caller_phone": "13900001111",
        "address": "城关街道幸福小区5号楼",
        "topic": topic_obj.pk,
        "nature": "complaint",
        "handling_type": "service",
        "urgency": "normal",
        "content": "小区门口夜间烧烤噪音大。",
    }
    data.update(overrides)
    return data


def test_board_shows_waiting_order_with_its_suggestion(client, dispatcher, received, rule):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    assert received.number in html
    assert "转办至城关派出所" in html


def test_one_click_dispatch_to_the_suggested_unit(client, dispatcher, received, station_a):
    client.force_login(dispatcher)
    response = act(client, received, "dispatch", unit=station_a.pk, next=reverse("tickets:dispatch_board"))
    assert response.status_code == 302 and response.url == reverse("tickets:dispatch_board")
    order = fresh(received)
    assert (order.status, order.unit) == (Status.DISPATCHED, station_a)


def test_dispatch_to_a_unit_that_cannot_handle_orders_is_refused_next_to_the_field(
    client, dispatcher, received, review_unit
):
    client.force_login(dispatcher)
    response = act(client, received, "dispatch", unit=review_unit.pk)
    assert response.status_code == 200
    assert 'data-field="unit"' in response.content.decode()
    assert fresh(received).status == Status.RECEIVED


def test_intake_registers_and_dispatches(client, dispatcher, topic, station_a):
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, dispatch_to=station_a.pk, token="t1"))
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert (order.status, order.unit) == (Status.DISPATCHED, station_a)


def test_intake_without_a_unit_waits_for_dispatch(client, dispatcher, topic):
    client.force_login(dispatcher)
    client.post(reverse("tickets:intake"), intake_data(topic))
    assert WorkOrder.objects.get().status == Status.RECEIVED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"content": "   "}, "content"),
        ({"caller_phone": "call me"}, "caller_phone"),
        ({"topic": "999999"}, "topic"),
        ({"topic": "abc"}, "topic"),
        ({"nature": "weird"}, "nature"),
        ({"leader_instructed": "on", "leader_instruction": ""}, "leader_instruction"),
        ({"received_at": "2099-01-01T10:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"dispatch_to": "999999"}, "dispatch_to"),
    ],
)
def test_intake_shows_the_error_next_to_the_field(client, dispatcher, topic, overrides, field):
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, **overrides))
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_intake_submitted_twice_registers_one_order(client, dispatcher, topic):
    client.force_login(dispatcher)
    data = intake_data(topic, token="same-form")
    client.post(reverse("tickets:intake"), data)
    response = client.post(reverse("tickets:intake"), data)
    assert WorkOrder.objects.count() == 1
    assert response.url == reverse("tickets:order_detail", args=[WorkOrder.objects.get().pk])


def test_intake_of_a_known_platform_number_points_at_the_existing_order(client, dispatcher, topic, make_order):
    existing = make_order(platform_number="SD-1")
    client.force_login(dispatcher)
    response = client.post(reverse("tickets:intake"), intake_data(topic, platform_number="SD-1"))
    assert response.url == reverse("tickets:order_detail", args=[existing.pk])
    assert WorkOrder.objects.count() == 1


def test_suggestion_shows_unit_and_the_deadline_it_would_get(client, dispatcher, topic, rule):
    client.force_login(dispatcher)
    response = client.get(
        reverse("tickets:intake_suggest"), {"address": "幸福小区7号", "topic": topic.pk, "handling_type": "service"}
    )
    html = response.content.decode()
    assert "城关派出所" in html and f'data-use-unit="{rule.unit.pk}"' in html
    assert "若现在转办" in html and "前办结" in html


@pytest.mark.parametrize("query", [{"topic": "abc"}, {"handling_type": "nope"}, {"address": "x" * 500}, {}])
def test_suggestion_survives_any_input(client, dispatcher, query):
    client.force_login(dispatcher)
    assert client.get(reverse("tickets:intake_suggest"), query).status_code == 200


def test_unit_overview_counts_overdue_orders(client, dispatcher, dispatched, station_a):
    WorkOrder.objects.filter(pk=dispatched.pk).update(handling_deadline=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:overview_partial"))
    overview = {u.name: u for u in response.context["overview"]}
    assert (overview["城关派出所"].open, overview["城关派出所"].overdue) == (1, 1)


def test_sent_back_order_and_extension_request_are_on_the_board(client, dispatcher, contacted, officer_a, make_order):
    services.order_request_extension(
        order=contacted, acting_user=officer_a, reason="需协调。", requested_until=after_the_deadline(contacted)
    )
    other = services.order_dispatch(order=make_order(), unit=contacted.unit, acting_user=dispatcher)
    services.order_send_back(order=other, acting_user=officer_a, reason="不属本所辖区。")
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    assert "不属本所辖区。" in html and "需协调。" in html


def test_dispatcher_approves_an_extension(client, dispatcher, contacted, officer_a):
    until = after_the_deadline(contacted)
    services.order_request_extension(order=contacted, acting_user=officer_a, reason="需协调。", requested_until=until)
    client.force_login(dispatcher)
    act(client, fresh(contacted), "decide_extension", decision="approve")
    assert ExtensionRequest.objects.get().status == "approved"


def test_rejecting_an_extension_needs_a_note(client, dispatcher, contacted, officer_a):
    until = after_the_deadline(contacted)
    services.order_request_extension(order=contacted, acting_user=officer_a, reason="需协调。", requested_until=until)
    client.force_login(dispatcher)
    response = act(client, fresh(contacted), "decide_extension", decision="reject", note="")
    assert 'data-field="note"' in response.content.decode()
    assert ExtensionRequest.objects.get().status == "pending"


# --- unit workbench -------------------------------------------------------------------------------


def test_workbench_sorts_by_time_left(client, officer_a, dispatcher, station_a, make_order):
    later = services.order_dispatch(order=make_order(), unit=station_a, acting_user=dispatcher)
    sooner = services.order_dispatch(order=make_order(), unit=station_a, acting_user=dispatcher)
    WorkOrder.objects.filter(pk=sooner.pk).update(handling_deadline=timezone.now() + dt.timedelta(minutes=30))
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert html.index(sooner.number) < html.index(later.number)
    assert "state-soon" in html


def test_the_sign_button_signs_the_order_and_the_page_shows_who_signed(client, officer_a, dispatched):
    client.force_login(officer_a)
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert reverse("tickets:order_action", args=[dispatched.pk, "sign"]) in page
    response = act(client, dispatched, "sign")
    assert response.status_code in (200, 302)
    assert fresh(dispatched).signed_by == officer_a
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert officer_a.display_name in page and reverse("tickets:order_action", args=[dispatched.pk, "sign"]) not in page


def test_contact_needs_a_note(client, officer_a, dispatched):
    client.force_login(officer_a)
    response = act(client, dispatched, "contact", method="phone", note=" ")
    assert response.status_code == 200
    assert 'data-field="note"' in response.content.decode()
    assert fresh(dispatched).status == Status.DISPATCHED


def test_contact_before_dispatch_is_refused_next_to_the_time(client, officer_a, dispatched):
    client.force_login(officer_a)
    earlier = timezone.localtime(dispatched.dispatched_at - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = act(client, dispatched, "contact", method="phone", note="打过电话", contacted_at=earlier)
    assert 'data-field="contacted_at"' in response.content.decode()


def test_officer_records_contact(client, officer_a, dispatched):
    client.force_login(officer_a)
    response = act(client, dispatched, "contact", method="in_person", note="上门了解。", next="/workbench/")
    assert response.url == "/workbench/"
    assert fresh(dispatched).status == Status.CONTACTED


def test_report_partly_resolved_needs_the_reason(client, officer_a, contacted):
    client.force_login(officer_a)
    response = act(client, contacted, "report", outcome="partly", text="已协调。", unresolved_reason="")
    assert 'data-field="unresolved_reason"' in response.content.decode()
    assert fresh(contacted).status == Status.CONTACTED


def test_report_with_an_unknown_outcome_is_refused(client, officer_a, contacted):
    client.force_login(officer_a)
    response = act(client, contacted, "report", outcome="magic", text="已协调。")
    assert 'data-field="outcome"' in response.content.decode()


def test_extension_must_be_later_than_the_deadline(client, officer_a, contacted):
    client.force_login(officer_a)
    too_early = timezone.localtime(contacted.handling_deadline - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = act(client, contacted, "request_extension", requested_until=too_early, reason="需协调。")
    assert 'data-field="requested_until"' in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_send_back_needs_a_reason(client, officer_a, dispatched):
    client.force_login(officer_a)
    assert 'data-field="reason"' in act(client, dispatched, "send_back", reason="").content.decode()
    act(client, dispatched, "send_back", reason="不属本所辖区。")
    assert fresh(dispatched).status == Status.SENT_BACK


def test_unit_head_assigns_only_officers_of_the_unit(client, head_a, officer_a, officer_b, dispatched):
    client.force_login(head_a)
    response = act(client, dispatched, "assign", officer=officer_b.pk)
    assert 'data-field="officer"' in response.content.decode()
    act(client, dispatched, "assign", officer=officer_a.pk)
    assert fresh(dispatched).officer == officer_a


def test_double_submit_acts_once(client, officer_a, dispatched):
    client.force_login(officer_a)
    first = act(client, dispatched, "contact", method="phone", note="已联系。")
    second = act(client, dispatched, "contact", method="phone", note="已联系。")
    assert first.status_code == second.status_code == 302
    assert fresh(dispatched).contacts.count() == 1


def test_stale_page_is_told_to_reload(client, officer_a, head_a, dispatched):
    services.order_assign(order=dispatched, acting_user=head_a, officer=officer_a)
    client.force_login(officer_a)
    response = act(client, dispatched, "contact", method="phone", note="已联系。")  # old version
    assert response.status_code == 200
    assert "请刷新后重试" in response.content.decode()
    assert fresh(dispatched).status == Status.DISPATCHED


def test_missing_version_is_refused(client, officer_a, dispatched):
    client.force_login(officer_a)
    response = client.post(
        reverse("tickets:order_action", args=[dispatched.pk, "contact"]), {"method": "phone", "note": "x"}
    )
    assert response.status_code == 200
    assert fresh(dispatched).status == Status.DISPATCHED


def test_action_not_allowed_now_shows_the_reason(client, officer_a, contacted):
    client.force_login(officer_a)
    response = act(client, contacted, "contact", method="phone", note="再联系一次。")
    assert response.status_code == 200
    assert "不能执行" in response.content.decode()


def test_next_pointing_elsewhere_is_ignored(client, officer_a, dispatched):
    client.force_login(officer_a)
    response = act(client, dispatched, "contact", method="phone", note="已联系。", next="https://evil.example/")
    assert response.url == reverse("tickets:order_detail", args=[dispatched.pk])


# --- review and callback --------------------------------------------------------------------------


def test_review_queue_shows_order_timeline_and_report(client, reviewer, reported):
    client.force_login(reviewer)
    html = client.get(reverse("tickets:review_queue")).content.decode()
    assert reported.number in html and "已处理。" in html and "办理过程" in html
    assert "审核通过" in html and "退回重办" in html


def test_return_needs_a_reason_then_goes_back_to_the_unit(client, reviewer, reported):
    client.force_login(reviewer)
    assert 'data-field="reason"' in act(client, reported, "return", reason=" ").content.decode()
    response = act(client, reported, "return", reason="请补充处理结果。", next=reverse("tickets:review_queue"))
    assert response.url == reverse("tickets:review_queue")
    assert fresh(reported).status == Status.RETURNED


def test_reviewer_approves(client, reviewer, reported):
    client.force_login(reviewer)
    act(client, reported, "approve")
    assert fresh(reported).status == Status.APPROVED


def test_callback_needs_a_satisfaction(client, dispatcher, approved):
    client.force_login(dispatcher)
    response = act(client, approved, "callback", satisfaction="", citizen_words="")
    assert 'data-field="satisfaction"' in response.content.decode()


def test_callback_queue_and_unsatisfied_reopen(client, dispatcher, approved):
    client.force_login(dispatcher)
    assert approved.number in client.get(reverse("tickets:callback_queue")).content.decode()
    act(client, approved, "callback", satisfaction="unsatisfied", citizen_words="噪音还在。")
    order = fresh(approved)
    assert order.status == Status.CALLBACK_DONE
    html = client.get(reverse("tickets:callback_queue")).content.decode()
    assert "噪音还在。" in html and "重办" in html
    act(client, order, "reopen", reason="群众不满意，继续办理。")
    assert fresh(order).status == Status.DISPATCHED


def test_close_after_callback(client, dispatcher, approved):
    order = services.order_callback(order=approved, acting_user=dispatcher, satisfaction="satisfied")
    client.force_login(dispatcher)
    act(client, order, "close")
    assert fresh(order).status == Status.CLOSED


def test_merge_into_an_unknown_number_is_refused(client, dispatcher, received):
    client.force_login(dispatcher)
    response = act(client, received, "merge", primary="GD-NOPE")
    assert 'data-field="primary"' in response.content.decode()


def test_supervisor_overview_lists_overdue_orders(client, supervisor, dispatched):
    WorkOrder.objects.filter(pk=dispatched.pk).update(handling_deadline=timezone.now() - dt.timedelta(minutes=40))
    client.force_login(supervisor)
    html = client.get(reverse("tickets:overview")).content.decode()
    assert dispatched.number in html and "超期 40分钟" in html


# --- search ----------------------------------------------------------------------------------------


def test_search_filters_by_status(client, dispatcher, received, dispatched, make_order):
    other = make_order()
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:search"), {"status": "received"}).content.decode()
    assert other.number in html and dispatched.number not in html


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nope"},
        {"unit": "abc"},
        {"received_after": "not-a-date"},
        {"page": "999"},
        {"page": "abc"},
        {"overdue": "maybe"},
        {"q": "%' OR 1=1 --"},
    ],
)
def test_search_survives_any_query(client, dispatcher, query):
    client.force_login(dispatcher)
    assert client.get(reverse("tickets:search"), query).status_code == 200


# --- nothing a person types produces a server error ---------------------------------------------------

GARBAGE = [
    {},
    {"version": "abc"},
    {"version": "-1", "unit": "x", "officer": "x", "primary": ""},
    {"version": "1", "method": "fax", "outcome": "x", "satisfaction": "x", "decision": "x"},
    {"version": "1", "contacted_at": "31/31/2026", "requested_until": "2026-13-45T99:99", "note": "x" * 5000},
    {"version": "1", "reason": "\x00", "text": "<script>alert(1)</script>", "note": "\u202e"},
]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_posts_never_produce_a_server_error(client, officer_a, contacted, action, data):
    client.force_login(officer_a)
    response = client.post(reverse("tickets:order_action", args=[contacted.pk, action]), data)
    assert response.status_code in (200, 302)


def test_supervisor_reopens_an_unsatisfied_order_from_the_overview(client, supervisor, called_back_unsatisfied):
    client.force_login(supervisor)
    html = client.get(reverse("tickets:overview")).content.decode()
    assert called_back_unsatisfied.number in html and "act-reopen" in html
    overview = reverse("tickets:overview")
    response = act(client, called_back_unsatisfied, "reopen", reason="领导要求继续办理。", next=overview)
    assert response.url == overview
    assert fresh(called_back_unsatisfied).status == Status.DISPATCHED


def test_search_filters_like_the_api(client, dispatcher, dispatched, make_order):
    """The browser search is the API's OrderFilter: several statuses at once, flags, ordering."""
    instructed = make_order(leader_instructed=True, leader_instruction="限期办结。")
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:search"), {"status": ["received", "dispatched"], "ordering": "-received_at"})
    numbers = [row.order.number for row in response.context["rows"]]
    assert numbers == [instructed.number, dispatched.number]
    response = client.get(reverse("tickets:search"), {"leader_instructed": "true"})
    assert [row.order.number for row in response.context["rows"]] == [instructed.number]
    html = response.content.decode()
    assert 'type="checkbox" name="status"' in html  # multiple choices as checkboxes in the browser


def test_detail_of_a_waiting_order_offers_the_suggested_unit(client, dispatcher, received, rule):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:order_detail", args=[received.pk])).content.decode()
    assert "转办至城关派出所" in html and "地址包含「幸福小区」" in html
