"""Periodic work on protection cases."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.cases.services import remind_reflection_period_ending
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun


@background_job(title=_("Remind coordinators of reflection periods ending"))
def remind_reflection_periods(run: JobRun) -> dict:
    return {"reminded": [case.reference for case in remind_reflection_period_ending()]}


every(timedelta(hours=1), remind_reflection_periods)
