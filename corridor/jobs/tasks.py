"""The job system's own periodic work."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.jobs.services import prune_finished


@background_job(title=_("Forget finished jobs"))
def prune_jobs(run: JobRun) -> dict:
    days = settings.CORRIDOR_JOB_RETENTION_DAYS
    return {"pruned": prune_finished(older_than=timedelta(days=days))}


every(timedelta(days=1), prune_jobs)
