import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class SuggestConfig(AppConfig):
    """智能分派建议: a text classifier trained on finished orders that suggests topic, handling type and
    unit from the order's content. Advice only: routing rules win, the dispatcher always chooses."""

    name = "suggest"
    verbose_name = _("智能分派建议")

    def ready(self) -> None:
        from tickets.events import on_order_event

        from . import tasks  # noqa: F401 - registers the tasks (a web process imports none itself)

        on_order_event(_send_feedback)


def _send_feedback(event_id: int) -> None:
    """Quick: one indexed read and a task message (the model is loaded and asked in the worker).
    Feedback is a statistic: when the broker is down it is dropped and logged, never retried."""
    from django.conf import settings

    from tickets.models import OrderEvent

    from .tasks import feedback

    if not settings.HOTLINE_SUGGEST_FEEDBACK:
        return
    if not OrderEvent.objects.filter(pk=event_id, action__in=("intake", "dispatch"), actor__isnull=False).exists():
        return
    try:
        feedback.apply_async(args=[event_id], retry=False)
    except Exception:  # noqa: BLE001 - a broker problem must never reach the transition
        logger.warning("Could not send suggest.feedback for event %s", event_id, exc_info=True)
