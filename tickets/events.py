"""Other apps learn of order events here, after the transaction that wrote them commits.

A listener gets the event id. Listeners must be quick (enqueue a task, at most) and may fail:
a failure is logged and never undoes or blocks the transition. The supervision sweep catches up
with anything a failed listener missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_listeners: list[Callable[[int], None]] = []


def on_order_event(listener: Callable[[int], None]) -> Callable[[int], None]:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def publish(event_id: int) -> None:
    for listener in list(_listeners):
        try:
            listener(event_id)
        except Exception:  # noqa: BLE001 - a listener must never break a transition
            logger.exception("Order event listener %r failed for event %s", listener, event_id)
