"""Checking new records against the others, in the background."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.linkage.services import check_unchecked_persons


@background_job(title=_("Check new records for persons registered twice"))
def check_new_persons(run: JobRun) -> dict:
    return {"checked": check_unchecked_persons(progress=run.progress)}


# Records written in bulk (a seed, a restore) send no signal: the schedule catches them.
every(timedelta(minutes=5), check_new_persons)
