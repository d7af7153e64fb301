"""Named sequences: the daily order-number counter."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Counter


def next_counter(key: str) -> int:
    """The next value of a named sequence. Safe under concurrency: the row is locked."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(key=key).value


def next_order_number(now: dt.datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    seq = next_counter(f"order:{day}")
    return f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}{seq:04d}"
