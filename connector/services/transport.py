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


def build_request(message: OutboxMessage) -> tuple[str, bytes, dict, float]:
    if message.connection_id:
        destination = message.connection
        data = map_fields({"message_id": str(message.pk), "sequence": message.sequence, **message.payload}, destination)
        url = destination.endpoint_url
    else:
        destination = message.subscription
        data = {"id": str(message.pk), "sequence": message.sequence, **message.payload}
        url = destination.url
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Hotline-Message-Id": str(message.pk)}
    if destination.secret:
        headers[SIGNATURE_HEADER] = body_signature(destination.secret, body)
    username = getattr(destination, "username", "")
    if username:
        token = base64.b64encode(f"{username}:{destination.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return url, body, headers, destination.timeout_seconds


def _shown_headers(headers: dict) -> dict:
    return {k: ("***" if k == "Authorization" else v) for k, v in headers.items()}


def post(message: OutboxMessage) -> Attempt:
    """Send once. Success is any 2xx answer; anything else (an error status, a timeout, a refused
    connection, a bad address) is a failed attempt with the reason."""
    url, body, headers, timeout = build_request(message)
    shown = "POST {}\n{}\n\n{}".format(
        url, "\n".join(f"{k}: {v}" for k, v in _shown_headers(headers).items()), body.decode("utf-8")
    )
    answer = http.post(url, body, headers=headers, timeout=timeout, keep=RESPONSE_KEEP)
    return Attempt(answer.ok, shown, answer.body, answer.status, answer.error)
