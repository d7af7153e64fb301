"""Idempotency-Key: a retried POST answers what the first answered and does nothing twice.

The first request with a key claims it: the first statement of its transaction inserts the
`IdempotencyRecord` (user, key), the action runs in the same transaction, and the answer is
written into the record before it commits. A concurrent duplicate, arriving while the first is
still running, blocks on the (user, key) unique index until the first transaction ends; then
either the first committed — the duplicate's insert fails, it rolls back and replays the stored
answer — or the first was refused and rolled back, and the duplicate runs as if it were first.
The wait is bounded (`CLAIM_WAIT_SECONDS`, PostgreSQL): past it the duplicate answers 409 with
`Retry-After`, and its retry gets the replay.

Only successful (2xx) answers are kept: a refused request changed nothing, so it may simply be
sent again, with the same key. A replay is given only while the user may still see the order it
is about (the view's `replay_allowed`); otherwise it answers 404, like any order one may not see.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from tickets.models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII and spaces, as a UUID or any client-made token would be.
_KEY_RE = re.compile(r"^[\x20-\x7e]{1,255}$")
# Response headers worth replaying.
_STORED_HEADERS = ("ETag", "Location")
# How long a duplicate waits for the first request with its key to finish (an action takes
# milliseconds; a first request this slow is stuck, and the duplicate should not hold a worker).
CLAIM_WAIT_SECONDS = 10
# What the duplicate that gave up waiting tells the client.
RETRY_AFTER_SECONDS = 1
# PostgreSQL's lock_not_available: lock_timeout expired.
_LOCK_TIMEOUT_SQLSTATE = "55P03"

MSG_KEY_INVALID = _("Idempotency-Key 须为 1 至 255 个可见 ASCII 字符。")
MSG_KEY_REUSED = _("该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的 Idempotency-Key。")
MSG_KEY_IN_PROGRESS = _("使用同一 Idempotency-Key 的请求仍在处理中，请稍后以同一 Idempotency-Key 重试。")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = MSG_KEY_REUSED
    default_code = "idempotency_key_reused"


class KeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = MSG_KEY_IN_PROGRESS
    default_code = "idempotency_key_in_progress"

    def __init__(self):
        super().__init__()
        self.wait = RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


class _Taken(Exception):
    """Another request with this key committed first."""


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _stored(request, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=request.user, key=key).first()


def _replay(view, record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise KeyReused()
    if not view.replay_allowed(record.response_body):
        raise exceptions.NotFound()
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.status_code, headers=headers)


def _claim(request, key: str, fingerprint: str) -> IdempotencyRecord:
    """Insert the key's record, in the caller's transaction; raise _Taken if another has it."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                [f"{int(CLAIM_WAIT_SECONDS * 1000)}ms"],
            )
            (previous_timeout, _set) = cursor.fetchone()
    try:
        record = IdempotencyRecord.objects.create(
            user=request.user,
            key=key,
            method=request.method,
            path=request.path[:500],
            fingerprint=fingerprint,
            status_code=0,  # filled in with the answer, before this transaction commits
        )
    except IntegrityError:
        raise _Taken() from None
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _LOCK_TIMEOUT_SQLSTATE:
            raise KeyInProgress() from exc
        raise
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous_timeout])
    return record


def idempotent(view_method=None, *, fingerprint=_fingerprint):
    """Make a POST handler honour `Idempotency-Key` for the authenticated user.

    The view must answer `replay_allowed(body) -> bool`: whether the user may still be given
    this stored answer. `fingerprint(request) -> str` tells one request from another; the default
    hashes the raw body, which Django holds in memory only up to `DATA_UPLOAD_MAX_MEMORY_SIZE`, so
    a file upload passes its own (attachments: the form fields and each file's SHA-256).
    """
    if view_method is None:
        return functools.partial(idempotent, fingerprint=fingerprint)

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not _KEY_RE.match(key):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MSG_KEY_INVALID]})
        # Read the body before the view parses it (Django keeps it for the parser).
        digest = fingerprint(request)
        record = _stored(request, key)
        if record is not None:
            return _replay(self, record, digest)
        try:
            with transaction.atomic():
                record = _claim(request, key, digest)
                response = view_method(self, request, *args, **kwargs)
                if not status.is_success(response.status_code):
                    transaction.set_rollback(True)  # nothing kept, not even the claim
                    return response
                record.status_code = response.status_code
                # Exactly what the client receives, as JSON.
                record.response_body = (
                    json.loads(JSONRenderer().render(response.data)) if response.data is not None else {}
                )
                record.response_headers = {h: response[h] for h in _STORED_HEADERS if h in response}
                record.save(update_fields=["status_code", "response_body", "response_headers"])
        except _Taken:
            # Everything this request did is rolled back; it answers what the first one answered.
            record = _stored(request, key)
            if record is None:  # purged in between: the key is free again, let the client retry
                raise KeyInProgress() from None
            return _replay(self, record, digest)
        return response

    return wrapper
