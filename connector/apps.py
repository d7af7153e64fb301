from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorConfig(AppConfig):
    """The 12345 platform connector, webhooks and the change feed (README "Connecting the 12345 platform")."""

    name = "connector"
    verbose_name = _("平台对接")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # tickets and supervision call their event writers inside each transition's transaction;
        # they never import this app (imports point inward: the connector is the outer ring).
        from tickets.events import on_event_written

        from .services.outbox import outbox_for_event

        on_event_written(outbox_for_event)
        # Registers the tasks the services send by name (deliver_stream, import_run): without it a
        # web process knows only the tasks some other module imported, and sending one fails.
        from . import tasks  # noqa: F401
