"""Celery tasks of the supervision app. Each takes ids, calls a service, and is safe to run twice.

`enqueue()` is how everything here hands work to Celery: it never raises and never waits long.
When the broker is unreachable the message is dropped (and logged) — the sweep finds the same
work again in the database — and further sends are skipped for a short while, so a burst of
transitions does not each pay the connection timeout.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

_broker_down_until = 0.0


def enqueue(task, *args, **options) -> bool:
    """Send `task(*args)` to the broker if it is reachable. Returns whether it was sent."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        task.apply_async(args=args, retry=False, **options)
    except Exception:  # noqa: BLE001 - a broker problem must never reach the caller
        _broker_down_until = time.monotonic() + settings.SUPERVISION_BROKER_BACKOFF_SECONDS
        logger.warning("Could not send %s%s to the broker; the sweep will catch up", task.name, args, exc_info=True)
        return False
    return True


def enqueue_order_event(event_id: int) -> None:
    """The order-event listener: hand the event to a worker (quick, never raises)."""
    if settings.SUPERVISION_EVENT_TASKS:
        enqueue(process_order_event, event_id)


@shared_task(name="supervision.sweep", ignore_result=True)
def sweep() -> dict:
    """The periodic sweep (beat, every SUPERVISION_SWEEP_SECONDS)."""
    from .sweep import run_sweep

    result = run_sweep()
    if result.more:
        # The time budget ran out (a long outage left much to do): carry on right away.
        enqueue(sweep)
    return result.summary()


@shared_task(name="supervision.process_order_event", ignore_result=True)
def process_order_event(event_id: int) -> list[str]:
    from .sweep import process_event

    return [str(r) for r in process_event(event_id)]


@shared_task(bind=True, name="supervision.deliver", ignore_result=True, max_retries=None)
def deliver(self, delivery_id: int) -> str | None:
    """Send one email or webhook delivery; on failure retry with exponential backoff."""
    from .notifications import attempt_delivery

    result = attempt_delivery(delivery_id)
    if result is not None and result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.status if result else None
