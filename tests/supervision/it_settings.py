"""Settings for the Celery worker and beat that the integration test starts.

The real settings, plus a queue and a Redis key prefix of the test's own (so the worker never
takes a message meant for anyone else on the same Redis, and the test can remove every key the
worker and beat wrote: queues, bindings, unacknowledged messages), and a short visibility timeout
(so a task whose worker was killed is delivered again within seconds, as it would be after an
hour in production).
"""

import os

from hotline.settings import *  # noqa: F403
from hotline.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_TASK_DEFAULT_QUEUE = os.environ["HOTLINE_IT_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": 5,
    "global_keyprefix": os.environ["HOTLINE_IT_KEY_PREFIX"],
}
