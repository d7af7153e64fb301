"""Celery tasks of the connector: thin callers of services.delivery. Idempotent: a delivered
message is never sent again by a repeated task, the lock keeps two runs off one message."""

from celery import shared_task
from django.db import OperationalError

from .services import delivery, imports, replyfile


@shared_task(name="connector.deliver_stream", ignore_result=True)
def deliver_stream(stream: str) -> int:
    return delivery.deliver_stream(stream=stream)


@shared_task(name="connector.deliver_due", ignore_result=True)
def deliver_due() -> int:
    return delivery.deliver_due()


@shared_task(name="connector.build_reply_files", ignore_result=True)
def build_reply_files() -> int:
    return len(replyfile.reply_files_build())


@shared_task(
    name="connector.import_run", ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3
)
def import_run(job_id: int) -> int | None:
    """Import the next slice of an uploaded platform export (connector/services/imports.py)."""
    job = imports.import_run(job_id=job_id)
    return None if job is None else job.rows_done
