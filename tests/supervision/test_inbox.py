"""The inbox: grouped by order on request, and a message whose order moved on says so."""

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import InboxItem, Notification, Rule
from supervision.selectors import handled_note
from tickets.models import Status, WorkOrder

pytestmark = pytest.mark.django_db


def message(user, order, category=Rule.CONTACT_WARNING, title="请在1小时内联系群众"):
    notification = Notification.objects.create(
        unit=order.unit, order=order, category=category, title=title, level="warning"
    )
    return InboxItem.objects.create(notification=notification, user=user)


@pytest.fixture
def order(loop):
    return loop.dispatched()


def test_a_contact_warning_for_an_order_not_yet_contacted_still_stands(officer_a, order):
    assert handled_note(message(officer_a, order).notification) == ""


def test_a_contact_warning_for_a_contacted_order_says_it_was_contacted(officer_a, order):
    item = message(officer_a, order)
    WorkOrder.objects.filter(pk=order.pk).update(contacted_at=timezone.now(), status=Status.CONTACTED)
    item.notification.order.refresh_from_db()
    assert handled_note(item.notification) == "该工单已联系群众"


def test_a_message_about_a_closed_order_says_it_is_closed(officer_a, order):
    item = message(officer_a, order, category=Rule.OVERDUE)
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED)
    item.notification.order.refresh_from_db()
    assert handled_note(item.notification) == "该工单已办结"


def test_a_message_to_a_unit_the_order_was_taken_from_says_so(officer_a, order, station_b):
    item = message(officer_a, order)
    WorkOrder.objects.filter(pk=order.pk).update(unit=station_b)
    item.notification.order.refresh_from_db()
    assert handled_note(item.notification) == "该工单已改派其他单位"


def test_the_inbox_page_marks_handled_messages_and_groups_by_order(client, officer_a, order):
    message(officer_a, order)
    message(officer_a, order, category=Rule.OVERDUE, title="已超期")
    WorkOrder.objects.filter(pk=order.pk).update(contacted_at=timezone.now(), status=Status.CONTACTED)
    client.force_login(officer_a)
    page = client.get(reverse("supervision:inbox"), {"group": "order"}).content.decode()
    assert page.count('class="group-head"') == 1
    assert order.number in page
    assert "该工单已联系群众" in page


def test_mark_all_read_reads_every_message(client, officer_a, order):
    message(officer_a, order)
    message(officer_a, order, category=Rule.OVERDUE)
    client.force_login(officer_a)
    client.post(reverse("supervision:inbox_mark_read"), {"all": "1"})
    assert InboxItem.objects.filter(user=officer_a, read_at__isnull=True).count() == 0


def test_the_grouped_inbox_does_not_open_an_order_taken_to_another_unit(client, officer_a, order, station_b):
    message(officer_a, order)
    WorkOrder.objects.filter(pk=order.pk).update(unit=station_b)
    client.force_login(officer_a)
    page = client.get(reverse("supervision:inbox"), {"group": "order"}).content.decode()
    assert reverse("tickets:order_detail", args=[order.pk]) not in page
    assert "该工单已改派其他单位" in page
