"""From an overdue order's page a supervisor can act: issue a notice (pre-filled), mark a case."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import Notice
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(dispatched):
    WorkOrder.objects.filter(pk=dispatched.pk).update(handling_deadline=timezone.now() - dt.timedelta(days=14))
    dispatched.refresh_from_db()
    return dispatched


def test_a_supervisor_sees_the_supervision_actions_on_an_order(client, supervisor, overdue):
    client.force_login(supervisor)
    page = client.get(reverse("tickets:order_detail", args=[overdue.pk])).content.decode()
    assert "您当前不能对该工单执行操作" not in page
    assert "kind=supervision" in page and f"order={overdue.number}" in page
    assert "标记典型案例" in page


def test_an_officer_sees_no_supervision_actions(client, officer_a, overdue):
    client.force_login(officer_a)
    assert "下发督办单" not in client.get(reverse("tickets:order_detail", args=[overdue.pk])).content.decode()


def test_the_issue_form_comes_pre_filled_with_the_order_and_its_overdue_days(client, supervisor, overdue):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:notice_issue"), {"order": overdue.number, "kind": "supervision"})
    form = response.context["form"]
    assert form.initial["order"] == overdue.number and form.initial["kind"] == "supervision"
    assert "已超过办理时限 14 天" in form.initial["reason"]


def test_a_supervisor_issues_a_supervision_order_from_the_order_page(client, supervisor, overdue):
    client.force_login(supervisor)
    form = client.get(reverse("supervision:notice_issue"), {"order": overdue.number, "kind": "supervision"}).context[
        "form"
    ]
    response = client.post(
        reverse("supervision:notice_issue"),
        {
            "order": overdue.number,
            "kind": "supervision",
            "reason": form.initial["reason"],
            "token": form.initial["token"],
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.kind == "supervision" and list(notice.orders.all()) == [overdue]
