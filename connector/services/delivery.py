"""Sending the outbox: one stream at a time, in sequence, each message until it is delivered.

A stream is one destination × one order (or notice). Its messages go out strictly by sequence: the
head (the lowest undelivered) is sent, and nothing after it moves until it is delivered. A failed
attempt puts the head off with exponential backoff (base × 2^(attempts-1), capped); a message is
never given up on — the platform may be down for a day — and the admin can resend one at once.

Two workers never send one message at the same time: the head is locked with
`SELECT … FOR UPDATE SKIP LOCKED` and the lock is held, in a transaction, while it is sent. A
worker that dies mid-send (SIGKILL) loses its connection; PostgreSQL rolls the transaction back and
frees the row, still pending, and the next worker sends it again with the same id, on which the
receiver deduplicates. The price is a database transaction open for at most the HTTP timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from supervision.broker import enqueue

from ..models import OutboxMessage, OutboxStatus, Transport
from . import transport

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> float:
    base = settings.CONNECTOR_BACKOFF_SECONDS
    return float(min(base * (2 ** max(attempts - 1, 0)), settings.CONNECTOR_BACKOFF_MAX_SECONDS))


def _send_head(stream: str, now: dt.datetime) -> str:
    """Try the stream's head once. Returns "sent", "failed", "waiting" (not due, or an earlier
    message is being sent by another worker) or "empty"."""
    head = (
        OutboxMessage.objects.filter(stream=stream, status=OutboxStatus.PENDING)
        .order_by("sequence")
        .values_list("pk", flat=True)
        .first()
    )
    if head is None:
        return "empty"
    with transaction.atomic():
        # Lock the head by id, never "the first unlocked one": skipping a locked head would send
        # the next message before it.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("connection", "subscription")
            .filter(pk=head, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            # Another worker holds it, or it was delivered meanwhile: look again from the top.
            still_pending = OutboxMessage.objects.filter(pk=head, status=OutboxStatus.PENDING).exists()
            return "waiting" if still_pending else "sent"
        if message.next_attempt_at > now:
            return "waiting"
        if message.connection_id and message.connection.transport == Transport.EXCEL:
            return "waiting"  # goes out in the daily reply file (services/replyfile.py)
        # Re-checked under the lock: a message resent by the admin may sit before this one.
        if OutboxMessage.objects.filter(
            stream=stream, status=OutboxStatus.PENDING, sequence__lt=message.sequence
        ).exists():
            return "waiting"
        attempt = transport.post(message)
        message.attempts += 1
        message.request = attempt.request
        message.response = attempt.response
        message.response_status = attempt.status
        if attempt.ok:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        else:
            delay = retry_delay(message.attempts)
            message.last_error = attempt.error[:2000]
            message.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
            logger.info(
                "Outbox %s attempt %s failed (%s); retrying in %ss", message.pk, message.attempts, attempt.error, delay
            )
        message.save(
            update_fields=[
                "attempts",
                "request",
                "response",
                "response_status",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
            ]
        )
        return "sent" if attempt.ok else "failed"


def deliver_stream(*, stream: str, limit: int = 100) -> int:
    """Send a stream's due messages in order until one fails or none is due. Returns how many were sent."""
    sent = 0
    for _ in range(limit):
        outcome = _send_head(stream, timezone.now())
        if outcome != "sent":
            break
        sent += 1
    return sent


def due_streams(*, now: dt.datetime, limit: int = 500) -> list[str]:
    rows = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .exclude(connection__transport=Transport.EXCEL)
        .order_by("next_attempt_at")
        .values_list("stream", flat=True)[: limit * 4]
    )
    return list(dict.fromkeys(rows))[:limit]


def deliver_due(*, now: dt.datetime | None = None, budget_seconds: float | None = None) -> int:
    """The beat sweep: every stream with a due message, delivered here until the time budget ends."""
    started = time.monotonic()
    budget = settings.CONNECTOR_SWEEP_TIME_BUDGET if budget_seconds is None else budget_seconds
    sent = 0
    for stream in due_streams(now=now or timezone.now()):
        sent += deliver_stream(stream=stream)
        if time.monotonic() - started > budget:
            break
    return sent


def outbox_resend(*, messages: QuerySet[OutboxMessage]) -> int:
    """The admin's "resend now": due at once, pending again (a delivered one is sent again with
    its same id). Returns how many."""
    now = timezone.now()
    streams = list(messages.values_list("stream", flat=True).distinct())
    count = messages.update(status=OutboxStatus.PENDING, next_attempt_at=now)
    transaction.on_commit(lambda: [enqueue("connector.deliver_stream", s) for s in streams], robust=True)
    return count
