from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "corridor.cooperation"
    verbose_name = _("Legal cooperation")

    def ready(self) -> None:
        from corridor.cooperation import tasks  # noqa: F401 — registers the periodic reminders
