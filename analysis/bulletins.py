"""Writes on bulletins: generate (= publish) a version, record the remedies units commit to.

`bulletin_generate` computes every figure with the selectors in `stats.py`, ranks the units and
freezes the lot in `Bulletin.data`. The beat task, the browser and the API all call it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.exceptions import InvalidInput, NotPermitted
from tickets.models import Callback, Satisfaction, WorkOrder

from . import permissions as perms
from .models import Bulletin, BulletinCommitment, BulletinKind
from .periods import MAX_PERIOD_DAYS, Period, in_range, local_date
from .stats import (
    ON_TIME,
    PENDING_OBJECTION,
    RATE_NAMES,
    Figures,
    counted_orders,
    figures_by_unit,
    notice_orders,
    notice_remedies,
    notices_available,
    order_units,
    supervised_order_ids,
    total,
)

SNAPSHOT_SCHEMA = 1

MSG_NOT_MANAGER = _("只有督导领导可以生成通报。")
MSG_PERIOD_ORDER = _("结束日期不能早于开始日期。")
MSG_PERIOD_TOO_LONG = _("统计区间不能超过 %(days)s 天。")
MSG_PERIOD_FUTURE = _("开始日期不能晚于今天。")
MSG_DATE_RANGE = _("日期须在 2000 年至 2099 年之间。")
MSG_NOT_IN_MEETING = _("该单位不在本期周例会发言名单中。")
MSG_NOT_YOUR_UNIT = _("只能填报本单位的整改措施。")
MSG_DUE_IN_PAST = _("整改期限不能早于今天。")
MSG_REQUIRED = _("此项为必填项。")

# Why a unit's head speaks at the weekly meeting.
REASON_KEY = "key"
REASON_UNSATISFIED = "unsatisfied"
REASON_LABELS = {REASON_KEY: _("重点督办"), REASON_UNSATISFIED: _("回访不满意")}

# How many characters of an order's content the meeting list quotes.
EXCERPT = 60


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # count, rate or hours


# The columns of a bulletin's unit table, in the browser, the print/PDF view and the .xlsx.
BULLETIN_COLUMNS = (
    Column("received", _("受理"), "count"),
    Column("closed", _("办结"), "count"),
    Column("due", _("应办结"), "count"),
    Column("closure_rate", _("办结率"), "rate"),
    Column("on_time_rate", _("按时办结率"), "rate"),
    Column("response_rate", _("响应率"), "rate"),
    Column("sign_rate", _("签收及时率"), "rate"),
    Column("resolution_rate", _("解决率"), "rate"),
    Column("avg_handling_hours", _("平均办理时长（工作小时）"), "hours"),
    Column("callbacks", _("回访"), "count"),
    Column("satisfaction_rate", _("满意率"), "rate"),
    Column("returned", _("审核退回"), "count"),
    Column("overdue", _("超期"), "count"),
    Column("supervision_orders", _("督办单"), "count"),
    Column("reminders", _("提醒函"), "count"),
    Column("late_responses", _("逾期回复"), "count"),
)


def bulletin_title(start: dt.date, end: dt.date) -> str:
    period = Period(start, end)
    if period.is_week:
        return gettext("每周通报（%(start)s—%(end)s）") % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    return gettext("工单办理情况通报（%(start)s—%(end)s）") % {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}


def validate_period(start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None) -> Period:
    """The period a bulletin may cover, or InvalidInput naming the field that is wrong."""
    if start is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"start": MSG_REQUIRED})
    if end is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"end": MSG_REQUIRED})
    for name, day in (("start", start), ("end", end)):
        if not in_range(day):
            raise InvalidInput(MSG_DATE_RANGE, field_errors={name: MSG_DATE_RANGE})
    if end < start:
        raise InvalidInput(MSG_PERIOD_ORDER, field_errors={"end": MSG_PERIOD_ORDER})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        message = MSG_PERIOD_TOO_LONG % {"days": MAX_PERIOD_DAYS}
        raise InvalidInput(message, field_errors={"end": message})
    if start > (today or local_date()):
        raise InvalidInput(MSG_PERIOD_FUTURE, field_errors={"start": MSG_PERIOD_FUTURE})
    return Period(start, end)


# --- ranking ---------------------------------------------------------------------------------


def rank_keys() -> list[str]:
    keys = list(settings.HOTLINE_BULLETIN_RANK_BY)
    unknown = [k for k in keys if k not in RATE_NAMES]
    if unknown or not keys:
        raise ImproperlyConfigured(f"HOTLINE_BULLETIN_RANK_BY: use some of {', '.join(RATE_NAMES)}; got {keys}")
    return keys


def rank_units(rows: list[dict], *, min_orders: int, keys: list[str]) -> list[dict]:
    """Rank the unit rows in place and return them in bulletin order: ranked first, by rank.

    A unit is ranked only with at least `min_orders` orders due in the period (the denominator of
    the on-time rate): a unit with one order is neither last for one late order nor first for one
    on time. Higher rates rank higher, key by key; a rate with nothing to count (None) ranks below
    any number; equal keys share a rank (1, 2, 2, 4).
    """
    threshold = max(min_orders, 1)

    def sort_key(row: dict) -> tuple:
        return tuple(-row["figures"][k] if row["figures"][k] is not None else math.inf for k in keys)

    eligible = [r for r in rows if r["figures"]["due"] >= threshold]
    others = [r for r in rows if r["figures"]["due"] < threshold]
    eligible.sort(key=lambda r: (sort_key(r), r["name"]))
    previous, rank = None, 0
    for position, row in enumerate(eligible, start=1):
        key = sort_key(row)
        if key != previous:
            rank, previous = position, key
        row["rank"] = rank
        row["ranked"] = True
    for row in others:
        row["rank"] = None
        row["ranked"] = False
    return eligible + others


# --- the meeting list ------------------------------------------------------------------------


def _order_entry(order: WorkOrder) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "topic": order.topic.name,
        "received_at": timezone.localtime(order.received_at).isoformat(),
        "status": order.status,
        "content": order.content[:EXCERPT],
        "reasons": [],
        "details": [],
        "remedies": [],
    }


def meeting_list(period: Period, cutoff: dt.datetime) -> list[dict]:
    """Units whose heads speak at the weekly meeting, with the orders that put them there.

    - unsatisfied: a callback in the period rated 不满意;
    - key-supervised (重点督办): a 督办单 was issued on the order in the period, or the order
      carries a leader instruction (领导批示) and was not handled on time by a deadline in the period.
    The remedies are those the unit gave in answer to the notices issued on these orders in the
    period; the commitments made at the meeting are recorded afterwards (`BulletinCommitment`).
    """
    entries: dict[int, dict] = {}
    units: dict[int, dict] = {}

    def add(order: WorkOrder, reason: str, detail: str) -> dict:
        unit = units.setdefault(
            order.unit_id,
            {"unit_id": order.unit_id, "name": order.unit.name, "head_name": order.unit.head_name, "orders": []},
        )
        entry = entries.get(order.pk)
        if entry is None:
            entry = entries[order.pk] = _order_entry(order)
            unit["orders"].append(entry)
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
        if detail:
            entry["details"].append(detail)
        return entry

    unsatisfied = (
        Callback.objects.filter(
            created_at__gte=period.start_at,
            created_at__lt=period.end_at,
            satisfaction=Satisfaction.UNSATISFIED,
            order__in=counted_orders(),
        )
        .select_related("order", "order__topic", "order__unit")
        .order_by("created_at", "id")
    )
    for callback in unsatisfied:
        add(callback.order, REASON_UNSATISFIED, callback.citizen_words)

    due_end = min(period.end_at, cutoff)
    late_instructed = (
        counted_orders()
        .filter(leader_instructed=True, handling_deadline__gte=period.start_at, handling_deadline__lt=due_end)
        .exclude(ON_TIME)
        .exclude(PENDING_OBJECTION)
        .select_related("topic", "unit")
        .order_by("handling_deadline", "id")
    )
    for order in late_instructed:
        add(order, REASON_KEY, order.leader_instruction)

    supervised = (
        counted_orders()
        .filter(pk__in=supervised_order_ids(period))
        .select_related("topic", "unit")
        .order_by("received_at", "id")
    )
    for order in supervised:
        add(order, REASON_KEY, "")

    for order_id, remedies in notice_remedies(period, entries).items():
        entries[order_id]["remedies"] = remedies

    return sorted(units.values(), key=lambda u: (-len(u["orders"]), u["name"]))


# --- the snapshot ----------------------------------------------------------------------------


def bulletin_snapshot(period: Period, cutoff: dt.datetime, *, min_orders: int | None = None) -> dict:
    """Everything the bulletin shows, as JSON-ready data."""
    min_orders = settings.HOTLINE_BULLETIN_MIN_ORDERS if min_orders is None else min_orders
    keys = rank_keys()
    by_unit = figures_by_unit(period, cutoff)
    rows = []
    for unit in order_units(by_unit):
        figures = by_unit.get(unit.pk, Figures())
        rows.append({"unit_id": unit.pk, "name": unit.name, "kind": unit.kind, "figures": figures.as_dict()})
    rows = rank_units(rows, min_orders=min_orders, keys=keys)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "start_at": period.start_at.isoformat(),
            "end_at": period.end_at.isoformat(),
            "time_zone": settings.TIME_ZONE,
            "is_week": period.is_week,
        },
        "cutoff": timezone.localtime(cutoff).isoformat(),
        "min_orders": min_orders,
        "rank_by": keys,
        "notices_available": notices_available(),
        "totals": total(by_unit.values()).as_dict(),
        "units": rows,
        "meeting": meeting_list(period, cutoff),
        "notice_orders": notice_orders(period, cutoff),
    }


# --- services --------------------------------------------------------------------------------


def bulletin_generate(*, start: dt.date, end: dt.date, acting_user=None, automatic: bool = False) -> Bulletin:
    """Generate and publish the next version of the bulletin of `start`–`end` (local dates).

    `acting_user` None means the system (the Monday beat task, `automatic=True`): that run is
    idempotent, a retried or doubled task returns the bulletin it already made. A person may
    generate a period again at any time; each time makes a new version and the old stay readable.
    """
    if acting_user is not None and not perms.manages_analysis(acting_user):
        raise NotPermitted(MSG_NOT_MANAGER)
    period = validate_period(start, end)
    if automatic:
        existing = Bulletin.objects.filter(period_start=start, period_end=end, automatic=True).first()
        if existing is not None:
            return existing
    cutoff = timezone.now()
    data = bulletin_snapshot(period, cutoff)
    with translation.override(settings.LANGUAGE_CODE):
        title = bulletin_title(start, end)
    kind = BulletinKind.WEEKLY if period.is_week else BulletinKind.CUSTOM
    # Two people generating the same period at once both read the same last version; the unique
    # constraint refuses the second insert, which then takes the next number.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = Bulletin.objects.filter(period_start=start, period_end=end).aggregate(v=Max("version"))["v"]
                return Bulletin.objects.create(
                    kind=kind,
                    period_start=start,
                    period_end=end,
                    version=(last or 0) + 1,
                    title=title,
                    generated_at=cutoff,
                    generated_by=acting_user,
                    automatic=automatic,
                    data=data,
                )
        except IntegrityError:
            if automatic:
                existing = Bulletin.objects.filter(period_start=start, period_end=end, automatic=True).first()
                if existing is not None:
                    return existing
    raise RuntimeError("Could not number the bulletin version after five attempts.")


def period_versions(bulletin: Bulletin):
    return Bulletin.objects.filter(period_start=bulletin.period_start, period_end=bulletin.period_end).order_by(
        "-version"
    )


def latest_version(bulletin: Bulletin) -> int:
    return period_versions(bulletin).aggregate(v=Max("version"))["v"] or bulletin.version


def meeting_unit_ids(bulletin: Bulletin) -> set[int]:
    return {unit["unit_id"] for unit in bulletin.data.get("meeting", [])}


def commitment_record(
    *, bulletin: Bulletin, unit, measures: str, due_on: dt.date | None, acting_user
) -> BulletinCommitment:
    """整改承诺: a unit on the meeting list commits to remedies with a deadline."""
    if unit is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"unit": MSG_REQUIRED})
    if not perms.may_commit(acting_user, unit.pk):
        raise NotPermitted(MSG_NOT_YOUR_UNIT)
    if unit.pk not in meeting_unit_ids(bulletin):
        raise InvalidInput(MSG_NOT_IN_MEETING, field_errors={"unit": MSG_NOT_IN_MEETING})
    if not (measures or "").strip():
        raise InvalidInput(MSG_REQUIRED, field_errors={"measures": MSG_REQUIRED})
    if due_on is None:
        raise InvalidInput(MSG_REQUIRED, field_errors={"due_on": MSG_REQUIRED})
    if due_on < local_date():
        raise InvalidInput(MSG_DUE_IN_PAST, field_errors={"due_on": MSG_DUE_IN_PAST})
    return BulletinCommitment.objects.create(
        bulletin=bulletin, unit=unit, measures=measures.strip(), due_on=due_on, recorded_by=acting_user
    )


def period_commitments(bulletin: Bulletin):
    """The remedies committed for this bulletin's period, whichever version they were recorded on."""
    return (
        BulletinCommitment.objects.filter(
            bulletin__period_start=bulletin.period_start, bulletin__period_end=bulletin.period_end
        )
        .select_related("unit", "recorded_by")
        .order_by("unit__name", "created_at")
    )
