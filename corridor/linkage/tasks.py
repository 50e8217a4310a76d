"""Checking new records against the others, in the background."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.linkage.services import check_unchecked_persons, run_linkage


@background_job(title=_("Check new records for persons registered twice"))
def check_new_persons(run: JobRun) -> dict:
    return {"checked": check_unchecked_persons(progress=run.progress)}


# Records written in bulk (a seed, a restore) send no signal: the schedule catches them.
every(timedelta(minutes=5), check_new_persons)


STAGES = ("read", "prepare", "train", "score", "explain", "propose")


@background_job(title=_("Check every record for persons registered twice"))
def full_linkage_run(run: JobRun) -> dict:
    def progress(stage: str, done: int, total: int) -> None:
        # one bar over the stages: each stage is a sixth of the way
        step = STAGES.index(stage) if stage in STAGES else 0
        share = done / total if total else 1
        run.progress(int((step + share) * 100), len(STAGES) * 100)

    result = run_linkage(progress=progress)
    return {"records": result.records, "pairs": result.pairs, "proposed": result.proposed}
