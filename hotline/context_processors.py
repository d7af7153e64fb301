"""Template context for every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from stations.models import Role

# The command center: the people who act when 督办单 stop being raised.
SWEEP_ALERT_ROLES = (Role.SUPERVISOR, Role.DISPATCHER)


def _stopped_minutes() -> int | None:
    from supervision.sweep import last_sweep_completed_at, sweep_stale

    completed_at = last_sweep_completed_at()
    # A database never swept has no heartbeat: /healthz reports that; the banner is for a sweep
    # that ran and stopped, whose minutes it can count.
    if completed_at is None:
        return None
    now = timezone.now()
    if not sweep_stale(completed_at, now):
        return None
    return int((now - completed_at).total_seconds() // 60)


def sweep_alert(request: HttpRequest) -> dict:
    """`sweep_stopped_minutes`: how long the deadline sweep has been stopped, for the red banner.

    Only for the command center's roles, and read only when a page's template uses it (HTMX
    fragments do not): one primary-key read.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", None) not in SWEEP_ALERT_ROLES:
        return {}
    return {"sweep_stopped_minutes": SimpleLazyObject(_stopped_minutes)}
