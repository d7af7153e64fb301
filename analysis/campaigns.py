"""专项整治: a special rectification started from a hotspot, and its progress week by week."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Unit, UnitKind
from tickets.exceptions import InvalidInput, NotPermitted
from tickets.models import Status, Topic, WorkOrder
from tickets.workcalendar import bureau_tz

from . import permissions as perms
from .bulletins import MSG_DATE_RANGE
from .hotspots import with_area
from .models import AreaLevel, Campaign
from .periods import Period, in_range, local_date, week_containing

MSG_NOT_MANAGER = _("只有督导领导可以发起专项整治。")
MSG_REQUIRED = _("此项为必填项。")
MSG_PERIOD_ORDER = _("结束日期不能早于开始日期。")
MSG_LEAD_UNIT = _("牵头单位必须是派出所或警种部门。")
MSG_AREA_STATION = _("请选择辖区派出所。")
MSG_AREA_KEYWORD = _("请填写社区或道路名称。")
MSG_UNKNOWN_ORDERS = _("以下工单编号不存在：%(numbers)s")
MSG_TOO_MANY = _("一次最多关联 %(max)s 张工单。")

# Weeks shown before the start, so the page shows the level the campaign set out to bring down.
WEEKS_BEFORE = 4
MAX_LINK = 200


def campaign_start(
    *,
    title: str,
    topic: Topic | None,
    lead_unit: Unit | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    acting_user,
    units=(),
    area_level: str = "",
    area_unit: Unit | None = None,
    area_keyword: str = "",
    description: str = "",
    link_week: Period | None = None,
) -> Campaign:
    """Start a campaign. With `link_week`, the orders in its scope received that week (the
    hotspot it was started from) are linked to it."""
    if not perms.manages_analysis(acting_user):
        raise NotPermitted(MSG_NOT_MANAGER)
    errors = {}
    title = (title or "").strip()
    area_keyword = (area_keyword or "").strip()
    for name, value in (
        ("title", title),
        ("topic", topic),
        ("lead_unit", lead_unit),
        ("starts_on", starts_on),
        ("ends_on", ends_on),
    ):
        if not value:
            errors[name] = MSG_REQUIRED
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day and not in_range(day):
            errors[name] = MSG_DATE_RANGE
    if starts_on and ends_on and ends_on < starts_on and not errors:
        errors["ends_on"] = MSG_PERIOD_ORDER
    if lead_unit is not None and not lead_unit.handles_orders:
        errors["lead_unit"] = MSG_LEAD_UNIT
    if area_level == AreaLevel.STATION and (area_unit is None or area_unit.kind != UnitKind.STATION):
        errors["area_unit"] = MSG_AREA_STATION
    if area_level == AreaLevel.PLACE and not area_keyword:
        errors["area_keyword"] = MSG_AREA_KEYWORD
    if errors:
        raise InvalidInput(next(iter(errors.values())), field_errors=errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            description=(description or "").strip(),
            topic=topic,
            area_level=area_level or "",
            area_unit=area_unit if area_level == AreaLevel.STATION else None,
            area_keyword=area_keyword if area_level == AreaLevel.PLACE else "",
            lead_unit=lead_unit,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=acting_user,
        )
        campaign.units.set([u for u in units if u.pk != lead_unit.pk])
        if link_week is not None:
            ids = list(
                scope_orders(campaign)
                .filter(received_at__gte=link_week.start_at, received_at__lt=link_week.end_at)
                .values_list("id", flat=True)[:MAX_LINK]
            )
            campaign.orders.add(*ids)
    return campaign


NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


def campaign_link_orders(*, campaign: Campaign, numbers: str, acting_user) -> int:
    """Link orders by number (separated by spaces, commas or new lines). All or nothing."""
    if not perms.manages_analysis(acting_user):
        raise NotPermitted(MSG_NOT_MANAGER)
    wanted = [n for n in NUMBER_SPLIT.split(numbers or "") if n]
    if not wanted:
        raise InvalidInput(MSG_REQUIRED, field_errors={"numbers": MSG_REQUIRED})
    if len(wanted) > MAX_LINK:
        message = MSG_TOO_MANY % {"max": MAX_LINK}
        raise InvalidInput(message, field_errors={"numbers": message})
    found = dict(WorkOrder.objects.filter(number__in=wanted).values_list("number", "id"))
    missing = [n for n in wanted if n not in found]
    if missing:
        message = MSG_UNKNOWN_ORDERS % {"numbers": "、".join(missing[:10])}
        raise InvalidInput(message, field_errors={"numbers": message})
    campaign.orders.add(*found.values())
    return len(found)


def scope_orders(campaign: Campaign) -> QuerySet[WorkOrder]:
    """Orders about the campaign's matter in its area (whenever received), as the hotspot counts them."""
    orders = WorkOrder.objects.filter(topic_id=campaign.topic_id)
    if campaign.area_level == AreaLevel.STATION:
        return with_area(orders, AreaLevel.STATION).filter(area=campaign.area_unit_id)
    if campaign.area_level == AreaLevel.PLACE:
        return with_area(orders, AreaLevel.PLACE).filter(area=campaign.area_keyword)
    return orders


@dataclass
class ProgressWeek:
    week: Period
    in_scope: int = 0
    linked_received: int = 0
    linked_closed: int = 0
    during: bool = False


def campaign_progress(campaign: Campaign, now: dt.datetime | None = None) -> list[ProgressWeek]:
    """Week by week from `WEEKS_BEFORE` weeks before the start to its end (or this week): new
    orders in the campaign's scope, and the linked orders received and closed that week."""
    today = local_date(now)
    first = week_containing(campaign.starts_on).shifted(-WEEKS_BEFORE)
    last = week_containing(min(campaign.ends_on, today))
    if last.start < first.start:
        last = first
    weeks = []
    current = first
    while current.start <= last.start:
        weeks.append(
            ProgressWeek(week=current, during=campaign.starts_on <= current.end and current.start <= campaign.ends_on)
        )
        current = current.shifted(1)
    by_start = {w.week.start: w for w in weeks}
    start, end = first.start_at, last.end_at
    tz = bureau_tz()

    def fill(rows, name):
        for row in rows:
            moment = row["week"]
            day = moment.astimezone(tz).date() if timezone.is_aware(moment) else moment.date()
            if day in by_start:
                setattr(by_start[day], name, row["n"])

    fill(
        scope_orders(campaign)
        .filter(received_at__gte=start, received_at__lt=end)
        .annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("id"))
        .order_by(),
        "in_scope",
    )
    linked = campaign.orders.all()
    fill(
        linked.filter(received_at__gte=start, received_at__lt=end)
        .annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("id"))
        .order_by(),
        "linked_received",
    )
    fill(
        linked.filter(closed_at__gte=start, closed_at__lt=end, status=Status.CLOSED)
        .annotate(week=TruncWeek("closed_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("id"))
        .order_by(),
        "linked_closed",
    )
    return weeks


def campaign_summary(campaign: Campaign) -> dict:
    return campaign.orders.aggregate(
        linked=Count("id"),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        merged=Count("id", filter=Q(status=Status.MERGED)),
    )
