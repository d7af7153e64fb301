"""Other apps learn of order events here: writers inside the transaction, listeners after it commits.

A *writer* (`on_event_written`) is called with the event row inside the transaction that wrote
it, so whatever it writes (the connector's outbox and change feed) commits or rolls back with the
transition: a writer's error is the transition's error. Writers get order and notice events alike
(supervision calls `event_written` for its notice events). This registry is how tickets and
supervision tell an outer app without importing it.

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
_writers: list[Callable[[object], None]] = []
_muted: ContextVar[bool] = ContextVar("order_events_muted", default=False)


def on_order_event(listener: Callable[[int], None]) -> Callable[[int], None]:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def on_event_written(writer: Callable[[object], None]) -> Callable[[object], None]:
    if writer not in _writers:
        _writers.append(writer)
    return writer


def event_written(event) -> None:
    """Call every writer with `event` (an OrderEvent or a NoticeEvent), in the caller's transaction."""
    for writer in list(_writers):
        writer(event)


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
