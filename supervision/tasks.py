"""Celery tasks of the supervision app: thin entry points that take ids and call a service.

Each is safe to run twice. Nothing imports this module to send a task: services send by name
through `supervision.broker.enqueue`.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from .broker import enqueue
from .concentrated import concentrated_complaints_check
from .letters import letter_pdf_store
from .models import Notice
from .notifications import attempt_delivery
from .sweep import process_event, run_sweep


@shared_task(name="supervision.sweep", ignore_result=True)
def sweep() -> dict:
    """The periodic sweep (beat, every SUPERVISION_SWEEP_SECONDS)."""
    result = run_sweep()
    if result.more:
        # The time budget ran out (a long outage left much to do): carry on right away.
        enqueue("supervision.sweep")
    return result.summary()


@shared_task(name="supervision.concentrated_complaints", ignore_result=True)
def concentrated_complaints() -> int:
    """集中投诉: this week's surges raise their letters, once each (beat, hourly)."""
    return concentrated_complaints_check()


@shared_task(name="supervision.process_order_event", ignore_result=True)
def process_order_event(event_id: int) -> list[str]:
    return [str(r) for r in process_event(event_id)]


@shared_task(bind=True, name="supervision.deliver", ignore_result=True, max_retries=None)
def deliver(self, delivery_id: int) -> str | None:
    """Send one email or webhook delivery; on failure retry with exponential backoff."""
    result = attempt_delivery(delivery_id)
    if result is not None and result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.status if result else None


@shared_task(name="supervision.render_letter", autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def render_letter(notice_id: int, user_id: int | None = None) -> str | None:
    """Render a long letter's PDF, as that user reads it, into storage (the page asked; it serves
    the file once stored)."""
    notice = Notice.objects.filter(pk=notice_id).first()
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    if notice is None or (user_id is not None and user is None):
        return None
    return letter_pdf_store(notice, user=user)
