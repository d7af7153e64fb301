"""The Celery app: `celery -A hotline worker` / `celery -A hotline beat`."""

import logging
import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

logger = logging.getLogger(__name__)

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SWEEP_ENTRY = "supervision-sweep"


@beat_init.connect
def sweep_when_beat_starts(sender, **kwargs) -> None:
    """Send one sweep as beat starts. An interval entry first fires a whole period after beat
    starts on a fresh schedule file; the sweep is what catches up after a deploy or an outage, and
    `make run` should show it working at once rather than after a minute."""
    entry = sender.app.conf.beat_schedule.get(SWEEP_ENTRY)
    if entry is None:
        return
    try:
        sender.app.send_task(entry["task"], **entry.get("options", {}))
    except Exception:  # noqa: BLE001 - beat must start even if the broker is down; the schedule retries
        logger.warning("Could not send the start-up sweep; beat's schedule will send the next one", exc_info=True)
