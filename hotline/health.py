"""Is the system up, and is it enforcing deadlines? The checks behind `/healthz`.

- `database`: the database answers.
- `sweep`: a deadline sweep finished within SUPERVISION_STALE_AFTER_SECONDS. When the worker,
  beat or the broker is down, intake keeps working but nothing raises 督办单 any more; this is
  the check that notices.
- `broker` (deep only): the Celery broker answers within HOTLINE_HEALTHZ_BROKER_TIMEOUT seconds.

The shallow set costs one primary-key read (the sweep heartbeat; reading it proves the database
answers), so load balancers and container health checks may call it every few seconds. The deep
set adds a broker round trip, for monitors.

Failures name the check and the error's type only: the endpoint is public, and a driver's
message can carry host names and users. The full error goes to the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Health:
    checks: dict[str, dict] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "fail", "failed": self.failed, "checks": self.checks}


def _error(name: str, exc: Exception) -> dict:
    logger.warning("Health check %s failed: %r", name, exc)
    return {"ok": False, "error": type(exc).__name__}


def check_database_and_sweep(health: Health) -> None:
    from supervision.sweep import last_sweep_completed_at, sweep_stale

    try:
        completed_at = last_sweep_completed_at()
    except Exception as exc:  # noqa: BLE001 - any failure to read is "the database is down"
        health.checks["database"] = _error("database", exc)
        return
    health.checks["database"] = {"ok": True}
    now = timezone.now()
    health.checks["sweep"] = {
        "ok": not sweep_stale(completed_at, now),
        "completed_at": completed_at.isoformat() if completed_at else None,
        "age_seconds": round((now - completed_at).total_seconds()) if completed_at else None,
        "stale_after_seconds": settings.SUPERVISION_STALE_AFTER_SECONDS,
    }


def check_broker(health: Health) -> None:
    from hotline.celery import app

    timeout = settings.HOTLINE_HEALTHZ_BROKER_TIMEOUT
    # One connection attempt, bounded; for Redis, kombu's channel sends a PING on connecting.
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    try:
        with app.connection_for_write(transport_options=options) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - every failure means "not reachable"
        health.checks["broker"] = _error("broker", exc)
        return
    health.checks["broker"] = {"ok": True}


def system_health(*, deep: bool = False) -> Health:
    health = Health()
    check_database_and_sweep(health)
    if deep:
        check_broker(health)
    return health
