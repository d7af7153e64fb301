"""Keyset pages of the order list: every order once, in order, forwards and back, whatever the plan.

The query differs by case — an index walk, a walk from a bound derived from the filters, or the
filtered rows sorted (`presort`, on PostgreSQL when a range filter on another column leaves few
rows) — and a nullable column is read in two segments; the pages must not tell the difference.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import WorkOrderFactory
from tickets import selectors
from tickets.models import WorkOrder

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def orders():
    made = []
    for i in range(23):
        received = NOW - dt.timedelta(days=i % 9, hours=i) if i != 7 else made[3].received_at  # a tie
        deadline = None if i % 5 == 0 else received + dt.timedelta(hours=(i * 7) % 30)
        closed = received + dt.timedelta(days=1) if i % 3 == 0 else None
        made.append(
            WorkOrderFactory(
                number=f"KS{i:04d}",
                received_at=received,
                handling_deadline=deadline,
                closed_at=closed,
            )
        )
    return made


def expected(rows, field, descending):
    values = [o for o in rows if getattr(o, field) is not None]
    nulls = [o for o in rows if getattr(o, field) is None]
    values.sort(key=lambda o: (getattr(o, field), o.pk), reverse=descending)
    nulls.sort(key=lambda o: o.pk, reverse=descending)
    return [o.pk for o in values + nulls]


def walk(queryset, field, descending, size=4):
    forward, position = [], None
    while True:
        page = selectors.keyset_page(queryset, field=field, descending=descending, size=size, position=position)
        forward.extend(o.pk for o in page.rows)
        position = page.position_after()
        if position is None:
            break
    # And back from the last page to the first.
    backward, position = [], selectors.Position(getattr(page.rows[0], field), page.rows[0].pk, True)
    backward = [o.pk for o in page.rows]
    while position is not None:
        page = selectors.keyset_page(queryset, field=field, descending=descending, size=size, position=position)
        backward = [o.pk for o in page.rows] + backward
        position = page.position_before()
    return forward, backward


FILTERS = {
    "all": {},
    "received last 4 days": {"received_at__gte": NOW - dt.timedelta(days=4)},
    "closed in the last 5 days": {"closed_at__gte": NOW - dt.timedelta(days=5), "closed_at__lt": NOW},
    "due before now": {"handling_deadline__lt": NOW},
}


@pytest.mark.parametrize("name", sorted(FILTERS))
@pytest.mark.parametrize("field", ["received_at", "handling_deadline"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_hold_every_order_once_in_order(orders, name, field, descending):
    queryset = WorkOrder.objects.filter(**FILTERS[name])
    want = expected(list(queryset), field, descending)
    assert want, "the case must have rows"
    forward, backward = walk(queryset, field, descending)
    assert forward == want
    assert backward == want


def test_a_range_on_another_column_is_sorted_after_filtering_when_it_leaves_few_rows(orders, django_db_blocker):
    from django.db import connection

    queryset = WorkOrder.objects.filter(closed_at__gte=NOW - dt.timedelta(days=5))
    if connection.vendor == "postgresql":
        assert selectors._presort(queryset, "handling_deadline")
    assert not selectors._presort(queryset, "closed_at")
    assert not selectors._presort(WorkOrder.objects.all(), "handling_deadline")
    # The deadline's own range (overdue, due before) is walked.
    assert not selectors._presort(WorkOrder.objects.filter(handling_deadline__lt=NOW), "received_at")
