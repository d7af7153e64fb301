"""`python -m tests.supervision.it_worker worker …`: a Celery worker for the integration test.

While the file named by HOTLINE_IT_SLOW_MARKER + ".armed" exists, issuing a notice pauses inside
its transaction (after writing the marker file), so the test can SIGKILL the worker mid-firing.
With HOTLINE_IT_ISSUE_DELAY set, issuing each notice takes that many seconds more, so a sweep
over a few dozen orders lasts long enough to lose the broker in the middle of it.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.supervision.it_settings")
django.setup()

from hotline.celery import app  # noqa: E402
from supervision import rules  # noqa: E402

_marker = os.environ.get("HOTLINE_IT_SLOW_MARKER", "")
_delay = float(os.environ.get("HOTLINE_IT_ISSUE_DELAY") or 0)
_real_issue = rules.notice_issue


def _slow_issue(**kwargs):
    notice = _real_issue(**kwargs)
    if _marker and os.path.exists(_marker + ".armed"):
        with open(_marker, "w") as fh:
            fh.write(str(notice.pk))
        time.sleep(60)  # killed here, the transaction still open
    if _delay:
        time.sleep(_delay)
    return notice


rules.notice_issue = _slow_issue

if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
