from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """研判与通报: weekly bulletins, dashboards, hotspots, special campaigns and typical cases.

    It reads orders and notices; nothing in `tickets` or `supervision` imports it.
    """

    name = "analysis"
    verbose_name = _("研判与通报")

    def ready(self) -> None:
        # Registers the tasks sent by name (the export renderer): without it a web process knows
        # only the tasks some other module imported, and sending one fails.
        from . import tasks  # noqa: F401
