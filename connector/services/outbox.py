"""What an order or notice event writes for the outside, inside the transaction of the change.

`outbox_for_event` is registered with `tickets.events.on_event_written` (apps.py): tickets and
supervision call it for every event they record, so a message exists if and only if the change
committed. It writes

- a change-feed entry for every event (`GET /api/v1/events/`);
- platform messages, for the steps the 12345 platform must hear about, when a connection is active
  **and** the order came from the platform (it has a 12345 number: the platform cannot take a
  result for an order it never sent). Orders from other channels, and a deployment without an
  active connection, write nothing for the platform;
- webhook messages, one per active subscription to the event's type.

After the commit each stream written is handed to a worker; the beat sweep catches up with
anything a lost task missed.
"""

from __future__ import annotations

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.utils import timezone

from attachments.selectors import attachments_for_report
from supervision.broker import enqueue
from tickets.models import OrderEvent, Report

from ..models import FeedEntry, OutboxMessage, PlatformConnection, Step, WebhookEvent, WebhookSubscription

# Which order actions are which webhook event type.
WEBHOOK_TYPE = {
    "intake": WebhookEvent.ORDER_CREATED,
    "dispatch": WebhookEvent.ORDER_DISPATCHED,
    "redispatch": WebhookEvent.ORDER_DISPATCHED,
    "reopen": WebhookEvent.ORDER_DISPATCHED,
    "report": WebhookEvent.ORDER_REPORTED,
    "close": WebhookEvent.ORDER_CLOSED,
    "closed_with_primary": WebhookEvent.ORDER_CLOSED,
}
NOTICE_WEBHOOK_TYPE = {"issue": WebhookEvent.NOTICE_ISSUED}


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def platform_steps(event: OrderEvent) -> list[str]:
    """The platform steps an order event stands for (none for most)."""
    action = event.action
    if action == "sign":
        return [Step.SIGNED]
    if action == "contact":
        # A contact without signing signs the order too: the platform hears "signed" first.
        return [Step.SIGNED, Step.CONTACTED] if event.payload.get("implied_sign") else [Step.CONTACTED]
    return {
        "send_back": [Step.SENT_BACK],
        "request_extension": [Step.EXTENSION_REQUESTED],
        "decide_extension": [Step.EXTENSION_DECIDED],
        "report": [Step.REPORTED],
        "callback": [Step.CALLBACK],
    }.get(action, [])


def _person(user) -> str:
    return user.display_name if user is not None else ""


