"""Checking new records against the others, in the background."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.jobs.models import Job
from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.jobs.services import start_job
from corridor.linkage.services import can_review_matches, check_unchecked_persons, run_linkage
from corridor.people.models import Person


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


def person_registered(sender, person: Person, **kwargs) -> None:
    """Queue the check of new records (connected in LinkageConfig.ready); one job at a time."""
    start_job(check_new_persons, subject=gettext("New records"), dedup_key="linkage:check-new")


def start_linkage_run(*, actor) -> Job:
    """A coordinator asks for a full run; it runs as background work, with progress."""
    if not can_review_matches(actor):
        raise PermissionDenied(gettext("Only a coordinator starts a full check of the records."))
    return start_job(
        full_linkage_run, actor=actor, subject=gettext("Every record"), dedup_key="linkage:run"
    )
