"""Other apps learn of order events here, after the transaction that wrote them commits.

A listener gets the event id. Listeners must be quick (enqueue a task, at most) and may fail:
a failure is logged and never undoes or blocks the transition. The supervision sweep catches up
with anything a failed listener missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger(__name__)

_listeners: list[Callable[[int], None]] = []
_muted: ContextVar[bool] = ContextVar("order_events_muted", default=False)


def on_order_event(listener: Callable[[int], None]) -> Callable[[int], None]:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


@contextmanager
def muted() -> Iterator[None]:
    """Tell no listener of the events written inside, e.g. by the demo, which writes weeks of
    history at once: those events are the past, the sweep reads them from the log.

    Publishing happens when the outermost transaction commits, so that commit must happen
    inside this block.
    """
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def publish(event_id: int) -> None:
    if _muted.get():
        return
    for listener in list(_listeners):
        try:
            listener(event_id)
        except Exception:  # noqa: BLE001 - a listener must never break a transition
            logger.exception("Order event listener %r failed for event %s", listener, event_id)
