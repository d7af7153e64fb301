"""Template helpers of the workbench: countdowns, status badges, the header's unread count."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

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
def waited(order, now: dt.datetime | None = None):
    """When an order came in and how long it has waited since; app.js keeps the age ticking."""
    now = now or timezone.now()
    received = order.received_at
    return format_html(
        '<p class="waited small">{} {} · {} <span class="age" data-since="{}">{}</span></p>',
        gettext("受理"),
        timezone.localtime(received).strftime("%m-%d %H:%M"),
        gettext("已等待"),
        received.isoformat(),
        timewords.duration_words(now - received),
    )


@register.simple_tag
def countdown_phrases():
    return timewords.countdown_phrases()


@register.simple_tag
def due_soon_seconds() -> int:
    return int(timewords.DUE_SOON.total_seconds())


@register.filter
def iso_local(value: str | None) -> str:
    """{{ event.payload.instructed_at|iso_local }}: an ISO time kept in an event's payload, as
    "2026-11-23 08:30" in the bureau's time zone ("" if it is not one)."""
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except (TypeError, ValueError):
        return ""
    if timezone.is_naive(moment):
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


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
    replies = optional_url("connector:reply_files")
    if replies and role == Role.DISPATCHER:
        result.append(("connector:reply_files", _("回复文件"), replies))
    result.append(("tickets:search", _("工单查询"), reverse("tickets:search")))
    if user.is_staff:
        result.append(("admin:index", _("系统管理"), reverse("admin:index")))
    return result


@register.simple_tag
def order_head(row):
    """The head of an order in a list: number, badges, countdown, topic and caller, content.

    Written in Python rather than as a template: every row of every queue has one, and through
    the template engine it was about half of a 100-row queue's rendering. The words are the same
    catalogue entries the template used.
    """
    order = row.order
    badges = [format_html('<span class="badge status-{}">{}</span>', order.status, order.get_status_display())]
    if order.urgency != "normal":
        label = order.get_urgency_display()
        badges.append(format_html('<span class="badge urgency-{}">{}</span>', order.urgency, label))
    if order.leader_instructed:
        badges.append(format_html('<span class="badge leader">{}</span>', gettext("领导批示")))
    if order.return_count:
        words = ngettext("退回 %(n)s 次", "退回 %(n)s 次", order.return_count) % {"n": order.return_count}
        badges.append(format_html('<span class="badge warn">{}</span>', words))
    if order.reopen_count:
        words = ngettext("重办 %(n)s 次", "重办 %(n)s 次", order.reopen_count) % {"n": order.reopen_count}
        badges.append(format_html('<span class="badge warn">{}</span>', words))
    if row.time_left is not None:
        badges.append(countdown(order.handling_deadline))
    meta = [str(order.topic), order.get_handling_type_display()]
    if order.unit_id is not None:
        meta.append(str(order.unit))
    meta.append(caller_words(row))
    if order.address:
        meta.append(order.address)
    return format_html(
        '<div class="order-head">\n  <a class="order-no" href="{}">{}</a>\n  {}\n</div>\n'
        '<p class="order-meta">{}</p>\n<p class="order-content">{}</p>\n',
        row.url,
        order.number,
        mark_safe("\n  ".join(badges)),
        format_html_join(" · ", "{}", ((part,) for part in meta)),
        Truncator(order.content).chars(140),
    )


@register.filter
def tel_href(phone: str) -> str:
    """tel: URI of a phone number as typed (digits, a leading +; spaces and dashes dropped)."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def caller_words(row):
    """The caller's name and number; the number a tap-to-call link for whoever may see it."""
    if getattr(row, "may_call", False) and row.caller_phone:
        return format_html(
            '{} <a class="tel" href="{}">{}</a>', row.caller_name, tel_href(row.caller_phone), row.caller_phone
        )
    return f"{row.caller_name} {row.caller_phone}"


QUIET_ACTIONS = frozenset({"send_back", "reject_objection", "return", "reopen"})


@register.simple_tag
def row_actions(row, next_url: str):
    """A list row's actions, each an expander whose form loads when it is opened.

    `hx-get` fetches the form (GET /orders/<id>/<action>/form/) the first time the expander opens;
    without JavaScript the expander links to the order page, where every form is.
    """
    if not row.actions:
        return ""
    fallback = format_html(
        '<div class="act-body"><p class="muted small"><a href="{}#actions">{}</a></p></div>',
        row.url,
        gettext("在工单页办理"),
    )
    next_query = urlencode({"next": next_url})
    return format_html_join(
        "\n",
        '<details class="act act-{}" hx-get="{}{}/form/?{}" hx-trigger="toggle once" hx-target="find .act-body">'
        '<summary class="btn btn-small{}">{}</summary>{}</details>',
        (
            (
                t.action,
                row.url,
                t.action,
                next_query,
                " btn-quiet" if t.action in QUIET_ACTIONS else "",
                t.label,
                fallback,
            )
            for t in row.actions
        ),
    )


@register.simple_tag(takes_context=True)
def dispatch_forms(context, row, unit_options):
    """A waiting order's dispatch: one click to the suggested unit, or a unit chosen from the list.

    Python rather than a template for the same reason as `order_head`; `unit_options` is the
    <option> list written once for the page.
    """
    if not any(t.action == "dispatch" for t in row.actions):
        return ""
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context.get("csrf_token", ""))
    action = f"{row.url}dispatch/"
    hidden = format_html(
        '<input type="hidden" name="next" value="{}"><input type="hidden" name="version" value="{}"',
        context.get("next_url", ""),
        row.order.version,
    )
    parts = []
    if getattr(row, "suggestions", None):
        best = row.suggestions[0]
        parts.append(
            format_html(
                '<form method="post" action="{}" class="inline-form one-click" data-once>{}{}>'
                '<input type="hidden" name="unit" value="{}">'
                '<button type="submit" class="btn btn-primary btn-small" title="{}" data-row-key="d">{}</button>'
                ' <small class="muted">{}</small></form>',
                action,
                csrf,
                hidden,
                best.unit.pk,
                best.reason,
                gettext("转办至%(unit)s") % {"unit": best.unit.name},
                best.reason,
            )
        )
    else:
        parts.append(format_html('<small class="muted">{}</small>', gettext("无派单建议，请选择单位。")))
    field = f"id_dispatch_{row.order.pk}_unit"
    parts.append(
        format_html(
            '<form method="post" action="{}" class="inline-form" data-once>{}{} id="id_dispatch_{}_version">'
            '<label class="sr-only" for="{}">{}</label><select name="unit" required id="{}">{}</select>'
            ' <button type="submit" class="btn btn-small">{}</button></form>',
            action,
            csrf,
            hidden,
            row.order.pk,
            field,
            gettext("承办单位"),
            field,
            unit_options,
            gettext("转办"),
        )
    )
    return mark_safe("\n".join(parts))


@register.filter
def urlencode_dict(query: dict) -> str:
    """{{ query|urlencode_dict }}: a dict of GET parameters as a query string."""
    return urlencode(query)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """This page's query string with `param` set to `number` (the other filters and pages kept)."""
    query = context["request"].GET.copy()
    query[param] = number
    return query.urlencode()
