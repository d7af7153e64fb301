"""The admin lists every supervision record; thresholds are editable; failed deliveries can be resent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stations.models import Role
from supervision import services
from supervision.models import (
    Delivery,
    DeliveryStatus,
    InboxItem,
    Notice,
    NoticeEvent,
    Notification,
    RuleFiring,
    RuleTimer,
    SupervisionPolicy,
    SweepCursor,
)
from supervision.notifications import notify_unit
from tests.factories import UserFactory
from tests.supervision.conftest import SUPERVISION, at

pytestmark = pytest.mark.django_db

MODELS = [Notice, NoticeEvent, RuleFiring, RuleTimer, SweepCursor, Notification, InboxItem, Delivery, SupervisionPolicy]


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="root", unit=None, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def records(clock, make_dispatched, supervisor, sweep, station_a):
    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 10, 0))
    sweep()
    station_a.webhook_url = "http://127.0.0.1:9/"
    station_a.notify_by_webhook = True
    station_a.save()
    notify_unit(unit=station_a, title="x", category="t")
    return services.notice_issue_by_hand(acting_user=supervisor, order=order, kind=SUPERVISION, reason="事由")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_and_search(admin_client, records, model):
    name = f"admin:supervision_{model._meta.model_name}_changelist"
    assert admin_client.get(reverse(name)).status_code == 200
    assert admin_client.get(reverse(name), {"q": "督办"}).status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:supervision_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


def test_thresholds_are_editable_in_the_admin(admin_client, records):
    policy = SupervisionPolicy.load()
    url = reverse("admin:supervision_supervisionpolicy_change", args=[policy.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"early_warning_percent": 70, "supervision_number_format": "督办〔{year}〕第{seq:03d}号"})
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert SupervisionPolicy.load().early_warning_percent == 70


def test_a_bad_number_format_is_refused(admin_client, records):
    policy = SupervisionPolicy.load()
    url = reverse("admin:supervision_supervisionpolicy_change", args=[policy.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: ("on" if v is True else v) for k, v in form.initial.items() if v is not None and v is not False}
    data["supervision_number_format"] = "督办{year}"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "supervision_number_format" in response.context["adminform"].form.errors


def test_failed_deliveries_can_be_sent_again(admin_client, records):
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=6, last_error="HTTP 500")
    delivery = Delivery.objects.first()
    response = admin_client.post(
        reverse("admin:supervision_delivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    delivery.refresh_from_db()
    # Queued again; with eager Celery the send ran (and failed again, one attempt).
    assert delivery.attempts <= 1