def _report_files(order) -> list[dict]:
    """The report's files by id and metadata, never their content: the transport reads the bytes
    when it builds the request (services/transport.py), so no base64 sits in the outbox table."""
    report = Report.objects.filter(order=order).order_by("created_at", "id").last()
    if report is None:
        return []
    return [
        {"id": a.pk, "file_name": a.original_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
        for a in attachments_for_report(report)
    ]


def platform_payload(step: str, event: OrderEvent) -> dict:
    """The step in our own field names and codes (the connection's mapping renames them when sent)."""
    order = event.order
    data = {
        "step": step,
        "platform_number": order.platform_number,
        "order_number": order.number,
        "unit": order.unit.name if order.unit_id else "",
        "occurred_at": iso(event.created_at),
        "operator": _person(event.actor),
    }
    payload = event.payload or {}
    if step == Step.SIGNED:
        data.update(signed_at=iso(order.signed_at), signed_by=_person(order.signed_by))
    elif step == Step.CONTACTED:
        data.update(contacted_at=payload.get("contacted_at"), method=payload.get("method", ""), reply_text=event.note)
    elif step == Step.SENT_BACK:
        data.update(reason=event.note)
    elif step == Step.EXTENSION_REQUESTED:
        data.update(requested_until=payload.get("requested_until"), reason=event.note)
    elif step == Step.EXTENSION_DECIDED:
        data.update(
            approved=payload.get("approved"), handling_deadline=payload.get("handling_deadline"), note=event.note
        )
    elif step == Step.REPORTED:
        data.update(
            outcome=payload.get("outcome", ""),
            reply_text=event.note,
            unresolved_reason=payload.get("unresolved_reason", ""),
            officer=_person(order.officer),
            reported_at=iso(order.reported_at),
            attachments=_report_files(order),
        )
    elif step == Step.CALLBACK:
        data.update(satisfaction=payload.get("satisfaction", ""), citizen_words=event.note)
    return data


def webhook_payload(event_type: str, event) -> dict:
    """What a webhook receives: the event and the order or notice it is about, without the caller."""
    body = {
        "type": event_type,
        "occurred_at": iso(event.created_at),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
    }
    if isinstance(event, OrderEvent):
        order = event.order
        body["order"] = {
            "id": order.pk,
            "number": order.number,
            "platform_number": order.platform_number,
            "status": order.status,
            "unit": order.unit.name if order.unit_id else None,
            "outcome": order.outcome,
            "satisfaction": order.satisfaction,
        }
    else:
        notice = event.notice
        body["notice"] = {
            "id": notice.pk,
            "number": notice.number,
            "kind": notice.kind,
            "unit": notice.unit.name if notice.unit_id else None,
            "respond_by": iso(notice.respond_by),
        }
    return body


def _append(*, stream: str, source: str, kind: str, payload: dict, **destination) -> OutboxMessage:
    """Append a message to its stream: the next sequence number.

    Order streams are written under the order's row lock (every transition holds it), so two
    writers never compute the same number; the unique (stream, sequence) is the last guard.
    """
    last = OutboxMessage.objects.filter(stream=stream).aggregate(last=Max("sequence"))["last"] or 0
    return OutboxMessage.objects.create(
        stream=stream,
        sequence=last + 1,
        source=source,
        kind=kind,
        payload=payload,
        next_attempt_at=timezone.now(),
        **destination,
    )


def _feed_entry(event) -> None:
    txid = RawSQL("pg_current_xact_id()::text::bigint", []) if db_connection.vendor == "postgresql" else 0
    if isinstance(event, OrderEvent):
        FeedEntry.objects.create(txid=txid, order_event=event, order_id=event.order_id)
    else:
        FeedEntry.objects.create(txid=txid, notice_event=event, notice_id=event.notice_id)


def outbox_for_event(event) -> None:
    """Write the feed entry and the outbox messages of `event` (an OrderEvent or a NoticeEvent)."""
    _feed_entry(event)
    streams: list[str] = []
    is_order = isinstance(event, OrderEvent)
    if is_order and event.order.platform_number:
        steps = platform_steps(event)
        platform = PlatformConnection.objects.filter(is_active=True).first() if steps else None
        if platform is not None:
            stream = f"platform:{platform.pk}:order:{event.order_id}"
            for step in steps:
                _append(
                    stream=stream,
                    source=f"event:{event.pk}:{step}",
                    kind=step,
                    payload=platform_payload(step, event),
                    connection=platform,
                    order_id=event.order_id,
                )
            streams.append(stream)
    event_type = (WEBHOOK_TYPE if is_order else NOTICE_WEBHOOK_TYPE).get(event.action)
    if event_type is not None:
        subject = f"order:{event.order_id}" if is_order else f"notice:{event.notice_id}"
        source = f"{'event' if is_order else 'notice_event'}:{event.pk}"
        for subscription in WebhookSubscription.objects.filter(is_active=True):
            if event_type not in (subscription.event_types or []):
                continue
            stream = f"webhook:{subscription.pk}:{subject}"
            _append(
                stream=stream,
                source=source,
                kind=event_type,
                payload=webhook_payload(event_type, event),
                subscription=subscription,
                order_id=event.order_id if is_order else None,
            )
            streams.append(stream)
    if streams:
        transaction.on_commit(lambda: [enqueue("connector.deliver_stream", s) for s in streams], robust=True)
