"""Order numbers on the analysis pages are links; a link by number obeys the order's visibility."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_order_number_leads_to_the_order_page(client, dispatcher, received):
    client.force_login(dispatcher)
    response = client.get(reverse("tickets:order_by_number", args=[received.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:order_detail", args=[received.pk])


def test_an_order_of_another_unit_by_number_is_a_404(client, officer_b, dispatched):
    client.force_login(officer_b)
    assert client.get(reverse("tickets:order_by_number", args=[dispatched.number])).status_code == 404


def test_an_unknown_number_is_a_404(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("tickets:order_by_number", args=["GD000"])).status_code == 404
