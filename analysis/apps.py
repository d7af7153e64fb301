from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """研判与通报: weekly bulletins, dashboards, hotspots, special campaigns and typical cases.

    It reads orders and notices; nothing in `tickets` or `supervision` imports it.
    """

    name = "analysis"
    verbose_name = _("研判与通报")
