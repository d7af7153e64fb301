from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """督办: supervision orders (督办单) and reminder letters (提醒函), the rules and the deadline sweep
    that raise them, and the notifications that carry them (inbox, email, webhooks)."""

    name = "supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from tickets.events import on_order_event

        from . import tasks  # noqa: F401 - registers the tasks that broker.enqueue() sends by name
        from .broker import enqueue_order_event

        # Quick: it only sends a task message. The sweep catches up when the broker is down.
        on_order_event(enqueue_order_event)
