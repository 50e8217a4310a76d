"""Keeping the instance's figures counted, in the background."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.incidents.counting import refresh_figures
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun


@background_job(title=_("Count the figures analysts read"))
def count_figures(run: JobRun) -> dict:
    return {"counted": refresh_figures(progress=run.progress)}


every(timedelta(minutes=5), count_figures)
