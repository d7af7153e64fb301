"""Notifications: the in-app inbox, and sending through a unit's outside channels.

`notify_unit` writes, in the caller's transaction, one `Notification`, an `InboxItem` for each
active member of the unit, and a pending `Delivery` per channel the unit has switched on (email,
group-chat webhook). The deliveries are handed to Celery after the commit; sending happens there,
with retries and exponential backoff. A delivery that keeps failing ends as `failed`, with the
error, visible in the admin. Nothing here can block or undo the transition that caused it: the
caller's transaction only ever inserts rows, and a broker that is down leaves the deliveries
pending for the sweep to hand over again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import http
from stations.models import Unit, UnitKind

from .broker import enqueue
from .models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    InboxItem,
    Notification,
    NotificationLevel,
    SupervisionPolicy,
    WebhookFormat,
)

logger = logging.getLogger(__name__)

# Every robot message starts with this tag. DingTalk robots secured by keyword only accept
# messages containing one of the configured keywords: configure "12345" there.
MESSAGE_TAG = "【12345热线】"


class DeliveryError(Exception):
    """Sending failed; the message says why (kept on the delivery row)."""


# --- writing notifications -------------------------------------------------------------------


def notify_unit(
    *,
    unit: Unit | None,
    title: str,
    body: str = "",
    category: str,
    level: str = NotificationLevel.INFO,
    order=None,
    notice=None,
    url: str = "",
    users: Iterable | None = None,
    channels: bool = True,
) -> Notification:
    """Tell a unit (its active staff, or `users` if given) and its switched-on channels.

    Call it inside the transaction that makes the change; deliveries are queued after commit.
    """
    notification = Notification.objects.create(
        unit=unit,
        category=category,
        level=level,
        title=title[:200],
        body=body,
        url=url[:300],
        order=order,
        notice=notice,
    )
    if users is None:
        users = unit.staff.filter(is_active=True) if unit is not None else []
    InboxItem.objects.bulk_create(
        [InboxItem(notification=notification, user=user) for user in users], ignore_conflicts=True
    )
    if channels and unit is not None:
        targets = []
        if unit.notify_by_email and unit.email:
            targets.append((DeliveryChannel.EMAIL, unit.email))
        if unit.notify_by_webhook and unit.webhook_url:
            targets.append((DeliveryChannel.WEBHOOK, unit.webhook_url))
        ids = [
            Delivery.objects.create(notification=notification, channel=channel, target=target).pk
            for channel, target in targets
        ]
        if ids:
            transaction.on_commit(lambda: _enqueue_deliveries(ids))
    return notification


def command_center_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.COMMAND_CENTER, is_active=True)


def notify_command_center(**kwargs) -> list[Notification]:
    return [notify_unit(unit=unit, **kwargs) for unit in command_center_units()]


def _enqueue_deliveries(ids: list[int]) -> None:
    for delivery_id in ids:
        enqueue("supervision.deliver", delivery_id)


# --- the inbox -------------------------------------------------------------------------------


def inbox_mark_read(*, user, item_ids: Iterable[int] | None = None) -> int:
    """Mark the user's inbox items read (all of them when `item_ids` is None). Returns how many.

    Only the user's own items: ids of somebody else's are ignored.
    """
    items = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    return items.update(read_at=timezone.now())


# --- sending ---------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SUPERVISION_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def webhook_payload(notification: Notification, fmt: str) -> dict:
    """The robot-message JSON that WeCom (企业微信) and DingTalk (钉钉) group robots accept."""
    link = absolute_url(notification.url)
    title = f"{MESSAGE_TAG}{notification.title}"
    if fmt == WebhookFormat.WECOM_MARKDOWN:
        content = f"### {title}\n{notification.body}"
        if link:
            content += f"\n[{_('查看详情')}]({link})"
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if fmt == WebhookFormat.DINGTALK_MARKDOWN:
        text = f"### {title}\n\n{notification.body}"
        if link:
            text += f"\n\n[{_('查看详情')}]({link})"
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    content = f"{title}\n{notification.body}"
    if link:
        content += f"\n{link}"
    return {"msgtype": "text", "text": {"content": content.strip()}}


def send_webhook(url: str, payload: dict, *, timeout: float | None = None) -> None:
    answer = http.post(
        url,
        json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=timeout or settings.SUPERVISION_WEBHOOK_TIMEOUT,
    )
    if not answer.ok:
        raise DeliveryError(answer.error)
    # Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; a refused message (bad key,
    # rate limit, keyword missing) is HTTP 200 too, with another errcode.
    try:
        reply = json.loads(answer.body or "{}")
    except json.JSONDecodeError:
        return
    if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(f"errcode {reply.get('errcode')}: {reply.get('errmsg', '')}")


def send_email(address: str, notification: Notification) -> None:
    link = absolute_url(notification.url)
    body = notification.body + (f"\n\n{link}" if link else "")
    try:
        send_mail(
            subject=f"{MESSAGE_TAG}{notification.title}",
            message=body,
            from_email=None,
            recipient_list=[address],
            fail_silently=False,
        )
    except Exception as exc:  # noqa: BLE001 - every backend error is a failed attempt to record
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2×base, 4×base … capped at an hour."""
    base = settings.SUPERVISION_DELIVERY_BACKOFF_SECONDS
    return float(min(base * (2 ** max(attempts - 1, 0)), 3600))


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry_in: float | None = None


def attempt_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> AttemptResult | None:
    """Try to send one delivery once. None if it is not due or someone else is sending it.

    The row is claimed with a conditional update (pending and due → sending), so a retried task
    and the sweep's re-queue never send the same attempt twice at once.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    try:
        if delivery.channel == DeliveryChannel.EMAIL:
            send_email(delivery.target, delivery.notification)
        else:
            send_webhook(
                delivery.target, webhook_payload(delivery.notification, SupervisionPolicy.load().webhook_format)
            )
    except DeliveryError as exc:
        error = str(exc)[:2000]
        if delivery.attempts >= settings.SUPERVISION_DELIVERY_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.FAILED, last_error=error)
            logger.warning("Delivery %s failed for good after %s attempts: %s", delivery_id, delivery.attempts, error)
            return AttemptResult(DeliveryStatus.FAILED)
        delay = retry_delay(delivery.attempts)
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        )
        logger.info("Delivery %s attempt %s failed (%s); retrying in %ss", delivery_id, delivery.attempts, error, delay)
        return AttemptResult(DeliveryStatus.PENDING, retry_in=delay)
    Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return AttemptResult(DeliveryStatus.SENT)


def delivery_retry(*, deliveries: QuerySet[Delivery]) -> list[int]:
    """Send failed deliveries again (an admin action): back to pending, attempts reset."""
    ids = list(deliveries.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    transaction.on_commit(lambda: _enqueue_deliveries(ids))
    return ids


def requeue_deliveries(*, now: dt.datetime, limit: int = 500) -> int:
    """Hand pending deliveries to Celery again when their message was lost (the broker was down,
    a worker died mid-send). Deliveries stuck in `sending` for longer than a task may run go back
    to `pending` first."""
    stale_before = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now
    )
    # Leave a freshly created or freshly retried delivery to the message already on its way.
    grace = dt.timedelta(seconds=settings.SUPERVISION_DELIVERY_REQUEUE_AFTER)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        _enqueue_deliveries(ids)
    return len(ids)
