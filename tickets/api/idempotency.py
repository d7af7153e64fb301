"""Idempotency-Key: a retried POST answers what the first answered and does nothing twice.

The first request with a key runs inside one transaction together with the insert of its
`IdempotencyRecord`. A concurrent duplicate blocks on the (user, key) unique index until the
first commits, then fails to insert, rolls back everything it did and replays the stored answer.
Only successful (2xx) answers are stored: a refused request changed nothing, so it may simply
be sent again, with the same key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
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

MSG_KEY_INVALID = _("Idempotency-Key 须为 1 至 255 个可见 ASCII 字符。")
MSG_KEY_REUSED = _("该 Idempotency-Key 已用于另一个请求，请为新的请求使用新的 Idempotency-Key。")


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = MSG_KEY_REUSED
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise KeyReused()
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.status_code, headers=headers)


def idempotent(view_method):
    """Make a POST handler honour `Idempotency-Key` for the authenticated user."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not _KEY_RE.match(key):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MSG_KEY_INVALID]})
        # Read the body before the view parses it (Django keeps it for the parser).
        fingerprint = _fingerprint(request)
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is not None:
            return _replay(record, fingerprint)
        try:
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        # Exactly what the client received, as JSON.
                        response_body=json.loads(JSONRenderer().render(response.data))
                        if response.data is not None
                        else {},
                        response_headers={h: response[h] for h in _STORED_HEADERS if h in response},
                    )
        except IntegrityError:
            # Another request with this key committed first: everything this one did is rolled
            # back, and it answers what the other answered.
            record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if record is None:
                raise
            return _replay(record, fingerprint)
        return response

    return wrapper
