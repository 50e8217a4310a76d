"""The daily retention run, as a background job of the job system (no cron)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from corridor.jobs.registry import background_job, every
from corridor.jobs.runner import JobRun
from corridor.retention.services import apply_retention


@background_job(title=_("Erase records past their retention period"))
def apply_retention_rules(run: JobRun) -> dict:
    """Counts per rule only: the references erased are in the audit trail, one event each."""
    report = apply_retention(progress=lambda done, total: run.progress(done, total))
    return report.outcome()


every(timedelta(days=1), apply_retention_rules)
