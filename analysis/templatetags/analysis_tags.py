"""Formatting for bulletins and dashboards: rates, hours and the labels of stored codes."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from stations.models import UnitKind
from tickets.models import Status

from ..bulletins import REASON_LABELS

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.857142 → 85.7%; None (nothing to count) → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def hours(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}"


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


@register.filter
def isodt(value):
    """An ISO 8601 string from a bulletin snapshot, as a local datetime for the `date` filter."""
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed


@register.filter
def isodate(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def status_label(code: str) -> str:
    try:
        return Status(code).label
    except ValueError:
        return code


@register.filter
def unit_kind_label(code: str) -> str:
    try:
        return UnitKind(code).label
    except ValueError:
        return code


@register.filter
def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


@register.filter
def get(mapping, key):
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.simple_tag
def analysis_access(user) -> dict:
    """What the analysis navigation may offer `user`."""
    from .. import permissions as perms

    return {
        "bureau": perms.sees_bureau(user),
        "bulletins": perms.reads_bulletins(user),
        "unit_id": perms.home_unit_id(user),
        "manage": perms.manages_analysis(user),
    }
