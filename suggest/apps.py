from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestConfig(AppConfig):
    """智能分派建议: a text classifier trained on finished orders that suggests topic, handling type and
    unit from the order's content. Advice only: routing rules win, the dispatcher always chooses."""

    name = "suggest"
    verbose_name = _("智能分派建议")
