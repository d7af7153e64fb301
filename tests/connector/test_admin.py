"""The admin lists deliveries with what happened to them, and can send one again."""

import pytest
from django.urls import reverse

from connector.models import OutboxMessage, OutboxStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", role="administrator", unit=None, is_staff=True, is_superuser=True))
    return client


def test_the_outbox_list_shows_status_attempts_and_last_error(admin_client, loop, platform, from_platform):
    order = loop.contacted(**from_platform())
    OutboxMessage.objects.filter(order=order).update(attempts=3, last_error="HTTP 500 Internal Server Error")
    page = admin_client.get(reverse("admin:connector_outboxmessage_changelist")).content.decode()
    assert "HTTP 500 Internal Server Error" in page and order.number in page


def test_resend_makes_a_message_due_now_with_its_same_id(admin_client, loop, platform, from_platform):
    order = loop.contacted(**from_platform())
    message = OutboxMessage.objects.filter(order=order).first()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENT)
    response = admin_client.post(
        reverse("admin:connector_outboxmessage_changelist"),
        {"action": "resend", "_selected_action": [str(message.pk)]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING


def test_an_import_mapping_naming_an_unknown_field_is_refused_in_the_admin(admin_client):
    from connector.models import ImportMapping

    response = admin_client.post(
        reverse("admin:connector_importmapping_add"),
        {
            "name": "市平台",
            "is_active": "on",
            "column_map": '{"工单编号": "order_no"}',
            "code_map": "{}",
            "defaults": "{}",
            "date_format": "",
        },
    )

    assert response.status_code == 200
    assert "没有此字段：order_no" in response.content.decode()
    assert not ImportMapping.objects.exists()


def test_import_jobs_are_read_only_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:connector_importjob_add")).status_code == 403
