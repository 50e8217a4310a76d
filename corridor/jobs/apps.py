from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "corridor.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Each domain app declares its jobs and schedules in its own `tasks.py`; importing them
        # here registers them in every process (web server and worker) without this app
        # importing the apps above it.
        autodiscover_modules("tasks")
