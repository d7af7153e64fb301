from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from tickets.events import on_order_event

        from . import bulletin_admin  # noqa: F401  (registers the bulletin models in the admin)
        from .tasks import enqueue_order_event

        # Quick: it only sends a task message. The sweep catches up when the broker is down.
        on_order_event(enqueue_order_event)
