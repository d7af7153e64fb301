import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tickets import tasks
from tickets.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def record(user, key):
    return IdempotencyRecord.objects.create(
        user=user, key=key, method="POST", path="/api/v1/orders/", fingerprint="f" * 64, status_code=201
    )


def test_purge_forgets_idempotency_records_past_the_retention_period(dispatcher, settings):
    settings.HOTLINE_IDEMPOTENCY_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        record(dispatcher, "old")
    record(dispatcher, "recent")
    assert tasks.purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_purge_twice_changes_nothing_more(dispatcher):
    record(dispatcher, "recent")
    tasks.purge_idempotency_records()
    assert tasks.purge_idempotency_records() == 0
    assert IdempotencyRecord.objects.count() == 1
