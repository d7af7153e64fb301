"""集中投诉 (concentrated complaints): many callers about one matter in one area, this week.

A surge is what the hotspot page (研判) marks as one: a topic in one station's area whose orders
this ISO week reach (1 + ratio) × the mean of the weeks before and at least `minimum` above it
(`tickets.surges`; the thresholds are the policy's, edited in the admin). For each surge, once per
week (`SurgeFiring`'s unique constraint):

- every unit that has orders of it gets one 提醒函 naming the matter, with its orders linked;
- the supervisors get an inbox notification proposing a special campaign (专项整治), the orders
  listed and a link to the campaign form filled in from the hotspot (its orders linked there).

Run by a thin task from beat (`supervision.concentrated_complaints`); safe to run any number of
times, or in two workers at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import override

from stations.models import Role, User
from tickets import surges
from tickets.models import WorkOrder

from .models import NoticeKind, NotificationLevel, Rule, SupervisionPolicy, SurgeFiring
from .notifications import notify_unit
from .services import notice_issue

logger = logging.getLogger(__name__)

# The orders a supervisor's notification lists by number (the letters link every one).
LISTED_ORDERS = 30


def surge_rule(policy: SupervisionPolicy) -> surges.SurgeRule:
    return surges.SurgeRule(
        baseline_weeks=max(policy.concentrated_baseline_weeks, 1),
        ratio=float(policy.concentrated_ratio),
        minimum=policy.concentrated_minimum,
    )


def _campaign_url(hotspot: surges.Hotspot, week: surges.Week) -> str:
    try:
        base = reverse("analysis:campaign_new")
    except NoReverseMatch:  # analysis not installed: the notification still lists the orders
        return ""
    query = {"topic": hotspot.topic_id, "level": surges.STATION, "area": hotspot.area or "", "week": week.start}
    return f"{base}?{urlencode(query)}"


def _fire(hotspot: surges.Hotspot, week: surges.Week, policy: SupervisionPolicy, now: dt.datetime) -> bool:
    """Raise the letters and the notification of one surge; False if it had fired already this week."""
    area_key = "" if hotspot.area is None else str(hotspot.area)
    if SurgeFiring.objects.filter(topic_id=hotspot.topic_id, area_key=area_key, week=week.start).exists():
        return False
    orders = list(
        surges.hotspot_orders(week, surges.STATION, hotspot.topic_id, hotspot.area)
        .select_related("unit")
        .order_by("received_at", "pk")
    )
    try:
        with transaction.atomic():
            firing = SurgeFiring.objects.create(
                topic_id=hotspot.topic_id,
                area_key=area_key,
                area_label=hotspot.area_label[:200],
                week=week.start,
                order_count=hotspot.count,
                baseline_mean=hotspot.baseline_mean,
                fired_at=now,
            )
            with override(settings.LANGUAGE_CODE):  # what is written down is in the bureau's language
                params = {
                    "area": hotspot.area_label,
                    "topic": hotspot.topic,
                    "week": f"{week.start:%Y-%m-%d}",
                    "count": hotspot.count,
                    "weeks": policy.concentrated_baseline_weeks,
                    "mean": f"{hotspot.baseline_mean:.1f}",
                }
                reason = (
                    _(
                        "%(area)s「%(topic)s」类诉求集中：%(week)s起的本周已有%(count)s件，"
                        "前%(weeks)s周平均每周%(mean)s件，属集中投诉，涉及工单见本函所列。"
                        "请排查原因，集中研判处置。"
                    )
                    % params
                )
                units = {o.unit_id: o.unit for o in orders if o.unit_id is not None}
                for unit in sorted(units.values(), key=lambda u: u.pk):
                    notice = notice_issue(
                        kind=NoticeKind.REMINDER,
                        unit=unit,
                        orders=orders,
                        reason=reason,
                        rule=Rule.CONCENTRATED,
                        now=now,
                        policy=policy,
                    )
                    firing.notices.add(notice)
                _notify_supervisors(hotspot, week, orders, params)
    except IntegrityError:
        # Another worker fired this surge a moment ago (the unique row): nothing more to do.
        if SurgeFiring.objects.filter(topic_id=hotspot.topic_id, area_key=area_key, week=week.start).exists():
            return False
        raise
    logger.info("Concentrated complaints: %s %s, week of %s", hotspot.area_label, hotspot.topic, week.start)
    return True


def _notify_supervisors(hotspot, week, orders: list[WorkOrder], params: dict) -> None:
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    numbers = "、".join(o.number for o in orders[:LISTED_ORDERS])
    if len(orders) > LISTED_ORDERS:
        numbers += _("等%(count)s件") % {"count": len(orders)}
    notify_unit(
        unit=None,
        users=supervisors,
        channels=False,
        title=_("集中投诉：%(area)s「%(topic)s」本周%(count)s件，建议开展专项整治") % params,
        body=_("前%(weeks)s周平均每周%(mean)s件。涉及工单：%(numbers)s") % {**params, "numbers": numbers},
        category=Rule.CONCENTRATED,
        level=NotificationLevel.WARNING,
        url=_campaign_url(hotspot, week),
    )


def concentrated_complaints_check(*, now: dt.datetime | None = None, policy: SupervisionPolicy | None = None) -> int:
    """Find this week's surges (topic × station area) and raise each one's letters once. Returns
    how many surges fired now."""
    policy = policy or SupervisionPolicy.load()
    if not policy.concentrated_enabled:
        return 0
    now = now or timezone.now()
    week = surges.Week.containing(now)
    fired = 0
    for hotspot in surges.hotspot_table(week, surges.STATION, rule=surge_rule(policy)):
        if not hotspot.surge:
            break  # surges come first
        try:
            fired += _fire(hotspot, week, policy, now)
        except Exception:
            # One surge must not stop the others; the next run tries it again.
            logger.exception("Concentrated complaints: %s %s could not fire", hotspot.area_label, hotspot.topic)
    return fired
