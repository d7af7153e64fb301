"""督办单 / 提醒函 in the bulletin: counts, late responses, key supervision and remedies.

These need the Notice model of the supervision-orders issue (`supervision.services.notice_issue`);
they are skipped until it is installed.
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.bulletins import bulletin_generate, meeting_list
from analysis.periods import Period
from analysis.stats import figures_by_unit, notice_orders, notices_available
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at, local

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not notices_available(), reason="needs supervision.Notice (the supervision-orders issue)"),
]

WEEK = Period(WEEK_START, WEEK_END)


def issue(kind, unit, orders, moment, respond_by):
    from supervision.services import notice_issue

    with at(moment):
        return notice_issue(kind=kind, unit=unit, orders=orders, reason="测试事由", respond_by=respond_by)


def respond(notice, user, moment, text="整改：当日上门回访。"):
    from supervision.services import notice_respond, notice_sign

    with at(moment):
        notice_sign(notice=notice, acting_user=user)
        return notice_respond(notice=notice, acting_user=user, response=text)


@pytest.fixture
def notices(week, station_a, station_b, head_a):
    o3, o8, o2 = week["o3"].order, week["o8"].order, week["o2"].order
    answered_in_time = issue("supervision", station_a, [o3], local(17, 14, 5), local(18, 14))
    respond(answered_in_time, head_a, local(18, 9))
    answered_late = issue("supervision", station_a, [o8], local(20, 10, 15), local(20, 17))
    respond(answered_late, head_a, local(21, 10), "整改：指定专人负责超期工单。")
    unanswered = issue("reminder", station_a, [o2], local(18, 11, 5), local(19, 11))
    earlier = issue("supervision", station_b, [week["p1"].order], local(10, 9), local(11, 9))
    return {"in_time": answered_in_time, "late": answered_late, "unanswered": unanswered, "earlier": earlier}


def test_notices_issued_in_the_week_are_counted_for_the_unit_they_were_issued_to(notices, station_a, station_b):
    figures = figures_by_unit(WEEK, GENERATED_AT)
    a = figures[station_a.pk]
    assert (a.supervision_orders, a.reminders) == (2, 1)
    assert figures[station_b.pk].supervision_orders == 0  # B's notice was issued the week before


def test_late_responses_count_answers_after_the_deadline_and_none_past_it(notices, station_a):
    assert figures_by_unit(WEEK, GENERATED_AT)[station_a.pk].late_responses == 2
    # Mid-week (Wed 12:00) no answer-by time has passed yet.
    assert figures_by_unit(WEEK, local(18, 12))[station_a.pk].late_responses == 0


def test_orders_with_a_supervision_order_are_key_supervised_with_their_remedies(notices, week, station_a):
    units = meeting_list(WEEK, GENERATED_AT)
    orders = {o["number"]: o for o in units[0]["orders"]}
    o3 = orders[week["o3"].order.number]
    assert o3["reasons"] == ["key"]
    assert [r["measures"] for r in o3["remedies"]] == ["整改：当日上门回访。"]
    assert orders[week["o8"].order.number]["remedies"][0]["measures"] == "整改：指定专人负责超期工单。"
    assert orders[week["o2"].order.number]["reasons"] == ["unsatisfied"]


def test_notice_orders_rows(notices, week):
    rows = notice_orders(WEEK, GENERATED_AT)
    assert [(r["kind"], r["order_number"], r["late"]) for r in rows] == [
        ("supervision", week["o3"].order.number, False),
        ("reminder", week["o2"].order.number, True),
        ("supervision", week["o8"].order.number, True),
    ]


def test_xlsx_sheet_lists_the_orders_behind_the_notices(client, notices, manager, week):
    with at(GENERATED_AT):
        bulletin = bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=manager)
    assert bulletin.data["notices_available"] is True
    client.force_login(manager)
    wb = load_workbook(io.BytesIO(client.get(reverse("analysis:bulletin_xlsx", kwargs={"pk": bulletin.pk})).content))
    rows = list(wb["督办提醒工单"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[9]) for r in rows] == [
        ("督办单", week["o3"].order.number, "否"),
        ("提醒函", week["o2"].order.number, "是"),
        ("督办单", week["o8"].order.number, "是"),
    ]
    assert isinstance(rows[0][6], dt.datetime)
