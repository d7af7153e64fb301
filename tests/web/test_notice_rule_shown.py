"""Which rule raised each notice: on the order's timeline and notice list, and on the notice pages."""

import pytest
from django.urls import reverse

from supervision.models import Rule
from supervision.services import notice_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_notice(dispatched, station_a):
    return notice_issue(kind="supervision", unit=station_a, orders=[dispatched], reason="超期未上报", rule=Rule.OVERDUE)


def test_order_timeline_names_the_rule_that_raised_the_notice(client, supervisor, dispatched, overdue_notice):
    client.force_login(supervisor)
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert overdue_notice.number in timeline
    assert "触发规则：超期督办" in timeline


def test_order_timeline_says_a_notice_was_issued_by_hand(client, supervisor, dispatched, station_a):
    notice_issue(kind="reminder", unit=station_a, orders=[dispatched], reason="请关注", acting_user=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("tickets:order_detail", args=[dispatched.pk])).content.decode()
    assert "触发规则：人工下发" in page


def test_notice_list_shows_the_rule_of_each_notice(client, supervisor, overdue_notice):
    client.force_login(supervisor)
    page = client.get(reverse("supervision:notice_list")).content.decode()
    assert overdue_notice.number in page and "超期督办" in page
