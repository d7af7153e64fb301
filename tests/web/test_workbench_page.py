"""The officer's workbench page: nearest deadline first, notices collapsed, tap-to-call numbers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import Role
from tests.factories import UserFactory
from tickets import services
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_workbench_counts_an_order_due_for_contact_as_due_soon(client, officer_a, dispatched):
    WorkOrder.objects.filter(pk=dispatched.pk).update(
        contact_deadline=timezone.now() + dt.timedelta(minutes=45),
        handling_deadline=timezone.now() + dt.timedelta(days=1),
    )
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert '<b data-testid="count-soon">1</b>' in html


def test_workbench_notices_are_collapsed(client, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert '<details class="card notices" id="notices"' in html
    assert '<details class="card notices" id="notices" open' not in html


def test_workbench_caller_number_is_a_tel_link_for_the_unit(client, officer_a, dispatched):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert '<a class="tel" href="tel:13812345678">13812345678</a>' in html


def test_confidential_number_of_another_officers_order_is_not_a_tel_link(
    client, head_a, officer_a, make_order, dispatcher, station_a
):
    order = services.order_dispatch(order=make_order(confidential=True), unit=station_a, acting_user=dispatcher)
    services.order_assign(order=order, officer=officer_a, acting_user=head_a)
    colleague = UserFactory(unit=station_a, role=Role.OFFICER)
    client.force_login(colleague)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert order.number in html
    assert 'href="tel:' not in html


def test_order_page_caller_number_is_a_tel_link_for_the_desk(client, dispatcher, received):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:order_detail", args=[received.pk])).content.decode()
    assert 'href="tel:13812345678"' in html
