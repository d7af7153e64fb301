"""Handing work to Celery without ever failing the caller.

`enqueue()` sends a task by its registered name: services call it after commit, so they never
import the task modules (tasks import services, not the other way round). It never raises and
never waits long. When the broker is unreachable the message is dropped (and logged) — the sweep
finds the same work again in the database — and further sends are skipped for a short while, so a
burst of transitions does not each pay the connection timeout.
"""

from __future__ import annotations

import logging
import time

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

_broker_down_until = 0.0


def enqueue(task_name: str, *args, **options) -> bool:
    """Send the task called `task_name` with `args` if the broker is reachable. Returns whether it was sent."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        task = current_app.tasks.get(task_name)
        if task is not None:
            # The registered task object (not `send_task`), so CELERY_TASK_ALWAYS_EAGER still applies.
            task.apply_async(args=args, retry=False, **options)
        else:
            # Not imported in this process (every app's config imports its tasks, so this is a
            # slip): the worker knows it by name. Not a broker failure, so no back-off for it.
            logger.error("Task %s is not registered in this process; sent by name", task_name)
            current_app.send_task(task_name, args=args, retry=False, **options)
    except Exception:  # noqa: BLE001 - a broker problem must never reach the caller
        _broker_down_until = time.monotonic() + settings.SUPERVISION_BROKER_BACKOFF_SECONDS
        logger.warning("Could not send %s%s to the broker; the sweep will catch up", task_name, args, exc_info=True)
        return False
    return True


def enqueue_order_event(event_id: int) -> None:
    """The order-event listener: hand the event to a worker (quick, never raises)."""
    if settings.SUPERVISION_EVENT_TASKS:
        enqueue("supervision.process_order_event", event_id)
