"""One outbound HTTP POST, shared by everything that calls another system (group-chat robots in
supervision/notifications.py, the platform and webhooks in connector/services/transport.py).

It never raises for what the other side does: a refused connection, a timeout, an error status
all come back as an `HttpAnswer` whose `error` says why, in the words kept on delivery rows.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class HttpAnswer:
    status: int | None = None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float, keep: int = 65536) -> HttpAnswer:
    """POST `body` to `url`; success is a 2xx answer (urllib raises for the others)."""
    if not url.startswith(("http://", "https://")):
        return HttpAnswer(error=f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpAnswer(response.status, response.read(keep).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        text = exc.read(keep).decode("utf-8", "replace") if exc.fp else ""
        return HttpAnswer(exc.code, text, f"HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError) as exc:
        return HttpAnswer(error=f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}")
