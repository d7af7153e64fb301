"""Celery entry points of analysis.

- The Monday bulletin: beat runs `generate_weekly_bulletin` on `HOTLINE_BULLETIN_SCHEDULE` (default
  every Monday 08:00 in TIME_ZONE) for the Monday–Sunday week before it.
- The daily roll-up: beat runs `fill_rollup` every hour (`analysis/rollup.py`).
- Bulletin files: `render_export` renders a PDF or workbook asked for on the page.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import IntegrityError, OperationalError

from .bulletins import bulletin_generate
from .exports import export_render
from .periods import previous_week
from .rollup import rollup_refresh

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


@shared_task(
    name="analysis.fill_rollup",
    autoretry_for=(OperationalError, IntegrityError),
    retry_backoff=30,
    max_retries=5,
)
def fill_rollup() -> str | None:
    """Beat, hourly: add the orders settled by the last midnight to the daily roll-up.

    Does nothing when that midnight is already filled, so the hourly beat costs one query on 23
    runs out of 24 and catches up after an outage on the next run.
    """
    state = rollup_refresh()
    return state.settled_before.isoformat() if state is not None else None


@shared_task(
    name="analysis.render_export",
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    max_retries=3,
)
def render_export(job_id: int) -> int | None:
    """Render a bulletin's PDF or workbook into its stored file (analysis/exports.py)."""
    job = export_render(job_id=job_id)
    return None if job is None else job.pk
