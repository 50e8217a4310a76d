"""Periodic work of legal cooperation: deadlines near and passed are told to the owning
prosecutor, once each, by whichever worker sees the hour come round."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.cooperation.services import remind_cooperation_deadlines
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun


@background_job(title=_("Remind prosecutors of legal cooperation deadlines"))
def cooperation_deadlines(run: JobRun) -> dict:
    return remind_cooperation_deadlines()


every(timedelta(hours=1), cooperation_deadlines)
