"""One HTTP JSON POST of an outbox message: the body in the receiver's names, signed.

The platform gets our fields renamed by its connection's `field_map` and our codes replaced by its
`code_map`; a webhook gets our own JSON. Every request carries `X-Hotline-Message-Id` (stable
across retries: the receiver deduplicates on it) and, when a secret is set,
`X-Hotline-Signature: sha256=<hex HMAC of the body>`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.conf import settings

from attachments.selectors import attachments_by_ids
from hotline import http

from ..models import OutboxMessage, PlatformConnection
from ..signing import SIGNATURE_HEADER, body_signature

RESPONSE_KEEP = 4000


@dataclass
class Attempt:
    ok: bool
    request: str
    response: str = ""
    status: int | None = None
    error: str = ""


def map_fields(data: dict, connection: PlatformConnection) -> dict:
    """Our field → their field name; our code → their code (both from the admin)."""
    codes = connection.code_map or {}
    names = connection.field_map or {}
    mapped = {}
    for field, value in data.items():
        table = codes.get(field)
        if isinstance(table, dict) and isinstance(value, (str, bool, int)) and str(value) in table:
            value = table[str(value)]
        mapped[names.get(field, field)] = value
    return mapped


class AttachmentUnreadable(Exception):
    """A file of the message could not be read from storage now."""


def _with_content(files: list[dict], limit: int) -> tuple[list[dict], list[dict]]:
    """The report's files as sent, content base64-encoded, read now from storage, and as shown in
    the stored request (content replaced by a note: the entry's SHA-256 names the exact bytes).

    Files go in their upload order until the message would pass `limit` bytes of content; a file
    that does not fit is listed without content and flagged `too_large`, and the next smaller
    ones may still fit. A file no longer stored is listed and flagged `missing`.
    """
    stored = attachments_by_ids([entry["id"] for entry in files])
    sent: list[dict] = []
    carrying: set[int] = set()  # positions in `sent` that carry content
    used = 0
    for entry in files:
        meta = {key: value for key, value in entry.items() if key != "id"}
        attachment = stored.get(entry["id"])
        if attachment is None:
            sent.append({**meta, "content": None, "too_large": False, "missing": True})
        elif used + attachment.size > limit:
            sent.append({**meta, "content": None, "too_large": True})
        else:
            try:
                with attachment.file.open("rb") as file:
                    raw = file.read()
            except Exception as exc:  # noqa: BLE001 - disk or S3 trouble: this attempt fails, a later one may not
                raise AttachmentUnreadable(f"attachment {attachment.pk} unreadable: {exc!r}") from exc
            used += len(raw)
            sent.append({**meta, "content": base64.b64encode(raw).decode("ascii"), "too_large": False})
            carrying.add(len(sent) - 1)
    notes = [
        {**item, "content": f"<base64 of {item['size']} bytes, not kept here>"} if i in carrying else item
        for i, item in enumerate(sent)
    ]
    return sent, notes


def build_request(message: OutboxMessage) -> tuple[str, bytes, dict, float, bytes]:
    """The request: address, body, headers, timeout, and the body as kept on the message (the same
    but for attachment contents, which would put megabytes of base64 in the outbox table)."""
    shown_data = None
    if message.connection_id:
        destination = message.connection
        payload = dict(message.payload)
        files = payload.pop("attachments", None)
        head = {"message_id": str(message.pk), "sequence": message.sequence}
        shown_payload = payload
        # Only a platform whose interface takes files gets them; the others get no attachment field.
        if files is not None and destination.send_attachments:
            limit = settings.HOTLINE_PLATFORM_ATTACHMENT_MAX_MB * 1024 * 1024
            sent, notes = _with_content(files, limit)
            payload = {**payload, "attachments": [map_fields(item, destination) for item in sent]}
            shown_payload = {**shown_payload, "attachments": [map_fields(item, destination) for item in notes]}
        data = map_fields({**head, **payload}, destination)
        shown_data = map_fields({**head, **shown_payload}, destination)
        url = destination.endpoint_url
    else:
        destination = message.subscription
        data = {"id": str(message.pk), "sequence": message.sequence, **message.payload}
        url = destination.url
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    shown_body = body if shown_data is None else json.dumps(shown_data, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Hotline-Message-Id": str(message.pk)}
    if destination.secret:
        headers[SIGNATURE_HEADER] = body_signature(destination.secret, body)
    username = getattr(destination, "username", "")
    if username:
        token = base64.b64encode(f"{username}:{destination.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return url, body, headers, destination.timeout_seconds, shown_body


def _shown_headers(headers: dict) -> dict:
    return {k: ("***" if k == "Authorization" else v) for k, v in headers.items()}


def post(message: OutboxMessage) -> Attempt:
    """Send once. Success is any 2xx answer; anything else (an error status, a timeout, a refused
    connection, a bad address, an attachment the storage cannot read now) is a failed attempt with
    the reason, retried like any other."""
    try:
        url, body, headers, timeout, shown_body = build_request(message)
    except AttachmentUnreadable as exc:
        return Attempt(False, "", error=str(exc))
    shown = "POST {}\n{}\n\n{}".format(
        url, "\n".join(f"{k}: {v}" for k, v in _shown_headers(headers).items()), shown_body.decode("utf-8")
    )
    answer = http.post(url, body, headers=headers, timeout=timeout, keep=RESPONSE_KEEP)
    return Attempt(answer.ok, shown, answer.body, answer.status, answer.error)
