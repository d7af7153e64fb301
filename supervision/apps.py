from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督办")

    def ready(self) -> None:
        from . import bulletin_admin  # noqa: F401  (registers the bulletin models in the admin)
