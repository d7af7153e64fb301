"""ETag and If-Match: optimistic concurrency over HTTP.

Orders and notices (supervision.api) follow the same rules. An order's ETag is its `version` as a
strong entity tag (`"7"`); every change bumps the version. A write that carries `If-Match` is
passed to the service as `expected_version`, and the service refuses it with 412 when the order
has changed since (checked under the row lock, so two clients holding the same ETag cannot both
succeed).
"""

from __future__ import annotations

import re

from tickets.exceptions import MSG_STALE, StaleVersion
from tickets.models import WorkOrder

IF_MATCH_HEADER = "If-Match"
_ETAG_RE = re.compile(r'^(?:W/)?"([^"]*)"$')
# A version is a positive integer that fits the database column.
_MAX_VERSION = 2**31 - 1


def etag(version: int) -> str:
    return f'"{version}"'


def etag_for(order: WorkOrder) -> str:
    return etag(order.version)


def expected_version(request, order: WorkOrder) -> int | None:
    """The version the client's `If-Match` requires, or None when it sets no condition.

    `If-Match: *` matches any existing order. Weak tags never match (RFC 9110 §13.1.1 uses the
    strong comparison), nor does anything that is not one of our ETags: both answer 412.
    """
    return required_version(request, order.version, stale_message=MSG_STALE)


def required_version(request, current: int, *, stale_message) -> int | None:
    """`expected_version` for anything versioned (an order, a notice): `current` if the client's
    `If-Match` names it, None without a condition; otherwise 412 with `stale_message`
    (formatted with `current`)."""
    header = request.headers.get(IF_MATCH_HEADER)
    if header is None:
        return None
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return None
    versions = set()
    for tag in tags:
        match = _ETAG_RE.match(tag)
        if match and not tag.startswith("W/") and match.group(1).isdigit():
            version = int(match.group(1))
            if 0 < version <= _MAX_VERSION:
                versions.add(version)
    if current in versions:
        # Checked here on the copy just read, and again by the service under the row lock.
        return current
    raise StaleVersion(stale_message % {"current": current})
