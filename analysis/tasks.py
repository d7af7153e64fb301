"""The Monday bulletin: Celery beat runs `generate_weekly_bulletin` on `HOTLINE_BULLETIN_SCHEDULE`
(default every Monday 08:00 in TIME_ZONE) for the Monday–Sunday week before it."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from .bulletins import bulletin_generate
from .periods import previous_week

logger = logging.getLogger(__name__)


@shared_task(
    name="analysis.generate_weekly_bulletin",
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=5,
)
def generate_weekly_bulletin() -> int:
    """Publish the previous week's bulletin. Running it twice (a retry, two beats) publishes one."""
    week = previous_week()
    bulletin = bulletin_generate(start=week.start, end=week.end, automatic=True)
    logger.info("Weekly bulletin %s–%s: version %s (id %s)", week.start, week.end, bulletin.version, bulletin.pk)
    return bulletin.pk
