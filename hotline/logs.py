"""Log formatting: a client's mistake is one line.

Django logs every 4xx answer on `django.request`; for a `PermissionDenied` raised in a view it
attaches the exception, and the log showed a full traceback for each refused page — noise that
buries the tracebacks that matter. A record about a 4xx answer is printed without its traceback;
5xx answers and everything else keep theirs.
"""

from __future__ import annotations

import copy
import logging


class Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        status_code = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status_code, int) and 400 <= status_code < 500:
            # A copy: other handlers (mail, a test's capture) still get the whole record.
            record = copy.copy(record)
            record.exc_info = None
            record.exc_text = None
        return super().format(record)
