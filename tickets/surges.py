"""Hotspots (热点) and surges (激增): orders counted by topic × area and week, against the weeks before.

Shared by analysis (the 研判 pages) and supervision (the concentrated-complaints rule, 集中投诉),
which may not import analysis: one definition of an order's area and of a surge, so what the
hotspot page marks as a surge is what raises the letters.

An order's area is read from its address with the address routing rules (`stations.RoutingRule`):
the most specific keyword the address contains (the longest; then the rule's priority) names the
community, road or street (level `place`) and its rule names the station whose jurisdiction it is
(level `station`). An address no rule matches falls back, at station level, to the station the
order was dispatched to. Both are computed in the database: `with_area` annotates single orders
with a correlated subquery (the drill-down lists, campaigns); `hotspot_table` groups first and
matches each distinct address once (`_grouped_counts`, PostgreSQL), which is the same rule applied
to far fewer rows.

Every call counts here, merged duplicates included: a hundred people calling about one noisy
building is exactly the signal analysis looks for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Length, StrIndex, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import RoutingRule, RoutingRuleKind, Unit, UnitKind

from .models import Topic, WorkOrder
from .workcalendar import bureau_tz

# The area levels (analysis.models.AreaLevel has the same values, with their labels).
STATION = "station"
PLACE = "place"


@dataclass(frozen=True)
class Week:
    """The local dates `start` (a Monday) to `end`; analysis's `Period` of a week has the same shape."""

    start: dt.date

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=bureau_tz())

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=bureau_tz())

    def shifted(self, weeks: int) -> Week:
        return Week(self.start + dt.timedelta(weeks=weeks))

    @classmethod
    def containing(cls, moment: dt.datetime) -> Week:
        day = timezone.localtime(moment, bureau_tz()).date()
        return cls(day - dt.timedelta(days=day.weekday()))


def _matching_rules() -> QuerySet:
    """Active address rules whose keyword the outer order's address contains, most specific first."""
    return (
        RoutingRule.objects.filter(kind=RoutingRuleKind.ADDRESS, is_active=True)
        .annotate(position=StrIndex(OuterRef("address"), F("keyword")))
        .filter(position__gt=0)
        .order_by(Length("keyword").desc(), "-priority", "pk")
    )


def area_expression(level: str):
    """The SQL expression for an order's area at `level`: a unit id (station) or a keyword (place)."""
    if level == PLACE:
        return Subquery(_matching_rules().values("keyword")[:1])
    own_station = Case(When(unit__kind=UnitKind.STATION, then=F("unit_id")), output_field=IntegerField())
    return Coalesce(
        Subquery(_matching_rules().filter(unit__kind=UnitKind.STATION).values("unit_id")[:1]),
        own_station,
        output_field=IntegerField(),
    )


def with_area(orders: QuerySet, level: str) -> QuerySet:
    return orders.annotate(area=area_expression(level))


def area_labels(level: str, keys) -> dict:
    if level == PLACE:
        return {key: key for key in keys if key}
    return dict(Unit.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))


def unknown_area_label() -> str:
    return _("未识别区域")


@dataclass
class Hotspot:
    topic_id: int
    topic: str
    area: int | str | None
    area_label: str
    counts: list[int] = field(default_factory=list)  # the baseline weeks, oldest first, then this week
    baseline_mean: float = 0.0
    surge: bool = False

    @property
    def count(self) -> int:
        return self.counts[-1]

    @property
    def increase(self) -> float:
        return self.count - self.baseline_mean

    @property
    def increase_ratio(self) -> float | None:
        return None if not self.baseline_mean else self.increase / self.baseline_mean


@dataclass
class SurgeRule:
    baseline_weeks: int
    ratio: float
    minimum: int

    @classmethod
    def from_settings(cls) -> SurgeRule:
        return cls(
            baseline_weeks=max(settings.HOTLINE_HOTSPOT_BASELINE_WEEKS, 1),
            ratio=settings.HOTLINE_HOTSPOT_SURGE_RATIO,
            minimum=settings.HOTLINE_HOTSPOT_SURGE_MIN,
        )

    def is_surge(self, count: int, mean: float) -> bool:
        """≥ (1 + ratio) × the baseline mean, and at least `minimum` orders above it."""
        return count >= mean * (1 + self.ratio) and count - mean >= self.minimum


