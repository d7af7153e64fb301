"""List rows offer their actions as expanders whose form loads when opened (one request per opened
action instead of every form of every row on every page load)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def form_url(order, action):
    return reverse("tickets:order_action_form", args=[order.pk, action])


def test_workbench_row_offers_its_actions_without_rendering_their_forms(client, officer_a, dispatched):
    client.force_login(officer_a)
    html = client.get(reverse("tickets:workbench")).content.decode()
    assert f'hx-get="{form_url(dispatched, "contact")}?next=' in html
    assert 'class="act act-contact"' in html
    assert f'action="{reverse("tickets:order_action", args=[dispatched.pk, "contact"])}"' not in html
    # Without JavaScript the expander links to the order's page, where every form is.
    assert f'href="{reverse("tickets:order_detail", args=[dispatched.pk])}#actions"' in html


def test_opening_an_action_loads_its_form(client, officer_a, dispatched):
    client.force_login(officer_a)
    response = client.get(form_url(dispatched, "contact"), {"next": reverse("tickets:workbench")})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{reverse("tickets:order_action", args=[dispatched.pk, "contact"])}"' in html
    assert f'name="version" value="{dispatched.version}"' in html
    assert 'name="next" value="/workbench/"' in html


def test_an_action_no_longer_allowed_loads_no_form(client, officer_a, dispatched):
    client.force_login(officer_a)
    html = client.get(form_url(dispatched, "report")).content.decode()  # not contacted yet
    assert "<form" not in html
    assert "该操作当前不可执行" in html


def test_another_units_order_form_is_not_found(client, officer_b, dispatched):
    client.force_login(officer_b)
    assert client.get(form_url(dispatched, "contact")).status_code == 404


def test_an_unknown_action_form_is_not_found(client, officer_a, dispatched):
    client.force_login(officer_a)
    assert client.get(form_url(dispatched, "teleport")).status_code == 404


def test_the_form_url_takes_no_posts(client, officer_a, dispatched):
    client.force_login(officer_a)
    assert client.post(form_url(dispatched, "contact")).status_code == 405


def test_board_writes_the_unit_list_once_per_row_without_a_form_object(client, dispatcher, received, station_a):
    client.force_login(dispatcher)
    html = client.get(reverse("tickets:dispatch_board")).content.decode()
    assert f'id="id_dispatch_{received.pk}_unit"' in html
    assert f'<option value="{station_a.pk}">城关派出所</option>' in html
