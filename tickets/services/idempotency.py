"""Housekeeping of the API's Idempotency-Key records."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import IdempotencyRecord


def idempotency_records_purge(*, older_than: dt.timedelta) -> int:
    """Forget stored answers to Idempotency-Key requests older than `older_than`.

    A client retries within minutes or days; after the retention period a reused key is treated
    as a new request. Returns how many records were deleted.
    """
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
