"""The Celery app: `celery -A hotline worker` / `celery -A hotline beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
