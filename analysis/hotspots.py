"""研判: what the public is calling about, where, and whether it is suddenly rising.

The hotspot table and the surge threshold live in `tickets.surges`, which supervision's
concentrated-complaints rule (集中投诉) uses too (supervision may not import analysis): one
definition of an order's area and of a surge. They are re-exported here for the analysis pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, Max, Min, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from tickets import surges
from tickets.models import WorkOrder
from tickets.selectors import mask_phone
from tickets.surges import (
    Hotspot,
    SurgeRule,
    area_expression,
    area_labels,
    hotspot_orders,
    unknown_area_label,
    with_area,
)

from .models import AreaLevel
from .periods import Period

__all__ = [
    "Hotspot",
    "SurgeRule",
    "area_expression",
    "area_labels",
    "hotspot_orders",
    "hotspot_table",
    "repeat_callers",
    "repeat_window",
    "repeated_addresses",
    "unknown_area_label",
    "with_area",
]


def _grouped_query_available() -> bool:
    return surges._grouped_query_available()


def hotspot_table(
    week: Period,
    level: str = AreaLevel.STATION,
    *,
    rule: SurgeRule | None = None,
    topic_id: int | None = None,
    include_quiet: bool = False,
) -> list[Hotspot]:
    """Counts by topic × area for `week` and the baseline weeks before it, surges first
    (`tickets.surges.hotspot_table`)."""
    return surges.hotspot_table(
        week, level, rule=rule, topic_id=topic_id, include_quiet=include_quiet, grouped=_grouped_query_available()
    )


# --- repeats -------------------------------------------------------------------------------


def repeat_window(week: Period, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The `HOTLINE_REPEAT_WINDOW_DAYS` days up to the end of `week` (or now, if sooner)."""
    end = min(week.end_at, now or timezone.now())
    return end - dt.timedelta(days=settings.HOTLINE_REPEAT_WINDOW_DAYS), end


def _repeats(group: str, start: dt.datetime, end: dt.datetime, limit: int) -> list[dict]:
    orders = WorkOrder.objects.filter(received_at__gte=start, received_at__lt=end).exclude(**{group: ""})
    # Which groups first (a count per group: one hash aggregate over the window), then the distinct
    # counts of those few groups only: COUNT(DISTINCT) over every group sorts the whole window.
    groups = list(
        orders.values(group)
        .annotate(n=Count("id"), last=Max("received_at"))
        .filter(n__gte=settings.HOTLINE_REPEAT_MIN)
        .order_by("-n", "-last")[:limit]
    )
    keys = [g[group] for g in groups]
    extra = {
        row.pop(group): row
        for row in orders.filter(**{f"{group}__in": keys})
        .values(group)
        .annotate(
            topics=Count("topic", distinct=True),
            callers=Count("caller_phone", distinct=True),
            first=Min("received_at"),
        )
        .order_by()
    }
    for g in groups:
        g.update(extra[g[group]])
    # The latest `HOTLINE_REPEAT_ORDERS_SHOWN` orders of each group (`n` counts them all): an
    # address that called a thousand times must not make a page of a thousand order numbers.
    latest = Window(RowNumber(), partition_by=[F(group)], order_by=[F("received_at").desc(), F("id").desc()])
    details: dict[str, list[dict]] = {key: [] for key in keys}
    for row in (
        orders.filter(**{f"{group}__in": keys})
        .annotate(latest=latest)
        .filter(latest__lte=settings.HOTLINE_REPEAT_ORDERS_SHOWN)
        .values(group, "id", "number", "received_at", "topic__name", "unit__name", "status")
        .order_by("received_at", "id")
    ):
        details[row.pop(group)].append(row)
    for g in groups:
        g["orders"] = details[g[group]]
    return groups


def repeat_callers(start: dt.datetime, end: dt.datetime, *, reveal: bool = False, limit: int = 50) -> list[dict]:
    """Caller phones with at least `HOTLINE_REPEAT_MIN` orders in the window, most first.

    The phone is masked (138****5678) unless `reveal` (the dispatch desk, who call citizens back).
    """
    rows = _repeats("caller_phone", start, end, limit)
    for row in rows:
        row["phone"] = row["caller_phone"] if reveal else mask_phone(row["caller_phone"])
        del row["caller_phone"]
    return rows


def repeated_addresses(start: dt.datetime, end: dt.datetime, *, limit: int = 50) -> list[dict]:
    """Addresses (as written, exactly) with at least `HOTLINE_REPEAT_MIN` orders in the window."""
    return _repeats("address", start, end, limit)
