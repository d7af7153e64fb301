"""Celery tasks of the tickets app: thin callers of the services."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="tickets.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    return services.idempotency_records_purge(older_than=dt.timedelta(days=settings.HOTLINE_IDEMPOTENCY_RETENTION_DAYS))


@shared_task(name="tickets.purge_order_sequences", ignore_result=True)
def purge_order_sequences() -> int:
    return services.order_sequences_purge(keep_days=7)
