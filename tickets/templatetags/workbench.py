"""Template helpers of the workbench: countdowns, status badges, the header's unread count."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from tickets import timewords
from tickets.workflow import action_label as _action_label

register = template.Library()


@register.filter
def time_left_words(delta: dt.timedelta | None) -> str:
    """{{ delta|time_left_words }} → "剩余 2小时15分" or "超期 40分钟"."""
    if delta is None:
        return ""
    return timewords.time_left_words(delta)


@register.filter
def duration_words(delta: dt.timedelta | None) -> str:
    if delta is None:
        return ""
    return timewords.duration_words(delta)


@register.simple_tag
def countdown(deadline: dt.datetime | None, now: dt.datetime | None = None):
    """A countdown to `deadline`, coloured by state; app.js keeps it ticking in the browser."""
    if deadline is None:
        return ""
    delta = deadline - (now or timezone.now())
    state = timewords.deadline_state(delta)
    return format_html(
        '<span class="countdown state-{}" data-deadline="{}" title="{}">{}</span>',
        state,
        deadline.isoformat(),
        timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
        timewords.time_left_words(delta),
    )


@register.simple_tag
def countdown_phrases():
    return timewords.countdown_phrases()


@register.simple_tag
def due_soon_seconds() -> int:
    return int(timewords.DUE_SOON.total_seconds())


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.simple_tag
def unread_notifications(user) -> int | None:
    """The header's unread count; None until the supervision inbox exists."""
    try:
        from supervision.selectors import unread_count
    except ImportError:
        return None
    return unread_count(user)


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL of a named route, or "" when that route does not exist (yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[tuple[str, str, str]]:
    """(url name, label, url) of the header's links for the signed-in user's role."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from stations.models import Role

    user = context["request"].user
    items: list[tuple[str, str]] = []
    role = user.role
    if role == Role.DISPATCHER:
        items = [
            ("tickets:dispatch_board", _("指挥台")),
            ("tickets:callback_queue", _("回访")),
            ("tickets:overview", _("总览")),
        ]
    elif role in (Role.OFFICER, Role.UNIT_HEAD):
        items = [("tickets:workbench", _("本单位工作台"))]
    elif role == Role.REVIEWER:
        items = [("tickets:review_queue", _("审核队列"))]
    elif role == Role.SUPERVISOR:
        items = [("tickets:overview", _("督导总览"))]
    result = [(name, label, reverse(name)) for name, label in items]
    center = optional_url("supervision:notice_list")
    if center and role in (Role.SUPERVISOR, Role.DISPATCHER, Role.ADMINISTRATOR):
        result.append(("supervision:notice_list", _("督办中心"), center))
    analysis = optional_url("analysis:home")
    if analysis:
        result.append(("analysis:home", _("统计分析"), analysis))
    result.append(("tickets:search", _("工单查询"), reverse("tickets:search")))
    if user.is_staff:
        result.append(("admin:index", _("系统管理"), reverse("admin:index")))
    return result
