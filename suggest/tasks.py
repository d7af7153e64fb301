"""Celery tasks of the suggest app: thin entry points that call a service."""

from __future__ import annotations

from celery import shared_task

from .services import model_train


@shared_task(name="suggest.train", ignore_result=True, time_limit=1800, soft_time_limit=1700)
def train() -> dict:
    """Nightly (beat, CELERY_BEAT_SCHEDULE "suggest-train"): a new model version from finished orders."""
    model = model_train()
    if model is None:
        return {"trained": False}
    return {"trained": True, "version": model.version, "size": model.training_size, "accuracy": model.accuracy}


@shared_task(name="suggest.feedback", ignore_result=True)
def feedback(event_id: int) -> int:
    """After an intake or a dispatch: record whether the dispatcher took the model's first guess."""
    from .services import feedback_for_event

    return len(feedback_for_event(event_id))
