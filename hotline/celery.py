"""The Celery app: `celery -A hotline worker` / `celery -A hotline beat`."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import beat_init, worker_init

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


# --- A worker that lost Redis must reconnect, not exit (issue #11) ----------------------------
#
# On a lost connection Celery 5.7.0 calls `connection.collect()` and then `connection.close()`
# (the close is new in 5.7.0: celery/celery#10242, the fix for #9705). `collect()` detaches the
# kombu Connection from its transport (`transport.client = None`). When the worker was waiting
# for more work (a BRPOP in flight: with --concurrency=2 and one task running, it always is),
# collect()'s close of the task channel stops at that dead read, so the channel is really
# closed by `connection.close()`, after the detach. Closing restores the unacknowledged message;
# the Redis channel builds a connection pool for that from `self.connection.client`, which is
# None: AttributeError("'NoneType' object has no attribute 'hostname'"). Celery ignores only
# connection errors there, so the worker takes it as fatal and exits. The same error comes
# later when a task that ran through the outage finishes and its (acks_late) message is
# acknowledged on the old channel. (kombu#582 is the same AttributeError on an older path.)
#
# The fix: a channel whose connection was collected answers with a connection error, which is
# what it is, and which every caller on these paths handles (the close is ignored; the ack is
# logged as "Couldn't ack"). The message stays in Redis's `unacked` hash and is delivered again
# after the visibility timeout; every task here is safe to run twice, and the sweep reads its
# work from the database anyway. Nothing changes while a connection is alive: the only
# behaviour replaced is the AttributeError. Remove once kombu or celery no longer get here:
# tests/supervision/test_broker_outage.py fails without this patch.

COLLECTED_MESSAGE = "the broker connection of this channel was closed (connection lost)"


def patch_kombu_redis_collected_channel() -> bool:
    """Make a Redis channel of a collected connection raise a connection error. Idempotent."""
    from kombu.transport import redis as kombu_redis

    channel = kombu_redis.Channel
    original = channel._connparams
    if getattr(original, "hotline_patched", False):
        return False

    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError(COLLECTED_MESSAGE)
        return original(self, asynchronous=asynchronous)

    _connparams.hotline_patched = True
    _connparams.__wrapped__ = original
    _connparams.__doc__ = original.__doc__
    channel._connparams = _connparams
    return True


@worker_init.connect
def _on_worker_init(sender=None, **kwargs) -> None:
    if patch_kombu_redis_collected_channel():
        logger.info("Patched kombu's Redis channel: a lost broker connection is reconnected, not fatal (issue #11)")
