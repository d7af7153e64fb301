"""Named sequences: the daily order-number counter."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from ..models import Counter, WorkOrder


def next_counter(key: str) -> int:
    """The next value of a named sequence. Safe under concurrency: the row is locked."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        return Counter.objects.select_for_update().get(key=key).value


def _order_day(now: dt.datetime) -> str:
    return timezone.localtime(now).strftime("%Y%m%d")


def next_order_number(now: dt.datetime) -> str:
    day = _order_day(now)
    seq = next_counter(f"order:{day}")
    return f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}{seq:04d}"


def order_counter_catch_up(now: dt.datetime) -> int:
    """Move the day's order counter up to the highest sequence already used that day.

    The counter is the only source of order numbers, but its row can fall behind the orders (set
    back by hand, restored from an older backup); the next number then collides with the unique
    constraint. Returns the counter's value afterwards.
    """
    day = _order_day(now)
    prefix = f"{settings.HOTLINE_ORDER_NUMBER_PREFIX}{day}"
    # Sequences grow past four digits on a very busy day: the longest number is the highest.
    used = (
        WorkOrder.objects.filter(number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
    )
    highest = next((int(n[len(prefix) :]) for n in used if n[len(prefix) :].isdigit()), 0)
    key = f"order:{day}"
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        Counter.objects.filter(key=key, value__lt=highest).update(value=highest)
        return Counter.objects.get(key=key).value
