"""Every model is in the admin, and each change list opens (with search and filters)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("stations", "tickets", "supervision", "attachments", "connector")


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="root", role="administrator", unit=None, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_model_of_our_apps_is_registered():
    from django.apps import apps

    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in OUR_APPS],
)
def test_change_list_opens_with_a_search(admin_client, model, loop):
    loop.closed()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url, {"q": "王"}).status_code == 200


def test_calendar_admin_warns_about_a_year_without_schedule(admin_client):
    response = admin_client.get(reverse("admin:tickets_calendarday_changelist"), follow=True)
    assert "2027" in response.content.decode()


def test_counters_are_read_only_in_the_admin(admin_client):
    """A counter set back by hand would hand out numbers already taken."""
    from tickets.models import Counter

    counter = Counter.objects.create(key="order:20261122", value=7)
    url = reverse("admin:tickets_counter_change", args=[counter.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()  # shown, not editable
    assert admin_client.post(url, {"key": counter.key, "value": 0}).status_code == 403
    assert Counter.objects.get().value == counter.value
    add = reverse("admin:tickets_counter_add")
    assert admin_client.get(add).status_code == 403