def hotspot_table(
    week: Week,
    level: str = STATION,
    *,
    rule: SurgeRule | None = None,
    topic_id: int | None = None,
    include_quiet: bool = False,
    grouped: bool | None = None,
) -> list[Hotspot]:
    """Counts by topic × area for `week` and the baseline weeks before it, surges first.

    One grouped query: orders received from the first baseline week to the end of `week`,
    grouped by topic, area and the week they were received in (bureau time zone).
    """
    rule = rule or SurgeRule.from_settings()
    weeks = [week.shifted(-i) for i in range(rule.baseline_weeks, -1, -1)]
    index = {w.start: i for i, w in enumerate(weeks)}
    tz = bureau_tz()
    if grouped is None:
        grouped = _grouped_query_available()
    if grouped:
        rows = _grouped_counts(weeks[0].start_at, week.end_at, level, topic_id)
    else:
        orders = WorkOrder.objects.filter(received_at__gte=weeks[0].start_at, received_at__lt=week.end_at)
        if topic_id:
            orders = orders.filter(topic_id=topic_id)
        rows = (
            with_area(orders, level)
            .annotate(week=TruncWeek("received_at", tzinfo=tz))
            .values("topic_id", "area", "week")
            .annotate(n=Count("id"))
            .order_by()
        )
    table: dict[tuple, list[int]] = {}
    for row in rows:
        week_start = row["week"].astimezone(tz).date() if timezone.is_aware(row["week"]) else row["week"].date()
        position = index.get(week_start)
        if position is None:
            continue
        counts = table.setdefault((row["topic_id"], row["area"]), [0] * len(weeks))
        counts[position] += row["n"]
    topics = dict(Topic.objects.filter(pk__in={t for t, _a in table}).values_list("pk", "name"))
    labels = area_labels(level, {a for _t, a in table})
    hotspots = []
    for (topic, area), counts in table.items():
        if not include_quiet and counts[-1] == 0:
            continue
        mean = sum(counts[:-1]) / rule.baseline_weeks
        hotspots.append(
            Hotspot(
                topic_id=topic,
                topic=topics.get(topic, ""),
                area=area,
                area_label=labels.get(area) or unknown_area_label(),
                counts=counts,
                baseline_mean=mean,
                surge=rule.is_surge(counts[-1], mean),
            )
        )
    hotspots.sort(key=lambda h: (not h.surge, -h.count, -h.increase, h.topic, h.area_label))
    return hotspots


# Orders grouped by (topic, address, own station, week) first; then each distinct address is matched
# against the rules once (DISTINCT ON picks the most specific: longest keyword, highest priority,
# lowest id — the order of `_matching_rules`); then the groups are added up by area. The plan is an
# index range on received_at, a hash aggregate and a join of the distinct addresses with the rules,
# instead of one rules scan per order.
_GROUPED_SQL = """
WITH o AS (
    SELECT w.topic_id, w.address, {own} AS own,
           DATE_TRUNC('week', w.received_at AT TIME ZONE %(tz)s) AS week, COUNT(*) AS n
    FROM {orders} w {unit_join}
    WHERE w.received_at >= %(start)s AND w.received_at < %(end)s {topic_filter}
    GROUP BY 1, 2, 3, 4
), best AS (
    SELECT DISTINCT ON (a.address) a.address, r.keyword, r.unit_id
    FROM (SELECT DISTINCT address FROM o) a
    JOIN {rules} r ON r.kind = %(kind)s AND r.is_active AND STRPOS(a.address, r.keyword) > 0
    {rule_unit_join}
    ORDER BY a.address, LENGTH(r.keyword) DESC, r.priority DESC, r.id
)
SELECT o.topic_id, {area} AS area, o.week, SUM(o.n)::bigint AS n
FROM o LEFT JOIN best ON best.address = o.address
GROUP BY 1, 2, 3
"""


def _grouped_query_available() -> bool:
    """The grouped query is PostgreSQL's (DISTINCT ON, STRPOS); elsewhere the per-order subquery."""
    return connection.vendor == "postgresql"


def _grouped_counts(start: dt.datetime, end: dt.datetime, level: str, topic_id: int | None) -> list[dict]:
    """(topic_id, area, week, n) rows, as `with_area(...).values(...).annotate(n=Count)` would give."""
    units = Unit._meta.db_table
    station = level == STATION
    sql = _GROUPED_SQL.format(
        orders=WorkOrder._meta.db_table,
        rules=RoutingRule._meta.db_table,
        own="CASE WHEN u.kind = %(station)s THEN w.unit_id END" if station else "NULL::bigint",
        unit_join=f"LEFT JOIN {units} u ON u.id = w.unit_id" if station else "",
        topic_filter="AND w.topic_id = %(topic)s" if topic_id else "",
        rule_unit_join=f"JOIN {units} ru ON ru.id = r.unit_id AND ru.kind = %(station)s" if station else "",
        area="COALESCE(best.unit_id, o.own)" if station else "best.keyword",
    )
    params = {
        "tz": str(bureau_tz()),
        "start": start,
        "end": end,
        "topic": topic_id,
        "kind": RoutingRuleKind.ADDRESS,
        "station": UnitKind.STATION,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"topic_id": t, "area": a, "week": w, "n": n} for t, a, w, n in cursor.fetchall()]


def hotspot_orders(week: Week, level: str, topic_id: int, area) -> QuerySet[WorkOrder]:
    """The orders behind one hotspot cell: topic × area, received in `week`."""
    orders = with_area(
        WorkOrder.objects.filter(received_at__gte=week.start_at, received_at__lt=week.end_at, topic_id=topic_id),
        level,
    )
    return orders.filter(area__isnull=True) if area in (None, "") else orders.filter(area=area)
